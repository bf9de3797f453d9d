import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import type { EngineService } from '../../src/engine/service'
import { startVendorStub, type SeenRequest, type VendorStub } from '../fixtures/vendor-stub'
import { makeService } from './helpers'

/**
 * Export that Postman's own runner runs: each Postman fixture collection is imported, run by Flightdeck
 * against a stub, exported, and the export (with its environment) run by newman against the same stub. Both
 * must send the same requests (method, path and query, the headers the collection sets, body), and newman
 * must make the same checks and pass them: the assertions and extractions went out as pm.test and
 * pm.environment.set.
 */

interface NewmanFailure {
  error: { message: string; test?: string }
  source?: { name?: string }
}
interface NewmanSummary {
  run: {
    stats: { assertions: { total: number; failed: number }; requests: { total: number } }
    failures: NewmanFailure[]
  }
}
type NewmanRun = (
  options: {
    collection: unknown
    environment?: unknown
    reporters: string[]
    timeout?: number
  },
  done: (err: Error | null, summary: NewmanSummary) => void,
) => unknown

const require = createRequire(import.meta.url)
const newman = (): { run: NewmanRun } => require('newman') as { run: NewmanRun }

const samples = fileURLToPath(new URL('../fixtures/samples/postman/', import.meta.url))

let stub: VendorStub
let service: EngineService
let dir: string
let out: string
beforeAll(async () => {
  stub = await startVendorStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-newman-config-')) })
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
})
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-newman-'))
  out = mkdtempSync(join(tmpdir(), 'fd-newman-out-'))
  stub.seen.length = 0
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
  rmSync(out, { recursive: true, force: true })
})

/** The headers a collection sets (the rest, like User-Agent, are each client's own). */
const COMPARED = ['authorization', 'content-type', 'accept', 'x-debug', 'idempotency-key', 'x-legacy']

function what(seen: readonly SeenRequest[]): string[] {
  return seen
    .filter((s) => s.url !== '/echo')
    .map((s) => {
      const headers = COMPARED.filter((h) => s.headers[h] !== undefined)
        .map((h) => `${h}: ${String(s.headers[h])}`)
        .join('; ')
      return `${s.method} ${s.url} [${headers}] ${s.body}`
    })
    .sort()
}

async function flightdeckRun(): Promise<void> {
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
  const started = await service.invoke('run.start', {
    dir: opened.value.dir,
    path: '',
    concurrency: 1,
    iterations: 1,
    allowUntranslatedScripts: true,
  })
  if (!started.ok) throw new Error(started.error.message)
  const report = await service.waitForRun(started.value.runId)
  const failed = (report?.results ?? []).filter((r) => !r.passed).map((r) => r.name)
  expect(failed).toEqual([])
}

function newmanRun(collection: unknown, environment?: unknown): Promise<NewmanSummary> {
  return new Promise((resolve, reject) => {
    newman().run(
      { collection, ...(environment ? { environment } : {}), reporters: [], timeout: 30_000 },
      (err, summary) => (err ? reject(err) : resolve(summary)),
    )
  })
}

const COLLECTIONS: { file: string; baseVar: string; requests: number }[] = [
  { file: 'vendor-v21.postman_collection.json', baseVar: 'baseUrl', requests: 6 },
  { file: 'legacy-v20.postman_collection.json', baseVar: 'host', requests: 2 },
]

