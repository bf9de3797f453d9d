import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { findNode, type FolderNode } from '../../src/shared/collection'
import { loadCollection } from '../../src/engine/collections/loader'
import { readRequestFile } from '../../src/engine/collections/loader'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import type { EngineService } from '../../src/engine/service'
import { makeService } from './helpers'

const samples = fileURLToPath(new URL('../fixtures/samples/', import.meta.url))
const sample = (name: string): string => join(samples, name)

let dir: string
let configDir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-import-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-import-config-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

async function importInto(file: string, secrets = new MemorySecretStore()) {
  const r = await runImport({ file: sample(file) }, 'auto', dir, secrets)
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

async function request(path: string) {
  const r = await readRequestFile(
    join(dir, ...path.split('/')),
    path.split('/').pop()?.replace('.yaml', '') ?? '',
  )
  if (!r.ok) throw new Error(`${path}: ${r.problem}`)
  return r.request
}

function names(folder: FolderNode): string[] {
  return folder.children.map((c) => (c.type === 'folder' ? `${c.name}/` : c.name))
}

describe('import', () => {
  it('Postman v2.1: folders, requests, bodies, auth, variables, and a report of what did not map', async () => {
    const report = await importInto('postman-v21.json')
    expect(report).toMatchObject({ format: 'postman', requests: 8, folders: 2, environments: 0 })
    const { info } = await loadCollection(dir)
    expect(info.problems).toEqual([])
    expect(info.name).toBe('Acme Orders API')
    // Source order is kept, not alphabetical.
    expect(names(info.root)).toEqual(['Customers/', 'Billing/', 'Health'])
    // The path variable :customerId keeps its value in its request's URL (Postman's url.variable belongs to
    // the request): no collection variable of that name for an environment to override.
    expect(info.variables.map((v) => v.name)).toEqual(['baseUrl', 'pageSize', 'user'])
    expect((await request('customers/get-customer.yaml')).url).toBe('{{baseUrl}}/customers/42')
    expect(info.auth).toEqual({ type: 'basic', username: '{{user}}', password: '{{password}}' })
    const customers = findNode(info.root, 'customers')
    expect(customers?.type === 'folder' && customers.auth).toEqual({
      type: 'bearer',
      token: '{{customerToken}}',
    })

    const list = await request('customers/list-customers.yaml')
    expect(list.url).toBe('{{baseUrl}}/customers?page=1&limit={{pageSize}}')
    expect(list.headers).toEqual([
      { name: 'Accept', value: 'application/json', enabled: true },
      { name: 'X-Trace', value: '{{$uuid}}', enabled: false },
    ])
    const create = await request('customers/create-customer.yaml')
    expect(create.body).toEqual({
      kind: 'json',
      text: '{\n  "name": "{{$randomFirstName}}",\n  "email": "ada@example.com",\n  "ref": "{{$uuid}}"\n}',
    })
    expect((await request('billing/pay-invoice.yaml')).body).toEqual({
      kind: 'form',
      fields: [
        { name: 'invoice', value: 'INV-1001', enabled: true },
        { name: 'amount', value: '19.99', enabled: true },
        { name: 'note', value: 'test', enabled: false },
      ],
    })
    const upload = await request('billing/upload-receipt.yaml')
    expect(upload.auth).toEqual({ type: 'apikey', key: 'X-Api-Key', value: '{{apiKey}}', in: 'header' })
    expect(upload.body).toEqual({
      kind: 'multipart',
      parts: [
        { kind: 'text', name: 'invoice', value: 'INV-1001', enabled: true },
        { kind: 'file', name: 'receipt', path: '/home/ada/receipt.pdf', enabled: true },
      ],
    })
    expect((await request('health.yaml')).auth).toEqual({ type: 'none' })

    const u = report.unmapped.join('\n')
    expect(u).toContain(
      'collection: pre-request script (runs for every request below it) kept in collection.yaml; it runs in the script sandbox',
    )
    expect(u).toContain('Customers / List customers: test script translated into 1 assertion')
    // The long tail is folded into a count, the line itself kept with the fold.
    expect(u).toContain(
      '1 saved example response not imported (Flightdeck keeps requests, not recorded responses)',
    )
    expect(report.folded?.[0]?.lines).toEqual([
      'Customers / List customers: 1 saved example response not imported',
    ])
    // Postman's random-data variables are Flightdeck's too: nothing to report.
    expect(u).not.toContain('$randomFirstName')
    // A GraphQL body is a GraphQL request: its query and variables as written, nothing left unsaid.
    expect(u).not.toContain('Search (GraphQL)')
    expect(u).toContain('Billing / Legacy SOAP: auth type "ntlm" is not supported')
    expect(u).toContain('variable "bad key!" has a name Flightdeck cannot use')
  })

  it('Postman v2.0: object-style auth, digest and OAuth 2.0 client credentials', async () => {
    await importInto('postman-v20.json')
    const { info } = await loadCollection(dir)
    expect(info.auth).toEqual({ type: 'basic', username: 'admin', password: '{{adminPassword}}' })
    expect((await request('status.yaml')).auth).toEqual({
      type: 'digest',
      username: 'ops',
      password: '{{opsPassword}}',
    })
    expect((await request('token.yaml')).auth).toEqual({
      type: 'oauth2',
      grant: 'client_credentials',
      tokenUrl: 'http://127.0.0.1:8080/oauth/token',
      clientId: 'cli',
      clientSecret: '{{clientSecret}}',
      scope: 'read write',
      clientAuth: 'basic',
    })
  })

  it('a Postman environment: secret values go to the secret store, never into the file', async () => {
    const secrets = new MemorySecretStore()
    const report = await importInto('postman-environment.json', secrets)
    expect(report).toMatchObject({ format: 'postman-env', environments: 1, requests: 0 })
    const text = readFileSync(join(dir, 'environments', 'acme-staging.yaml'), 'utf8')
    expect(text).toBe(
      'name: Acme Staging\nvariables:\n  baseUrl: https://staging.acme.example\n  customerToken:\n    secret: true\n  pageSize: "50"\n',
    )
    expect([...secrets.values.values()]).toEqual(['stg-token-7f3a'])
    expect(report.unmapped).toEqual(['environment Acme Staging: disabled variable "oldFlag" left out'])
  })

  it('Insomnia v4: workspace, folders with their variables and auth, environments, WebSocket requests', async () => {
    const report = await importInto('insomnia-v4.json')
    expect(report).toMatchObject({ format: 'insomnia', requests: 5, folders: 1, environments: 2 })
    const { info } = await loadCollection(dir)
    expect(info.name).toBe('Weather Service')
    expect(names(info.root)).toEqual(['Forecasts/', 'Create alert', 'Subscribe', 'Live updates'])
    expect(info.variables).toEqual([
      { name: 'baseUrl', value: 'http://127.0.0.1:4000', secret: false },
      { name: 'api.version', value: 'v2', secret: false },
    ])
    expect(info.environments.map((e) => e.name)).toEqual(['Dev', 'Prod'])
    const daily = await request('forecasts/daily-forecast.yaml')
    expect(daily.url).toBe('{{baseUrl}}/{{api.version}}/forecast/daily?city=Lisbon&days={{days}}')
    const folder = findNode(info.root, 'forecasts')
    expect(folder?.type === 'folder' && folder.auth).toEqual({
      type: 'apikey',
      key: 'X-Api-Key',
      value: '{{apiKey}}',
      in: 'header',
    })
    expect(folder?.type === 'folder' && folder.variables).toEqual([
      { name: 'days', value: '5', secret: false },
    ])
    expect((await request('live-updates.yaml')).kind).toBe('ws')
    expect((await request('subscribe.yaml')).body.kind).toBe('form')
    const u = report.unmapped.join('\n')
    // `{% now 'millis', '' %}` in the hourly forecast's URL is Flightdeck's milliseconds timestamp.
    expect(u).not.toContain('Insomnia template tag kept as text')
    expect((await request('forecasts/hourly-forecast.yaml')).url).toContain('?ts={{$timestampMs}}')
    expect(u).toContain('cookie_jar "Default Jar": not imported')
    expect(u).toContain('api_spec: not imported')
  })

  it('OpenAPI 3: a request per operation, grouped by tag, with examples, auth and the server as baseUrl', async () => {
    const report = await importInto('openapi-3.yaml')
    expect(report).toMatchObject({ format: 'openapi', requests: 6, folders: 2 })
    const { info } = await loadCollection(dir)
    expect(names(info.root)).toEqual(['books/', 'orders/', 'GET /health'])
    expect(info.variables).toEqual([
      { name: 'baseUrl', value: 'http://127.0.0.1:8081/api', secret: false },
      { name: 'bookId', value: '7', secret: false },
    ])
    expect(info.auth).toEqual({ type: 'bearer', token: '{{token}}' })
    const list = await request('books/list-books.yaml')
    expect(list.url).toBe('{{baseUrl}}/books?q=dune&limit=20')
    expect(list.headers).toEqual([{ name: 'X-Request-Id', value: '{{$uuid}}', enabled: true }])
    const add = await request('books/add-a-book.yaml')
    expect(JSON.parse(add.body.kind === 'json' ? add.body.text : '')).toEqual({
      title: 'Dune',
      year: 1965,
      author: { name: 'Frank Herbert' },
      tags: ['classic'],
    })
    expect((await request('books/remove-a-book.yaml')).auth).toMatchObject({
      type: 'apikey',
      key: 'X-Api-Key',
    })
    const order = await request('orders/placeorder.yaml')
    expect(order.auth).toMatchObject({
      type: 'oauth2',
      tokenUrl: 'http://127.0.0.1:8081/oauth/token',
      scope: 'orders.write',
    })
    expect(order.body).toEqual({
      kind: 'form',
      fields: [
        { name: 'bookId', value: '7', enabled: true },
        { name: 'quantity', value: '1', enabled: true },
      ],
    })
    expect((await request('get-health.yaml')).auth).toEqual({ type: 'none' })
    const u = report.unmapped.join('\n')
    expect(u).toContain('1 more server(s) listed')
    expect((await request('books/get-a-book.yaml')).headers).toContainEqual({
      name: 'Cookie',
      value: 'session=string',
      enabled: true,
    })
    expect(u).toContain('POST /orders: callbacks not imported')
  })

  it('HAR: requests in folders by host, without pseudo-headers or recorded lengths', async () => {
    const report = await importInto('browser.har')
    expect(report).toMatchObject({ format: 'har', requests: 3, folders: 2 })
    const { info } = await loadCollection(dir)
    expect(names(info.root)).toEqual(['shop.example.com/', 'auth.example.com/'])
    const cart = await request('shop.example.com/get-api-cart.yaml')
    expect(cart.url).toBe('https://shop.example.com/api/cart?currency=EUR')
    expect(cart.headers.map((h) => h.name)).toEqual(['Accept', 'Cookie'])
    const add = await request('shop.example.com/post-api-cart-items.yaml')
    expect(add.headers.map((h) => h.name)).toEqual(['Content-Type'])
    expect(add.body).toEqual({ kind: 'json', text: '{"sku":"BK-7","quantity":1}' })
    expect(report.unmapped.join('\n')).toContain('Cookie header')
  })

  it('a pasted curl command becomes one request', async () => {
    const report = await importInto('pasted-curl.txt')
    expect(report).toMatchObject({ format: 'curl', requests: 1, path: 'post-messages.yaml' })
    const r = await request('post-messages.yaml')
    expect(r).toMatchObject({
      method: 'POST',
      url: 'https://api.example.com/v1/messages?channel=ops',
      auth: { type: 'basic', username: 'bot', password: 's3cret' },
      body: { kind: 'json', text: '{\n  "text": "deploy finished",\n  "level": "info"\n}\n' },
    })
    expect(r.headers).toEqual([
      { name: 'Content-Type', value: 'application/json', enabled: true },
      { name: 'X-Request-Id', value: '7d3c', enabled: true },
    ])
  })

  it('a curl command naming a header, a form field or a part __proto__ keeps it (it was dropped, or the import threw)', async () => {
    let n = 0
    const fields = async (command: string): Promise<unknown> => {
      const r = await runImport({ text: command }, 'curl', join(dir, `curl-${++n}`), null)
      if (!r.ok) throw new Error(r.error.message)
      const saved = await readRequestFile(join(r.value.dir, r.value.path ?? ''), 'saved')
      if (!saved.ok) throw new Error(saved.problem)
      return { headers: saved.request.headers.map((h) => h.name), body: saved.request.body }
    }
    expect(await fields("curl http://127.0.0.1:1/ -H '__proto__: h' -F '__proto__=1'")).toEqual({
      headers: ['__proto__'],
      body: { kind: 'multipart', parts: [{ kind: 'text', name: '__proto__', value: '1', enabled: true }] },
    })
    expect(await fields("curl http://127.0.0.1:1/ --data-urlencode '__proto__=2'")).toEqual({
      headers: [],
      body: { kind: 'form', fields: [{ name: '__proto__', value: '2', enabled: true }] },
    })
  })

  it('refuses malformed files with one clear reason and writes nothing', async () => {
    const cases: [string, RegExp][] = [
      ['malformed-postman-truncated.json', /^not valid JSON \(Unterminated string at line 28, column 19\)$/],
      [
        'malformed-openapi.yaml',
        /^invalid OpenAPI document, no operation to import: #\/info: "version" is missing \(and \d+ more\)$/,
      ],
      ['malformed-unknown.json', /^unrecognised format: expected a Postman collection/],
      ['malformed-swagger2.json', /^Swagger 2\.0 document with no operation to import$/],
      ['malformed-curl.txt', /^not a curl command curlconverter can read: Bash parsing error/],
      ['does-not-exist.json', /^cannot read .*does-not-exist\.json: no such file$/],
    ]
    for (const [file, reason] of cases) {
      const r = await runImport({ file: sample(file) }, 'auto', dir, null)
      expect(r.ok, file).toBe(false)
      if (!r.ok) expect(r.error.message, file).toMatch(reason)
    }
    writeFileSync(join(dir, 'binary.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]))
    const bin = await runImport({ file: join(dir, 'binary.bin') }, 'auto', dir, null)
    expect(!bin.ok && bin.error.message).toMatch(/binary file/)
    const wrongFormat = await runImport({ file: sample('browser.har') }, 'postman', dir, null)
    expect(!wrongFormat.ok && wrongFormat.error.message).toBe('the file is har, not postman')
    // A YAML spec indented wrong is told by YAML's line, not JSON's first letter ("Unexpected token 'o'").
    writeFileSync(join(dir, 'bad-indent.yaml'), "openapi: 3.0.3\ninfo:\n  title: Pets\n   version: '1'\n")
    const yaml = await runImport({ file: join(dir, 'bad-indent.yaml') }, 'auto', dir, null)
    expect(!yaml.ok && yaml.error.message).toBe(
      'not JSON or YAML (YAML: bad indentation of a mapping entry at line 4, column 11)',
    )
    expect(readdirSync(dir).sort()).toEqual(['bad-indent.yaml', 'binary.bin'])
  })
})

interface PostmanSdkCollection {
  name: string
  items: { count(): number }
  forEachItem(
    cb: (item: {
      name: string
      request: { method: string; url: { toString(): string }; auth?: { type: string } }
    }) => void,
  ): void
  variables: { toObject(): Record<string, string> }
  toJSON(): unknown
}
type PostmanSdk = { Collection: new (json: unknown) => PostmanSdkCollection }

describe('export', () => {
  let service: EngineService
  beforeEach(() => {
    service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
  })
  afterEach(() => service.dispose())

  it('Postman v2.1 that Postman’s own SDK reads back, without secrets; and it re-imports the same', async () => {
    const imported = await service.invoke('import.run', {
      format: 'auto',
      file: sample('postman-v21.json'),
      into: dir,
    })
    expect(imported.ok).toBe(true)
    await service.invoke('environment.save', {
      dir,
      id: 'prod',
      name: 'Prod',
      variables: [{ name: 'customerToken', value: 'prod-secret-value', secret: true }],
    })
    await service.invoke('collection.saveFolder', {
      dir,
      path: '',
      variables: [
        { name: 'baseUrl', value: 'http://127.0.0.1:3000', secret: false },
        { name: 'password', value: 'collection-secret', secret: true },
      ],
    })
    const exported = await service.invoke('export.collection', {
      dir,
      format: 'postman',
      file: join(configDir, 'out.json'),
    })
    if (!exported.ok) throw new Error(exported.error.message)
    const text = readFileSync(join(configDir, 'out.json'), 'utf8')
    expect(text).toBe(exported.value.text)
    expect(text).not.toContain('collection-secret')
    expect(text).not.toContain('prod-secret-value')

    const sdk = createRequire(import.meta.url)('postman-collection') as PostmanSdk
    const collection = new sdk.Collection(JSON.parse(text))
    expect(collection.name).toBe('Acme Orders API')
    const items: string[] = []
    collection.forEachItem((item) =>
      items.push(`${item.request.method} ${item.name} ${item.request.url.toString()}`),
    )
    expect(items).toEqual([
      'GET List customers {{baseUrl}}/customers?page=1&limit={{pageSize}}',
      'GET Get customer {{baseUrl}}/customers/42',
      'POST Create customer {{baseUrl}}/customers',
      'POST Pay invoice {{baseUrl}}/billing/pay',
      'PUT Upload receipt {{baseUrl}}/billing/receipts',
      'POST Search (GraphQL) {{baseUrl}}/graphql',
      'POST Legacy SOAP {{baseUrl}}/soap',
      'GET Health {{baseUrl}}/health',
    ])
    expect(collection.variables.toObject()).toEqual({ baseUrl: 'http://127.0.0.1:3000', password: '' })

    // And our importer reads our export back to the same requests.
    const again = mkdtempSync(join(tmpdir(), 'fd-reimport-'))
    try {
      const r = await runImport({ text }, 'auto', again, null)
      expect(r.ok && r.value).toMatchObject({ format: 'postman', requests: 8, folders: 2 })
      const a = await readRequestFile(join(dir, 'billing', 'upload-receipt.yaml'), 'upload-receipt')
      const b = await readRequestFile(join(again, 'billing', 'upload-receipt.yaml'), 'upload-receipt')
      expect(a.ok && b.ok && b.request).toEqual(a.ok && a.request)
      // The GraphQL request went out as Postman's GraphQL body and came back the same.
      const gqlFile = readdirSync(join(dir, 'billing')).find((f) => f.startsWith('search')) ?? ''
      const ga = await readRequestFile(join(dir, 'billing', gqlFile), gqlFile.replace('.yaml', ''))
      const gb = await readRequestFile(join(again, 'billing', gqlFile), gqlFile.replace('.yaml', ''))
      expect(ga.ok && ga.request.kind).toBe('graphql')
      expect(ga.ok && ga.request.graphql).toEqual({
        query: 'query { invoices(first: 5) { id total } }',
        variables: '{"first": 5}',
      })
      expect(gb.ok && gb.request).toEqual(ga.ok && ga.request)
    } finally {
      rmSync(again, { recursive: true, force: true })
    }
  })

  it('curl and code snippets with variables filled in, except secrets', async () => {
    await service.invoke('import.run', { format: 'auto', file: sample('postman-v21.json'), into: dir })
    await service.invoke('environment.save', {
      dir,
      id: 'stg',
      name: 'Staging',
      variables: [
        { name: 'baseUrl', value: 'https://staging.acme.example', secret: false },
        { name: 'customerToken', value: 'very-secret', secret: true },
      ],
    })
    const curl = await service.invoke('export.request', {
      dir,
      path: 'customers/create-customer.yaml',
      target: 'curl',
      env: 'stg',
    })
    if (!curl.ok) throw new Error(curl.error.message)
    expect(curl.value.text).toContain(
      "curl --request POST \\\n  --url 'https://staging.acme.example/customers'",
    )
    expect(curl.value.text).toContain("--header 'Authorization: Bearer {{customerToken}}'")
    expect(curl.value.text).not.toContain('very-secret')
    const py = await service.invoke('export.request', {
      dir,
      path: 'billing/pay-invoice.yaml',
      target: 'python-requests',
      env: 'stg',
    })
    expect(py.ok && py.value.text).toContain('import requests')
    const js = await service.invoke('export.request', {
      dir,
      path: 'health.yaml',
      target: 'javascript-fetch',
      env: 'stg',
    })
    expect(js.ok && js.value.text).toContain("fetch('https://staging.acme.example/health'")
  })
})
