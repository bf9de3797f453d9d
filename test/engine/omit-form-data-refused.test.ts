import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { savedToSpec } from '../../src/shared/collection'
import { SNIPPET_TARGETS } from '../../src/shared/collection-schemas'
import { ranCurl } from './copy-as-helpers'
import { multipartFields, runToEnd, savedRequest, sendSaved, useImportTarget } from './import-formats-helpers'

/**
 * A form-data body whose Content-Type is left out (`omitDefaultHeaders: [content-type]`, as a Postman request with
 * its Content-Type switched off imports): the Content-Type names the boundary, so the server could not split the
 * parts. Send and a run refuse it with nothing sent, saying why and what to do; Copy as writes no code for it; a
 * Content-Type typed as `multipart/form-data` (one of the ways out the words give) goes with the body's boundary.
 */

const t = useImportTarget('fd-omit-form-data')

const WHY = /boundary between the parts.*multipart\/form-data.*omitDefaultHeaders.*raw body/

function writeCollection(dir: string, base: string): void {
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Forms\n')
  const file = (name: string, headers: string[]): void =>
    writeFileSync(
      join(dir, `${name}.yaml`),
      [
        `name: ${name}`,
        'method: POST',
        `url: '${base}/${name}'`,
        ...(headers.length ? ['headers:', ...headers] : []),
        'body:',
        '  kind: multipart',
        '  parts:',
        '    - { kind: text, name: city, value: Lyon, enabled: true }',
        '    - { kind: text, name: zip, value: "69001", enabled: true }',
        'options:',
        '  omitDefaultHeaders: [content-type, user-agent]',
        '',
      ].join('\n'),
    )
  file('untyped', [])
  file('typed', ['  - { name: Content-Type, value: multipart/form-data, enabled: true }'])
}

async function opened(): Promise<void> {
  writeCollection(t.dir, t.stub.url)
  const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!open.ok) throw new Error(open.error.message)
}

describe('A form-data body with its Content-Type left out', () => {
  it('is refused by Send before anything is sent, saying why and what to do', async () => {
    await opened()
    const req = await savedRequest(t.dir, 'untyped.yaml')
    const r = await t.service.invoke('request.send', {
      request: savedToSpec(req),
      auth: req.auth,
      context: { dir: t.dir, path: 'untyped.yaml' },
    })
    expect(r.ok).toBe(false)
    expect(r.ok ? '' : r.error.message).toMatch(WHY)
    expect(t.stub.arrived).toHaveLength(0)
  })

  it("is a run's step error, with nothing sent", async () => {
    await opened()
    const run = await runToEnd(t.service, t.dir, 'untyped.yaml')
    const step = run.results.find((s) => s.path === 'untyped.yaml')
    expect(step?.passed).toBe(false)
    expect(step?.error?.message).toMatch(WHY)
    expect(t.stub.arrived).toHaveLength(0)
  })

  it('gets no Copy as code in any language, in the same words', async () => {
    await opened()
    for (const target of SNIPPET_TARGETS) {
      const r = await t.service.invoke('export.request', { dir: t.dir, path: 'untyped.yaml', target })
      expect(r.ok, target).toBe(false)
      expect(r.ok ? '' : r.error.message, target).toMatch(/Send would refuse/)
      expect(r.ok ? '' : r.error.message, target).toMatch(WHY)
    }
  })

  it('goes split into its parts once a Content-Type of multipart/form-data is typed, in Send and curl', async () => {
    await opened()
    const sent = await sendSaved(t.service, t.stub, t.dir, 'typed.yaml')
    expect(multipartFields(sent)).toEqual({ city: 'Lyon', zip: '69001' })
    const code = await t.service.invoke('export.request', { dir: t.dir, path: 'typed.yaml', target: 'curl' })
    if (!code.ok) throw new Error(code.error.message)
    const theirs = await ranCurl(t, code.value.text)
    expect(multipartFields(theirs)).toEqual({ city: 'Lyon', zip: '69001' })
    expect(theirs.headers['user-agent']).toBeUndefined()
  })
})
