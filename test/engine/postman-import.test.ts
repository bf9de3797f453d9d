import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadCollection, readRequestFile } from '../../src/engine/collections/loader'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import type { StepResult } from '../../src/engine/runner/run-step'
import type { EngineService } from '../../src/engine/service'
import { startVendorStub, type VendorStub } from '../fixtures/vendor-stub'
import { makeService } from './helpers'

/**
 * Postman collections as vendors publish them come over whole: path variables, query parameters only in
 * url.query, disabled rows, scripts (translated where they can be, kept where not), v2.0 and v2.1, environments
 * and globals. The meaning is checked where it shows: what a run of the imported collection sends to a stub.
 */

const samples = fileURLToPath(new URL('../fixtures/samples/postman/', import.meta.url))

let stub: VendorStub
let service: EngineService
let dir: string
beforeAll(async () => {
  stub = await startVendorStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-pm-config-')) })
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
})
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-pm-import-'))
  stub.seen.length = 0
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A fixture with its base URL variable pointed at the stub. */
function fixture(name: string, baseVar: string): string {
  const data = JSON.parse(readFileSync(join(samples, name), 'utf8')) as {
    variable?: { key: string; value: string }[]
  }
  data.variable = [
    ...(data.variable ?? []).filter((v) => v.key !== baseVar),
    { key: baseVar, value: stub.url },
  ]
  return JSON.stringify(data)
}

