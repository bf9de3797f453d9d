import { describe, expect, it } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import { fixtureText, importText, sendSaved, useImportTarget } from './import-formats-helpers'

/**
 * Values a Postman collection holds as JSON where its schema has text, and JSON people edit by hand: each is
 * imported with its meaning and said in the report, never dropped silently, and checked where the request
 * arrives. A GraphQL request whose variables are nested too deeply to write loses only those variables.
 */

const t = useImportTarget('fd-json-values')

async function open(): Promise<void> {
  const r = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!r.ok) throw new Error(r.error.message)
}

const SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'

describe('Postman values that are JSON, not text', () => {
  it('object and list variables are sent as their JSON text; a url.query that is no list is read and said', async () => {
    const report = await importText(fixtureText('postman-json-values.json', t.stub.url), t.dir)
    await open()
    const lines = report.unmapped.join('\n')
    expect(lines).toContain('variable "filter" holds an object; imported as its JSON text')
    expect(lines).toContain('variable "ids" holds a list; imported as its JSON text [3,5,8]')
    expect(lines).toContain(
      'Query as names: url.query is an object, not a list of rows: read as 3 parameter(s)',
    )
    expect(lines).toContain(
      'Query as names: query parameter "where": its value is an object; sent as its JSON text',
    )
    expect(lines).toContain('Query one row: url.query is one row, not a list: imported as the row "limit"')
    expect(lines).toContain(
      'Query string: url.query is a query string, not a list of rows: read as its 2 pair(s)',
    )

    const body = await sendSaved(t.service, t.stub, t.dir, 'object-variables.yaml')
    expect(body.url).toBe('/search?v=p1')
    expect(JSON.parse(body.body)).toEqual({ filter: { status: 'open', tags: ['a', 'b'] }, ids: [3, 5, 8] })

    const names = await sendSaved(t.service, t.stub, t.dir, 'query-as-names.yaml')
    expect(Object.fromEntries(new URL(names.url, 'http://x').searchParams)).toEqual({
      page: '2',
      sort: 'name asc',
      where: '{"a":1}',
    })
    expect((await sendSaved(t.service, t.stub, t.dir, 'query-one-row.yaml')).url).toBe('/items?limit=10')
    expect((await sendSaved(t.service, t.stub, t.dir, 'query-string.yaml')).url).toBe('/items?q=a%20b&flag')
  })

  it('GraphQL variables nested too deeply to write are left out of that request alone, and said', async () => {
    const depth = 20_000
    const collection = {
      info: { name: 'Deep', schema: SCHEMA },
      item: [
        {
          name: 'Deep',
          request: {
            method: 'POST',
            url: `${t.stub.url}/graphql`,
            body: {
              mode: 'graphql',
              graphql: { query: 'query { a }', variables: `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` },
            },
          },
        },
        {
          name: 'Shallow',
          request: {
            method: 'POST',
            url: `${t.stub.url}/graphql`,
            body: {
              mode: 'graphql',
              graphql: { query: 'query Q($n: Int) { a(n: $n) }', variables: '{"n": 3}' },
            },
          },
        },
      ],
    }
    const report = await importText(JSON.stringify(collection), t.dir)
    await open()
    expect(report.requests).toBe(2)
    expect(report.unmapped).toContain(
      'Deep: GraphQL variables left out: they are nested more than 1000 levels deep, more than an import keeps',
    )
    const deep = await sendSaved(t.service, t.stub, t.dir, 'deep.yaml')
    expect(JSON.parse(deep.body)).toEqual({ query: 'query { a }' })
    const shallow = await sendSaved(t.service, t.stub, t.dir, 'shallow.yaml')
    expect(JSON.parse(shallow.body)).toEqual({ query: 'query Q($n: Int) { a(n: $n) }', variables: { n: 3 } })
  })
})

describe('JSON edited by hand', () => {
  const collection = (url: string): string =>
    [
      '{',
      `  "info": { "name": "Edited", "schema": "${SCHEMA}", },`,
      '  "item": [',
      `    { "name": "Ping", "request": { "method": "GET", "url": "${url}/ping",`,
      '      "header": [ { "key": "X-Kept", "value": "a,]" }, ] } },',
      '  ],',
      '}',
    ].join('\n')

  it('trailing commas are read past, said, and the request sends what it says', async () => {
    const report = await importText(collection(t.stub.url), t.dir)
    await open()
    expect(report.format).toBe('postman')
    expect(report.unmapped).toContain(
      "the file is JSON with 4 trailing commas, which strict JSON (and Postman's importer) refuses: read without them",
    )
    const got = await sendSaved(t.service, t.stub, t.dir, 'ping.yaml')
    expect(got.url).toBe('/ping')
    expect(got.headers['x-kept']).toBe('a,]')
  })

  it('any other mistake is told as JSON, at its line and column, and nothing is written', async () => {
    const broken = collection(t.stub.url).replace('"method": "GET",', '"method": "GET"')
    const r = await runImport({ text: broken }, 'auto', t.dir, new MemorySecretStore())
    // The place named is where the comma is missing: before "url" on the fourth line.
    const column = (broken.split('\n')[3] ?? '').indexOf('"url"') + 1
    expect(r.ok ? 'imported' : r.error).toEqual({
      code: 'parse',
      message: `not valid JSON (Expected ',' or '}' after property value at line 4, column ${column})`,
    })
    // A sentence is neither JSON nor an export in YAML: said as before.
    const sentence = await runImport({ text: 'hello world' }, 'auto', t.dir, new MemorySecretStore())
    expect(!sentence.ok && sentence.error.message).toMatch(/^not JSON or YAML \(Unexpected token/)
  })
})
