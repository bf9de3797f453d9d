import { describe, expect, it } from 'vitest'
import { sendSaved, useImportTarget } from '../engine/import-formats-helpers'

/**
 * An OpenAPI 3 spec whose parameters are arrays and objects, as real specs have them (`ids` lists, filter
 * objects, deepObject filters, a JSON-in-query parameter): the imported request sends each as its `style` and
 * `explode` say, checked at a stub by what arrived, not as the example's JSON text.
 */

const spec = (base: string): string => `openapi: 3.0.3
info: { title: Styles, version: '1' }
servers: [{ url: '${base}/v1' }]
paths:
  /items/{ids}:
    get:
      operationId: listItems
      parameters:
        - { name: ids, in: path, required: true, schema: { type: array, items: { type: integer } }, example: [3, 4] }
        - { name: tag, in: query, schema: { type: array, items: { type: string } }, example: [red, blue] }
        - { name: fields, in: query, style: form, explode: false, schema: { type: array, items: { type: string } }, example: [id, name] }
        - { name: pipes, in: query, style: pipeDelimited, explode: false, schema: { type: array, items: { type: string } }, example: [x, y] }
        - name: filter
          in: query
          style: deepObject
          schema: { type: object, properties: { color: { type: string, example: red }, size: { type: integer, example: 2 } } }
        - name: page
          in: query
          schema: { type: object, properties: { limit: { type: integer, example: 10 }, offset: { type: integer, example: 0 } } }
        - name: where
          in: query
          content:
            application/json:
              schema: { type: object }
              example: { a: 1 }
        - { name: X-Ids, in: header, schema: { type: array, items: { type: string } }, example: [p, q] }
      responses: { '200': { description: ok } }
`

const target = useImportTarget('fd-openapi-styles')

describe('OpenAPI parameters that are arrays or objects', () => {
  it('go out as their style and explode say', async () => {
    const { stub, service, dir } = target
    const r = await service.invoke('import.run', { text: spec(stub.url), format: 'auto', into: dir })
    if (!r.ok) throw new Error(r.error.message)
    const sent = await sendSaved(service, stub, dir, 'listitems.yaml')
    const url = new URL(sent.url, stub.url)
    expect(url.pathname).toBe('/v1/items/3,4')
    const q = url.searchParams
    expect(q.getAll('tag')).toEqual(['red', 'blue'])
    expect(q.getAll('fields')).toEqual(['id,name'])
    expect(q.getAll('pipes')).toEqual(['x|y'])
    expect(q.get('filter[color]')).toBe('red')
    expect(q.get('filter[size]')).toBe('2')
    expect(q.get('limit')).toBe('10')
    expect(q.get('offset')).toBe('0')
    expect(q.has('page')).toBe(false)
    expect(JSON.parse(q.get('where') ?? 'null')).toEqual({ a: 1 })
    expect(sent.headers['x-ids']).toBe('p,q')
  })
})