async function importText(text: string) {
  const r = await runImport({ text }, 'auto', dir, new MemorySecretStore())
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

async function importFile(name: string) {
  const r = await runImport({ file: join(samples, name) }, 'auto', dir, new MemorySecretStore())
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

async function run(extra: Record<string, unknown> = {}): Promise<StepResult[]> {
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
  const started = await service.invoke('run.start', {
    dir: opened.value.dir,
    path: '',
    concurrency: 1,
    iterations: 1,
    ...extra,
  })
  if (!started.ok) throw new Error(started.error.message)
  const report = await service.waitForRun(started.value.runId)
  if (!report) throw new Error('no report')
  return report.results
}

describe('Postman import: vendor shapes (v2.1)', () => {
  it('maps path variables, url.query-only and disabled rows, and scripts; the report says what became of each script', async () => {
    const report = await importText(fixture('vendor-v21.postman_collection.json', 'baseUrl'))
    expect(report).toMatchObject({ format: 'postman', requests: 6, folders: 3 })
    const { info } = await loadCollection(dir)
    expect(info.problems).toEqual([])
    // A path variable belongs to its request (Postman's url.variable): its value is in the request's URL, and
    // no collection variable of that name is made for an environment or a script to override.
    expect(info.variables.map((v) => v.name)).not.toContain('transcript_id')

    const get = await request('transcripts/get-transcript.yaml')
    expect(get.url).toBe('{{baseUrl}}/v2/transcript/5551722-f677')
    expect(get.headers).toEqual([
      { name: 'Authorization', value: '{{access_token}}', enabled: true },
      { name: 'X-Debug', value: '1', enabled: false },
    ])
    // The collection's test script stays in collection.yaml (it runs for every request), not copied here.
    expect(get.assertions).toEqual([
      { kind: 'json', path: '$.status', equals: 'completed' },
      { kind: 'json', path: '$.words', exists: true },
    ])
    expect(get.dependsOn).toEqual(['tokens/exchange-token.yaml'])
    expect(get.scripts?.translated).toBe(true)
    expect(get.scripts?.test).toContain('pm.expect(jsonData.status).to.eql("completed")')

    const list = await request('recurring/list-recurring-details.yaml')
    expect(list.url).toBe(
      '{{baseUrl}}/listRecurringDetails?merchantAccount={{merchantAccount}}&shopperReference=YOUR_SHOPPER_REFERENCE',
    )
    expect(list.disabledParams).toEqual([
      { name: 'pageNumber', value: '56', enabled: false },
      { name: 'pageSize', value: '56', enabled: false },
    ])
    expect(list.headers[1]).toEqual({ name: 'Idempotency-Key', value: '{{$uuid}}', enabled: false })

    const exchange = await request('tokens/exchange-token.yaml')
    expect(exchange.extract).toEqual([{ name: 'access_token', from: 'json', path: '$.access_token' }])
    expect(exchange.dependsOn).toEqual(['tokens/create-link-token.yaml'])
    expect(exchange.assertions).toContainEqual({ kind: 'header', name: 'X-Request-Id', exists: true })

    const pay = await request('recurring/make-payment.yaml')
    expect(pay.scripts).toMatchObject({ translated: false })
    expect(pay.scripts?.preRequest).toContain('Date.now()')
    expect(pay.scripts?.test).toContain('pm.sendRequest')

    const lines = report.unmapped.join('\n')
    expect(lines).toMatch(
      /Tokens \/ Exchange Token: test script translated into 3 assertions and 1 extraction/,
    )
    expect(lines).toMatch(
      /collection: test script \(runs for every request below it\) kept in collection\.yaml; it runs in the script sandbox/,
    )
    expect(lines).toMatch(
      /Recurring \/ Make payment: pre-request script kept in the file; it runs in the script sandbox/,
    )
    expect(lines).toMatch(
      /Recurring \/ Make payment: test script partly translated .*kept in the file; it runs in the script sandbox \(not translated: pm\.sendRequest/,
    )
    expect(lines).not.toMatch(/path variable :transcript_id/)
  })

  it('a run sends what Postman sends: path values, url.query-only parameters, no disabled rows; chained tokens', async () => {
    await importText(fixture('vendor-v21.postman_collection.json', 'baseUrl'))
    const results = await run({ allowUntranslatedScripts: true })
    const byPath = (p: string) => stub.seen.find((s) => s.url.startsWith(p))
    const transcript = byPath('/v2/transcript/5551722-f677')
    expect(transcript?.method).toBe('GET')
    expect(transcript?.url).toBe('/v2/transcript/5551722-f677')
    // The token came from Exchange Token's response (its script's pm.collectionVariables.set).
    expect(transcript?.headers['authorization']).toBe('access-sandbox-9')
    expect(transcript?.headers['x-debug']).toBeUndefined()
    expect(byPath('/v2/transcript/5551722-f677/word-search')?.url).toBe(
      '/v2/transcript/5551722-f677/word-search?words=hello',
    )
    const list = byPath('/listRecurringDetails')
    expect(list?.url).toBe(
      '/listRecurringDetails?merchantAccount=AcmeShop&shopperReference=YOUR_SHOPPER_REFERENCE',
    )
    expect(list?.headers['idempotency-key']).toBeUndefined()
    expect(byPath('/item/public_token/exchange')?.body).toBe('{"public_token": "link-sandbox-1"}')
    // Every check that came from a script ran and passed.
    for (const r of results)
      expect({ name: r.name, passed: r.passed }).toEqual({ name: r.name, passed: true })
    expect(results.find((r) => r.name === 'Get transcript')?.assertions).toHaveLength(2)
  })

  it('a request whose scripts were not translated runs them; with scripts off, the step says they were not run', async () => {
    await importText(fixture('vendor-v21.postman_collection.json', 'baseUrl'))
    const results = await run()
    const pay = results.find((r) => r.name === 'Make payment')
    expect(pay?.status).toBe(200)
    expect(pay?.passed).toBe(true)
    expect(pay?.scriptsNotRun).toBeUndefined()
    // The collection's test script runs first (its test names its level), then the request's own.
    expect(pay?.scripts?.post?.tests).toEqual([
      { name: 'Status code is 2xx', passed: true, where: 'the collection' },
      { name: 'Status code is 200', passed: true },
    ])
    // Its test script's pm.sendRequest went out through the engine and answered.
    expect(pay?.scripts?.post?.sentRequests).toHaveLength(1)
    expect(pay?.scripts?.post?.failure).toBeUndefined()

    const off = await run({ scripts: false })
    const unrun = off.find((r) => r.name === 'Make payment')
    expect(unrun?.passed).toBe(false)
    expect(unrun?.scriptsNotRun?.message).toMatch(/pre-request and test scripts not run/)
    // The others' own scripts were translated; the collection's test script, which runs for each, was not run.
    for (const r of off.filter((x) => x.name !== 'Make payment'))
      expect(r.scriptsNotRun?.message).toMatch(/^test scripts not run: they are kept in collection\.yaml, /)
  })
})

describe('Postman import: v2.0, environments and globals', () => {
  it('v2.0: header strings, auth objects, url objects with path variables, legacy test lines', async () => {
    const report = await importText(fixture('legacy-v20.postman_collection.json', 'host'))
    expect(report).toMatchObject({ format: 'postman', requests: 2 })
    const login = await request('login.yaml')
    expect(login.headers).toEqual([
      { name: 'Content-Type', value: 'application/x-www-form-urlencoded', enabled: true },
      { name: 'X-Legacy', value: 'yes', enabled: false },
    ])
    expect(login.auth).toEqual({ type: 'basic', username: 'ada', password: 'pw' })
    expect(login.body).toEqual({
      kind: 'form',
      fields: [
        { name: 'user', value: 'ada', enabled: true },
        { name: 'debug', value: '1', enabled: false },
      ],
    })
    expect(login.assertions).toEqual([{ kind: 'status', equals: 200 }])
    expect(login.extract).toEqual([{ name: 'order_token', from: 'json', path: '$.token' }])
    const order = await request('get-order.yaml')
    expect(order.url).toBe('{{host}}/orders/A-1001?expand=lines')
    expect(order.dependsOn).toEqual(['login.yaml'])

    await run()
    const sent = stub.seen.find((s) => s.url.startsWith('/orders/'))
    expect(sent?.url).toBe('/orders/A-1001?expand=lines')
    expect(sent?.headers['authorization']).toBe('Bearer order-token-7')
    const loginSent = stub.seen.find((s) => s.url === '/login')
    expect(loginSent?.body).toBe('user=ada')
    expect(loginSent?.headers['x-legacy']).toBeUndefined()
  })

  it('a variable with only an id, and an old export\'s "variables" list, are named in the report (newman reads neither)', async () => {
    const report = await importText(
      JSON.stringify({
        info: { name: 'Old', schema: 'https://schema.getpostman.com/json/collection/v2.0.0/collection.json' },
        variable: [
          { id: 'tenant', value: 'acme', type: 'string' },
          { key: 'host', value: stub.url },
        ],
        variables: [
          { key: 'region', value: 'eu' },
          { key: 'shard', value: '7' },
        ],
        item: [{ name: 'r', request: { url: '{{host}}/r', method: 'GET' } }],
      }),
    )
    const lines = report.unmapped.join('\n')
    expect(lines).toContain(
      'collection: variable with id "tenant" and no key left out: Postman and newman look a variable up by its key, so {{tenant}} is not replaced there either',
    )
    expect(lines).not.toContain('variable "" has a name')
    expect(lines).toContain(
      'collection: 2 variables in the old "variables" list (region, shard) left out: Postman and newman read only "variable"',
    )
    const { info } = await loadCollection(dir)
    expect(info.variables.map((v) => v.name)).toEqual(['host'])
  })

  it('v2.1 and v2.0 environments and the globals import as environments; secrets and disabled rows reported', async () => {
    const env = await importFile('sandbox.postman_environment.json')
    expect(env).toMatchObject({ format: 'postman-env', environments: 1 })
    expect(env.unmapped.join('\n')).toMatch(/disabled variable "old_key" left out/)
    const legacy = await importFile('legacy-v20.postman_environment.json')
    expect(legacy).toMatchObject({ format: 'postman-env', environments: 1 })
    const globals = await importFile('workspace.postman_globals.json')
    expect(globals).toMatchObject({ format: 'postman-env', environments: 1 })
    expect(globals.unmapped.join('\n')).toMatch(/imported as the environment "My Workspace Globals"/)
    const { info } = await loadCollection(dir)
    const byName = new Map(info.environments.map((e) => [e.name, e.variables]))
    expect(byName.get('Sandbox')).toEqual([
      { name: 'baseUrl', value: 'https://sandbox.example.com', secret: false },
      { name: 'client_id', value: 'sandbox-client', secret: false },
      { name: 'secret_key', value: '', secret: true },
    ])
    expect(byName.get('Legacy staging')?.map((v) => v.name)).toEqual(['host', 'order_token'])
    expect(byName.get('My Workspace Globals')).toEqual([
      { name: 'tenant', value: 'acme', secret: false },
      { name: 'apiVersion', value: '2024-01-01', secret: false },
    ])
  })
})

describe('Postman import: path variables belong to their request', () => {
  const pathItem = (name: string, path: string, value: string) => ({
    name,
    request: {
      method: 'GET',
      url: { raw: `${stub.url}${path}`, variable: [{ key: path.split(':')[1]?.split('/')[0], value }] },
    },
  })
  const collection = (item: unknown[], variable: unknown[] = []) =>
    JSON.stringify({
      info: { name: 'Paths', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
      item,
      variable,
    })

  it('each request sends its own value; a {{ref}} value is used as is; an empty or missing value is sent as written', async () => {
    const report = await importText(
      collection(
        [
          pathItem('First', '/orders/:orderId/lines', 'A-1'),
          pathItem('Second', '/orders/:orderId/lines', 'B-2'),
          pathItem('Third', '/orders/:orderId/lines', '{{current}}'),
          pathItem('Empty', '/orders/:orderId/items', ''),
          pathItem('Odd', '/files/:fileId', 'a b?c#$&'),
          { name: 'Bare', request: { method: 'GET', url: `${stub.url}/orders/:orderId/notes` } },
        ],
        [{ key: 'current', value: 'C-3' }],
      ),
    )
    expect((await request('first.yaml')).url).toBe(`${stub.url}/orders/A-1/lines`)
    expect((await request('second.yaml')).url).toBe(`${stub.url}/orders/B-2/lines`)
    expect((await request('third.yaml')).url).toBe(`${stub.url}/orders/{{current}}/lines`)
    const lines = report.unmapped.join('\n')
    expect(lines).toContain('Bare: path segment :orderId has no path variable value; sent as written')
    expect(lines).toContain('Empty: path segment :orderId has no path variable value; sent as written')
    expect(lines).not.toMatch(/elsewhere/)
    await run()
    expect(stub.seen.map((s) => s.url).sort()).toEqual([
      '/files/a%20b%3Fc%23$&',
      '/orders/:orderId/items',
      '/orders/:orderId/notes',
      '/orders/A-1/lines',
      '/orders/B-2/lines',
      '/orders/C-3/lines',
    ])
  })

  it("an environment variable of the same name does not override a request's path variable (Postman keeps it)", async () => {
    await importText(
      collection([
        pathItem('Five', '/users/:userId', '5'),
        pathItem('Seven', '/users/:userId/posts', '7'),
        pathItem('From env', '/users/:userId/likes', '{{userId}}'),
      ]),
    )
    await importText(
      JSON.stringify({
        name: 'Staging',
        _postman_variable_scope: 'environment',
        values: [{ key: 'userId', value: 'env-user', enabled: true }],
      }),
    )
    const { info } = await loadCollection(dir)
    expect(info.environments.map((e) => e.id)).toEqual(['staging'])
    await run({ env: 'staging' })
    expect(stub.seen.map((s) => s.url).sort()).toEqual([
      '/users/5',
      '/users/7/posts',
      // A value that names a variable is a reference, resolved from the environment as Postman resolves it.
      '/users/env-user/likes',
    ])
  })
})
