import { describe, expect, it } from 'vitest'
import { sendSaved, useImportTarget } from '../engine/import-formats-helpers'

/**
 * Swagger 2.0 files an outsider writes. Shared parameters (`#/parameters/…`) were written into every operation
 * using them when the file was turned into OpenAPI 3, so a 100,000-value enum used by 2,000 operations (a 2 MB
 * file) became 200 million values: 3.4 GB and 23 s before the import was refused in words about YAML aliases,
 * which a JSON file has none of. They are now written once and referred to, as OpenAPI 3 does. And a
 * `collectionFormat` named after an Object method (`constructor`, `toString`) was looked up as that method:
 * the import failed with "DataCloneError: function Object() … could not be cloned". A parameter named
 * `__proto__` (an own key, as JSON and YAML read it), shared or a form field, must stay one when written.
 */

const target = useImportTarget('fd-attack-swagger2')

/**
 * 40 GETs sharing a query parameter and 40 POSTs sharing a body parameter, each with a 60,000-value enum: 4.8
 * million values once copied into each operation, just past the 4,000,000 an import refuses, so the case fails
 * without the fix. Its import takes ~0.7 s of planning (1.5-4 s in all at load 15: the worker's start, 80 files).
 */
function sharedSpec(base: string): string {
  const values = Array.from({ length: 60_000 }, (_, i) => `v${i}`)
  const paths: Record<string, unknown> = {}
  const ok = { 200: { description: 'ok' } }
  for (let i = 0; i < 40; i++) {
    paths[`/q${i}`] = {
      get: { operationId: `q${i}`, parameters: [{ $ref: '#/parameters/kind' }], responses: ok },
    }
    paths[`/b${i}`] = {
      post: { operationId: `b${i}`, parameters: [{ $ref: '#/parameters/payload' }], responses: ok },
    }
  }
  return JSON.stringify({
    swagger: '2.0',
    info: { title: 'Shared', version: '1' },
    host: new URL(base).host,
    schemes: ['http'],
    paths,
    parameters: {
      kind: { name: 'kind', in: 'query', type: 'array', items: { type: 'string', enum: values } },
      payload: {
        name: 'payload',
        in: 'body',
        schema: { type: 'object', properties: { kind: { type: 'string', enum: values } } },
      },
    },
  })
}

const oddFormats = `swagger: '2.0'
info: { title: Odd, version: '1' }
host: HOST
schemes: [http]
consumes: [application/x-www-form-urlencoded]
paths:
  /tags:
    post:
      operationId: tags
      parameters:
        - { name: q, in: query, type: array, items: { type: string }, collectionFormat: toString, x-example: [a, b] }
        - { name: f, in: formData, type: array, items: { type: string, default: x }, collectionFormat: constructor }
        - $ref: '#/parameters/__proto__'
        - { name: __proto__, in: formData, type: string, default: fv }
      responses: { '200': { description: ok } }
parameters:
  __proto__: { name: p, in: query, type: string, default: pv }
`

describe('Swagger 2.0 shared parameters and odd collection formats', () => {
  it('a 60,000-value enum shared by 80 operations imports, each request sending its first value', async () => {
    const { stub, service, dir } = target
    const r = await service.invoke('import.run', { text: sharedSpec(stub.url), format: 'auto', into: dir })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.requests).toBe(80)
    expect(new URL((await sendSaved(service, stub, dir, 'q7.yaml')).url, stub.url).search).toBe('?kind=v0')
    expect(JSON.parse((await sendSaved(service, stub, dir, 'b39.yaml')).body)).toEqual({ kind: 'v0' })
  })

  it('a collectionFormat named like an Object method is read as csv, and the report says so; a parameter named __proto__ is kept', async () => {
    const { stub, service, dir } = target
    const text = oddFormats.replace('HOST', new URL(stub.url).host)
    const r = await service.invoke('import.run', { text, format: 'auto', into: dir })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.unmapped).toContain(
      `POST /tags: parameter "q": collectionFormat "toString" is none of Swagger's (csv, ssv, tsv, pipes, multi); read as csv`,
    )
    expect(r.value.unmapped).toContain(
      `POST /tags: parameter "f": collectionFormat "constructor" is none of Swagger's (csv, ssv, tsv, pipes, multi); read as csv`,
    )
    const sent = await sendSaved(service, stub, dir, 'tags.yaml')
    expect(new URL(sent.url, stub.url).searchParams.get('q')).toBe('a,b')
    expect(new URL(sent.url, stub.url).searchParams.get('p')).toBe('pv')
    expect(sent.body).toBe('f=x&__proto__=fv')
  })
})
