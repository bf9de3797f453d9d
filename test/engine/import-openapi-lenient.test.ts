import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadCollection } from '../../src/engine/collections/loader'
import { swagger2ToOpenApi } from '../../src/engine/importers/swagger2'
import { sendSaved, useImportTarget } from './import-formats-helpers'

const fixture = fileURLToPath(
  new URL('../fixtures/samples/writer/openapi-hand-written.yaml', import.meta.url),
)

const target = useImportTarget('fd-openapi-lenient')

describe('OpenAPI that fails strict validation is imported as far as it goes', () => {
  it('every problem named by its JSON pointer and key; the operations import and send what the spec says', async () => {
    const { stub, service, dir } = target
    const text = readFileSync(fixture, 'utf8').replace('https://desk.example.test/v1', `${stub.url}/v1`)
    const r = await service.invoke('import.run', { text, format: 'auto', into: dir })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value).toMatchObject({ format: 'openapi', requests: 4, folders: 1 })
    const problems = r.value.unmapped
      .filter((l) => l.startsWith('not valid OpenAPI, imported as far as it goes: '))
      .map((l) => l.slice('not valid OpenAPI, imported as far as it goes: '.length))
    expect(problems).toEqual(
      expect.arrayContaining([
        '#/paths/~1tickets~1{ticketId}/get/responses/200/content/application~1json/schema: "$ref" #/components/schemas/TicketWithHistory points to nothing; left empty',
        '#/paths/~1tickets/get: unknown key "summry"',
        '#/paths/~1tickets/post/parameters/0/in: "in" is "body", not one of path, query, header, cookie',
        '#/paths/~1tickets/post/responses/201: "description" is missing',
        '#/components/schemas/Ticket/properties/title/required: "required" must be array',
      ]),
    )
    // Branch noise (oneOf, the $ref alternative) is not listed.
    expect(problems.join('\n')).not.toMatch(/oneOf|'\$ref'|"\$ref" is missing/)

    const { info } = await loadCollection(dir)
    expect(info.problems).toEqual([])
    const sent = await sendSaved(service, stub, dir, 'tickets/open-a-ticket.yaml')
    expect(sent.method).toBe('POST')
    expect(sent.url).toBe('/v1/tickets')
    expect(JSON.parse(sent.body)).toEqual({ title: 'Printer on fire', priority: 'high' })
    const closed = await sendSaved(service, stub, dir, 'tickets/close-a-ticket.yaml')
    expect([closed.method, closed.url]).toEqual(['DELETE', '/v1/tickets/42'])
    const listed = await sendSaved(service, stub, dir, 'tickets/listtickets.yaml')
    expect([listed.method, listed.url]).toEqual(['GET', '/v1/tickets?status=open'])
  })

  it('a schema property named __proto__ is in the generated example, as the spec names it', async () => {
    const { stub, service, dir } = target
    const spec = [
      'openapi: 3.0.3',
      "info: { title: Protos, version: '1' }",
      `servers: [{ url: '${stub.url}' }]`,
      'paths:',
      '  /objects:',
      '    post:',
      '      operationId: saveObject',
      '      requestBody:',
      '        content:',
      '          application/json:',
      '            schema:',
      '              allOf:',
      '                - type: object',
      '                  properties:',
      '                    __proto__: { type: string, example: shadow }',
      '                - type: object',
      '                  properties:',
      '                    inner: { type: object, properties: { __proto__: { type: integer } } }',
      "      responses: { '200': { description: ok } }",
    ].join('\n')
    const into = `${dir}/protos`
    const r = await service.invoke('import.run', { text: spec, format: 'auto', into })
    if (!r.ok) throw new Error(r.error.message)
    const sent = await sendSaved(service, stub, into, 'saveobject.yaml')
    expect(sent.body.replace(/\s/g, '')).toBe('{"__proto__":"shadow","inner":{"__proto__":0}}')
  })

  it('Swagger 2.0: a definition and a property named __proto__ are in the generated example', async () => {
    const { stub, service, dir } = target
    const spec = JSON.stringify({
      swagger: '2.0',
      info: { title: 'Protos', version: '1' },
      host: new URL(stub.url).host,
      schemes: ['http'],
      paths: {
        '/objects': {
          post: {
            operationId: 'saveObject',
            consumes: ['application/json'],
            parameters: [{ in: 'body', name: 'body', schema: { $ref: '#/definitions/__proto__' } }],
            responses: { '200': { description: 'ok' } },
          },
        },
      },
      // JSON.parse keeps "__proto__" as an own key: the conversion must too.
      definitions: JSON.parse(
        '{"__proto__":{"type":"object","properties":{"__proto__":{"type":"string","example":"shadow"},"n":{"type":"integer"}}}}',
      ) as unknown,
    })
    const into = `${dir}/swagger-protos`
    const r = await service.invoke('import.run', { text: spec, format: 'auto', into })
    if (!r.ok) throw new Error(r.error.message)
    const sent = await sendSaved(service, stub, into, 'saveobject.yaml')
    expect(sent.body.replace(/\s/g, '')).toBe('{"__proto__":"shadow","n":0}')
  })

  it("Swagger 2.0: a $ref however deep in a schema is moved to where OpenAPI 3 keeps it (the copy stopped at 64 levels, keeping Swagger's)", () => {
    const levels = 200
    let schema: Record<string, unknown> = { $ref: '#/definitions/Leaf' }
    for (let i = 0; i < levels; i++) schema = { type: 'object', properties: { next: schema } }
    const api = swagger2ToOpenApi({
      swagger: '2.0',
      paths: {},
      definitions: { Deep: schema, Leaf: { type: 'string' } },
    })
    let at = (api['components'] as { schemas: Record<string, unknown> }).schemas['Deep'] as Record<
      string,
      unknown
    >
    for (let i = 0; i < levels; i++)
      at = (at['properties'] as Record<string, Record<string, unknown>>)['next'] ?? {}
    expect(at).toEqual({ $ref: '#/components/schemas/Leaf' })
  })

  it('Swagger 2.0: a shared parameter that is a $ref to another is followed to the end; a loop is left out and said', async () => {
    const { stub, service, dir } = target
    const spec = JSON.stringify({
      swagger: '2.0',
      info: { title: 'Aliases', version: '1' },
      host: new URL(stub.url).host,
      schemes: ['http'],
      parameters: {
        PageSize: { $ref: '#/parameters/Limit' },
        Limit: { $ref: '#/parameters/Size' },
        Size: { name: 'limit', in: 'query', type: 'integer', default: 5 },
        Ping: { $ref: '#/parameters/Pong' },
        Pong: { $ref: '#/parameters/Ping' },
      },
      paths: {
        '/items': {
          get: { operationId: 'list', parameters: [{ $ref: '#/parameters/PageSize' }], responses: {} },
        },
        '/loop': { get: { operationId: 'loop', parameters: [{ $ref: '#/parameters/Ping' }], responses: {} } },
      },
    })
    const into = `${dir}/swagger-aliases`
    const r = await service.invoke('import.run', { text: spec, format: 'auto', into })
    if (!r.ok) throw new Error(r.error.message)
    // Followed one step, the alias was a parameter without name or place: '"required" is missing', nothing sent.
    expect(r.value.unmapped.join('\n')).not.toMatch(/is missing/)
    const listed = await sendSaved(service, stub, into, 'list.yaml')
    expect(listed.url).toBe('/items?limit=5')
    expect(r.value.attention).toEqual([
      'GET /loop: parameter #/parameters/Ping left out: its "$ref" goes through more than 64 references to references, or round a loop of them',
    ])
  })
})