describe('Postman export runs in newman with the same requests and checks', () => {
  for (const c of COLLECTIONS) {
    it(`${c.file}: Flightdeck's run and newman's run of the export send the same requests`, async () => {
      const data = JSON.parse(readFileSync(join(samples, c.file), 'utf8')) as {
        variable?: { key: string; value: string }[]
      }
      data.variable = [
        ...(data.variable ?? []).filter((v) => v.key !== c.baseVar),
        { key: c.baseVar, value: stub.url },
      ]
      const imported = await runImport({ text: JSON.stringify(data) }, 'auto', dir, new MemorySecretStore())
      if (!imported.ok) throw new Error(imported.error.message)
      const opened = await service.invoke('collection.open', { dir })
      if (!opened.ok) throw new Error(opened.error.message)
      // An environment comes along, so the export carries one too.
      const env = await service.invoke('environment.save', {
        dir,
        id: 'stub',
        name: 'Stub',
        variables: [{ name: 'tenant', value: 'acme', secret: false }],
      })
      if (!env.ok) throw new Error(env.error.message)

      await flightdeckRun()
      const ours = what(stub.seen)
      expect(ours).toHaveLength(c.requests)
      stub.seen.length = 0

      const file = join(out, 'export.postman_collection.json')
      const exported = await service.invoke('export.collection', { dir, format: 'postman', file })
      if (!exported.ok) throw new Error(exported.error.message)
      expect(exported.value.text).not.toContain('{{$uuid}}')
      const envFile = readdirSync(out).find((f) => f.endsWith('.stub.postman_environment.json'))
      expect(envFile).toBe('export.stub.postman_environment.json')
      const environment = JSON.parse(readFileSync(join(out, envFile ?? ''), 'utf8')) as unknown
      expect(environment).toMatchObject({
        name: 'Stub',
        values: [{ key: 'tenant', value: 'acme' }],
        _postman_variable_scope: 'environment',
      })

      const summary = await newmanRun(JSON.parse(exported.value.text), environment)
      expect(what(stub.seen)).toEqual(ours)
      // Every check Flightdeck made, newman made and passed (a kept script's own lines may fail there).
      const failures = summary.run.failures
        .filter((f) => f.error.test !== undefined)
        .map((f) => `${f.source?.name ?? ''}: ${f.error.test ?? ''}: ${f.error.message}`)
      expect(failures).toEqual([])
      expect(summary.run.stats.assertions.total).toBeGreaterThan(0)
      // Our run, then newman's (loaded on first use) of the export: ~14 s at load 18, past the 20 s default above it.
    }, 60_000)
  }
})

/** A collection written in Flightdeck (no scripts): every check and extraction it has goes out as script. */
function writeNative(base: string): void {
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', `flightdeck: 1\nname: Native\nvariables:\n  base: ${base}\n`)
  file(
    'auth/login.yaml',
    `name: Login
method: POST
url: "{{base}}/login"
headers:
  - name: X-Req-Id
    value: "{{$uuid}}"
  - name: X-Debug
    value: "1"
    enabled: false
body:
  kind: json
  text: '{"user": "ada"}'
assertions:
  - kind: status
    equals: 200
  - kind: header
    name: Content-Type
    contains: json
  - kind: header
    name: X-Request-Id
    exists: true
  - kind: json
    path: $.token
    equals: order-token-7
  - kind: json
    path: $.missing.deeper
    exists: false
  - kind: body-contains
    text: order-token
  - kind: duration-under
    ms: 30000
extract:
  - name: token
    from: json
    path: $.token
  - name: reqId
    from: header
    header: X-Request-Id
  - name: tokenTail
    from: regex
    pattern: 'order-token-(\\d+)'
`,
  )
  file(
    'api/order.yaml',
    `name: Order
method: GET
url: "{{base}}/orders/{{tokenTail}}?ref={{reqId}}"
disabledParams:
  - name: debug
    value: "1"
headers:
  - name: Authorization
    value: Bearer {{token}}
assertions:
  - kind: status
    oneOf: [200, 201]
  - kind: status
    min: 200
    max: 299
  - kind: json
    path: $.path
    equals: /orders/7
dependsOn:
  - auth/login.yaml
`,
  )
}

describe('a collection written in Flightdeck exports its checks as scripts newman runs', () => {
  it('assertions and extractions of every kind go out as pm.test and pm.environment.set; the same requests arrive', async () => {
    writeNative(stub.url)
    await flightdeckRun()
    const ours = what(stub.seen)
    expect(ours).toHaveLength(2)
    expect(ours.join('\n')).toContain('GET /orders/7?ref=req-1 [authorization: Bearer order-token-7')
    const ourId = stub.seen.find((s) => s.url === '/login')?.headers['x-req-id']
    stub.seen.length = 0

    const exported = await service.invoke('export.collection', { dir, format: 'postman' })
    if (!exported.ok) throw new Error(exported.error.message)
    expect(exported.value.text).toContain('{{$guid}}')
    expect(exported.value.text).not.toContain('{{$uuid}}')
    const summary = await newmanRun(JSON.parse(exported.value.text))
    expect(what(stub.seen)).toEqual(ours)
    const theirId = stub.seen.find((s) => s.url === '/login')?.headers['x-req-id']
    // A fresh GUID each, in both.
    expect(String(ourId)).toMatch(/^[0-9a-f-]{36}$/)
    expect(String(theirId)).toMatch(/^[0-9a-f-]{36}$/)
    expect(summary.run.failures.map((f) => f.error.message)).toEqual([])
    // 7 + 3 checks, each its own pm.test.
    expect(summary.run.stats.assertions).toMatchObject({ total: 10, failed: 0 })
  }, 60_000)
})
