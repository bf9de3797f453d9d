import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dump, load } from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { fixtureText, importText, sendSaved, useImportTarget, type Arrived } from './import-formats-helpers'
import { multipartParts } from './multipart-parts'

/**
 * An OpenAPI operation sends what its levels say: the path item's parameters with the operation's own of the
 * same name replacing them (not both), its own or its path item's servers instead of the document's, no header
 * parameter the spec says to ignore, and a oneOf body carrying its variant's discriminator tag and `const`
 * values. Checked where it shows: at a stub the imported requests are sent to.
 */

const target = useImportTarget('fd-openapi-ops')

async function importSpec(): Promise<string> {
  const report = await importText(fixtureText('openapi-operations.yaml', target.stub.url), target.dir)
  const opened = await target.service.invoke('collection.open', { dir: target.dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
  return report.unmapped.join('\n')
}

describe('OpenAPI: what an operation takes from its path item and servers', () => {
  it("an operation's own parameter replaces the path item's of the same name; the others come along; cookies in one header", async () => {
    const report = await importSpec()
    const got = await sendSaved(target.service, target.stub, target.dir, 'list-passports.yaml')
    expect(got.method).toBe('GET')
    expect(got.url).toBe('/v2/passports?pageSize=50')
    expect(got.headers['x-tenant']).toBe('acme')
    // Cookie parameters go as one Cookie header.
    expect(got.headers['cookie']).toBe('session=s-9; theme=dark')
    // Accept is the responses' to say (OpenAPI: a header parameter named Accept "SHALL be ignored").
    expect(got.headers['accept']).not.toBe('text/csv')
    expect(report).toContain('GET /passports: header parameter "Accept" left out: OpenAPI says to ignore it')
  })

  it("an operation's own server, and a path item's, replace the document's; each is said", async () => {
    const report = await importSpec()
    const created = await sendSaved(target.service, target.stub, target.dir, 'create-a-passport.yaml')
    expect(created.method).toBe('POST')
    // The path item's pageSize (20) is the POST's too: it has none of its own.
    expect(created.url).toBe('/secure/passports?pageSize=20')
    const image = await sendSaved(target.service, target.stub, target.dir, 'get-an-image.yaml')
    expect(image.url).toBe('/static/images/holder-7.png')
    expect(report).toContain(
      `POST /passports: sent to its operation's own server ${target.stub.url}/secure, not baseUrl`,
    )
    expect(report).toContain(
      `GET /images/{filename}: sent to its path's own server ${target.stub.url}/static, not baseUrl; 1 more listed`,
    )
    // 3.1 webhooks are calls the API makes: none is a request, each is named with its methods.
    expect(report).toContain(
      'webhooks passportIssued (POST), passportRevoked (PUT, POST) not imported: they are calls the API makes to you, not requests to send (receive them in a webhook inbox)',
    )
  })

  it('a oneOf body carries its first variant’s discriminator tag and const values, as JSON, with no stray Content-Type', async () => {
    const report = await importSpec()
    const got = await sendSaved(target.service, target.stub, target.dir, 'create-a-passport.yaml')
    expect(got.headers['content-type']).toBe('application/json')
    expect(JSON.parse(got.body)).toEqual({ kind: 'travel', number: 'P-1234', pages: 32 })
    expect(got.headers['x-tenant']).toBe('acme')
    expect(report).toContain('POST /passports: header parameter "Content-Type" left out')
  })

  it('a relative server URL is said in words: it is relative to where the document was served', async () => {
    const spec = [
      'openapi: 3.0.3',
      'info: { title: Store, version: "1" }',
      'servers: [{ url: /api/v3 }]',
      'paths:',
      '  /store/inventory:',
      '    get: { operationId: inventory, responses: { "200": { description: ok } } }',
    ].join('\n')
    const report = await importText(spec, target.dir)
    expect(report.unmapped).toContain(
      'baseUrl: server URL "/api/v3" is relative to where the document is served; put the API\'s origin before it (https://host/api/v3)',
    )
  })
})

describe('Swagger 2.0', () => {
  it('is read as the OpenAPI 3 it says: servers, a body parameter, formData as multipart or a form, query arrays, shared parameters', async () => {
    const host = new URL(target.stub.url).host
    const text = fixtureText('swagger2-uploads.json', target.stub.url).replaceAll('__HOST__', host)
    const report = (await importText(text, target.dir)).unmapped.join('\n')
    // The key the api_key scheme's {{apiKey}} is filled from, as a user sets it after the import.
    const file = join(target.dir, 'collection.yaml')
    const settings = load(readFileSync(file, 'utf8')) as { variables?: Record<string, unknown> }
    settings.variables = { ...settings.variables, apiKey: 'k-1', token: 't-2' }
    writeFileSync(file, dump(settings))
    const opened = await target.service.invoke('collection.open', { dir: target.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    expect(report).toContain('Swagger 2.0: read as the OpenAPI 3 document it says')
    const send = (path: string): Promise<Arrived> => sendSaved(target.service, target.stub, target.dir, path)
    const add = await send('notes/addnote.yaml')
    expect([add.method, add.url, add.headers['x-notes-key']]).toEqual(['POST', '/v2/notes', 'k-1'])
    expect(add.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(add.body)).toEqual({ id: 1, title: 'Ridge walk', tags: ['hike'] })
    expect((await send('notes/findnotes.yaml')).url).toBe('/v2/notes?status=draft&pageSize=20')
    const rename = await send('notes/renamenote.yaml')
    expect(rename.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
    expect(rename.body).toBe('title=Ridge+walk')
    const upload = await send('notes/uploadphoto.yaml')
    expect(upload.url).toBe('/v2/notes/42/photo')
    // Its scheme is OAuth 2's implicit flow: a token the user sets (it went without auth, as unsupported).
    expect(upload.headers['authorization']).toBe('Bearer t-2')
    expect(report).toContain(
      'POST /notes/{noteId}/photo: security scheme "notes_auth" is OAuth 2\'s implicit flow',
    )
    expect(multipartParts(upload).map((p) => [p.name, p.body])).toEqual([['caption', 'lake at dawn']])
    expect(report).toContain('POST /notes/{noteId}/photo: multipart file part "file" needs a file; left out')
  })

  it('a query, path, header or form array is sent joined as its collectionFormat says: space, tab, pipe or comma', async () => {
    const array = (name: string, where: string, format: string, example: string[]) => ({
      name,
      in: where,
      required: true,
      type: 'array',
      items: { type: 'string' },
      collectionFormat: format,
      'x-example': example,
    })
    const doc = {
      swagger: '2.0',
      info: { title: 'Formats', version: '1' },
      host: new URL(target.stub.url).host,
      schemes: ['http'],
      paths: {
        '/tiles/{ids}': {
          get: {
            operationId: 'tiles',
            parameters: [
              array('ids', 'path', 'ssv', ['a', 'b']),
              array('X-Layers', 'header', 'pipes', ['roads', 'rivers']),
              array('words', 'query', 'ssv', ['x', 'y']),
              array('cols', 'query', 'tsv', ['c1', 'c2']),
              array('tags', 'query', 'pipes', ['t1', 't2']),
              array('sizes', 'query', 'csv', ['s', 'm']),
              // Not Swagger's (multi is for a query or a form only): comma-joined, and said.
              array('X-Regions', 'header', 'multi', ['eu', 'us']),
            ],
            responses: { '200': { description: 'ok' } },
          },
        },
        '/forms': {
          post: {
            operationId: 'forms',
            consumes: ['application/x-www-form-urlencoded'],
            parameters: [
              array('tags', 'formData', 'pipes', ['t1', 't2']),
              array('ids', 'formData', 'multi', ['x', 'y']),
              array('sizes', 'formData', 'csv', ['s', 'm']),
            ].map(({ 'x-example': example, ...p }) => ({ ...p, default: example })),
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    }
    const report = (await importText(JSON.stringify(doc), target.dir)).unmapped
    const opened = await target.service.invoke('collection.open', { dir: target.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const got = await sendSaved(target.service, target.stub, target.dir, 'tiles.yaml')
    const url = new URL(got.url, 'http://x')
    expect(decodeURIComponent(url.pathname)).toBe('/tiles/a b')
    expect(got.headers['x-layers']).toBe('roads|rivers')
    expect(got.headers['x-regions']).toBe('eu,us')
    expect(report).toContain(
      'GET /tiles/{ids}: header parameter "X-Regions": collectionFormat multi is for query and form parameters only (Swagger 2.0); sent comma-joined (csv)',
    )
    expect([...url.searchParams]).toEqual([
      ['words', 'x y'],
      ['cols', 'c1\tc2'],
      ['tags', 't1|t2'],
      ['sizes', 's,m'],
    ])
    // In a form body too: a field for each item only when the format is multi (not the items as JSON text).
    const form = await sendSaved(target.service, target.stub, target.dir, 'forms.yaml')
    expect([...new URLSearchParams(form.body)]).toEqual([
      ['tags', 't1|t2'],
      ['ids', 'x'],
      ['ids', 'y'],
      ['sizes', 's,m'],
    ])
  })
})

describe('OpenAPI: a form or multipart body as its encoding says', () => {
  it('each part carries its encoding’s Content-Type (an object part JSON), an array a part each, file parts named', async () => {
    const report = (await importText(fixtureText('openapi-encoding.yaml', target.stub.url), target.dir))
      .unmapped
    const opened = await target.service.invoke('collection.open', { dir: target.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const upload = await sendSaved(target.service, target.stub, target.dir, 'upload-a-receipt.yaml')
    expect(upload.url).toBe('/api/receipts')
    expect(multipartParts(upload).map((p) => [p.name, p.contentType, p.body])).toEqual([
      ['details', 'application/json', '{"merchant":"Cafe Ruth","total":18.5}'],
      ['note', 'text/plain; charset=utf-8', 'lunch with the auditors'],
      ['labels', null, 'travel'],
      ['labels', null, 'q3'],
      // The first of the types its encoding lists.
      ['signature', 'image/svg+xml', '<svg/>'],
    ])
    expect(report).toContain('POST /receipts: multipart file part "scan" needs a file; left out')
    // An array of files was one text part reading "string".
    expect(report).toContain(
      'POST /receipts: multipart file parts "attachments" (an array of files) need files; left out',
    )
    expect(report).toContain(
      'POST /receipts: multipart part "signature": its own headers (X-Signed-By) not imported',
    )
    // A form field as its encoding's style says: pipe-joined, deepObject, and exploded (the default).
    const search = await sendSaved(target.service, target.stub, target.dir, 'search-receipts.yaml')
    expect([...new URLSearchParams(search.body)]).toEqual([
      ['status', 'open|paid'],
      ['filter[currency]', 'EUR'],
      ['filter[minTotal]', '20'],
      ['sort', 'date'],
      ['sort', 'total'],
    ])
  })
})

describe('OpenAPI: path parameters of the same name', () => {
  it('share a variable while their examples agree; one with an example of its own gets its own variable', async () => {
    const op = (operationId: string, example: string) => ({
      operationId,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', example } }],
      responses: { '200': { description: 'ok' } },
    })
    const doc = {
      openapi: '3.0.3',
      info: { title: 'Shelter', version: '1' },
      servers: [{ url: target.stub.url }],
      paths: {
        '/pets/{id}': { get: op('getPet', '7'), delete: op('deletePet', '7') },
        '/users/{id}': { get: op('getUser', 'alice') },
        '/users/{id}/pets': { get: op('listUserPets', 'alice') },
      },
    }
    const report = (await importText(JSON.stringify(doc), target.dir)).unmapped
    const opened = await target.service.invoke('collection.open', { dir: target.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const send = (path: string): Promise<Arrived> => sendSaved(target.service, target.stub, target.dir, path)
    expect((await send('getpet.yaml')).url).toBe('/pets/7')
    expect((await send('deletepet.yaml')).url).toBe('/pets/7')
    // It went to /users/7: the pets' example, through one shared {{id}}.
    expect((await send('getuser.yaml')).url).toBe('/users/alice')
    expect((await send('listuserpets.yaml')).url).toBe('/users/alice/pets')
    expect(report).toContain(
      'GET /users/{id}: path parameter "id" has its own example (alice), not id\'s (7): it uses {{users_id}}, so each request sends its own',
    )
  })
})
