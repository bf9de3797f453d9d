import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadCollection } from '../../src/engine/collections/loader'
import { runImport } from '../../src/engine/importers/index'
import { parseBru } from '../../src/engine/importers/bru-lang'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import type { EngineService } from '../../src/engine/service'
import { makeService } from './helpers'
import {
  fixturePath,
  multipartFields,
  runToEnd,
  savedRequest,
  startStub,
  type Stub,
} from './import-formats-helpers'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/** A Bruno collection folder in: counts, mapping, and a run of it against a local stub. */

let stub: Stub
let work: string
let dir: string
let src: string
let service: EngineService
beforeAll(async () => {
  stub = await startStub()
})
afterAll(async () => {
  await stub.close()
})
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'fd-bruno-'))
  dir = join(work, 'collection')
  src = join(work, 'bruno')
  cpSync(fixturePath('bruno'), src, { recursive: true })
  // Point the environment at the stub.
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      if (statSync(p).isDirectory()) walk(p)
      else writeFileSync(p, readFileSync(p, 'utf8').replaceAll('__STUB__', stub.url))
    }
  }
  walk(src)
  service = makeService({ configDir: join(work, 'config'), persistWorkspace: false, watchCollections: false })
  stub.arrived.length = 0
})
afterEach(async () => {
  await service.dispose()
  rmSync(work, { recursive: true, force: true })
})

describe('Bruno (.bru folders)', () => {
  it('imports folders in seq order, requests, environments, extractions and assertions', async () => {
    const r = await runImport({ file: src }, 'auto', dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value).toMatchObject({ format: 'bruno', requests: 4, folders: 2, environments: 1 })
    const u = r.value.unmapped.join('\n')
    // Bruno sends collection.bru's headers with every request: each request file holds them.
    expect(u).toContain(
      'collection.bru: header X-Client (sent with every request below it) copied into 4 requests (Flightdeck folders have no headers)',
    )
    // `length 4` is no assertion of Flightdeck's: a test in the script, run as Bruno runs it.
    expect(u).toContain(
      "Auth/login.bru: 1 assertion written as test in the request's test script, checked as Bruno checks it",
    )
    expect(u).toContain('Orders/list.bru: scripts kept in the request file; they run in the script sandbox')
    const { info } = await loadCollection(dir)
    expect(info.name).toBe('Shop (Bruno)')
    expect(info.auth).toEqual({ type: 'bearer', token: '{{token}}' })
    expect(info.variables).toEqual([{ name: 'apiVersion', value: 'v1', secret: false }])
    expect(info.root.children.map((c) => c.name)).toEqual(['Auth', 'Orders'])
    const orders = info.root.children[1]
    expect(orders?.type === 'folder' && orders.children.map((c) => c.name)).toEqual([
      'Create order',
      'List orders',
      'Upload receipt',
    ])
    const login = await savedRequest(dir, 'auth/log-in.yaml')
    expect(login.extract).toEqual([
      { name: 'token', from: 'json', path: '$.token' },
      { name: 'userId', from: 'json', path: '$.user.id' },
      { name: 'session', from: 'header', header: 'x-session' },
    ])
    expect(login.assertions).toEqual([
      { kind: 'status', equals: 200 },
      { kind: 'json', path: '$.token', exists: true },
    ])
    expect(login.scripts?.test).toContain('has a token')
    const list = await savedRequest(dir, 'orders/list-orders.yaml')
    expect(list.url).toBe('{{baseUrl}}/{{apiVersion}}/users/7/orders?page=1&status=open')
    expect(list.disabledParams).toEqual([{ name: 'debug', value: 'true', enabled: false }])
    expect(list.description).toBe("Lists the user's open orders.")
  })

  it('a run of the imported collection sends what Bruno sends, the token flowing from the login', async () => {
    // Bruno reads @file(receipt.txt) from its collection folder; the import re-points it there.
    writeFileSync(join(src, 'receipt.txt'), 'paid 12.50')
    const r = await runImport({ file: join(src, 'bruno.json') }, 'auto', dir, service.collections.secrets)
    if (!r.ok) throw new Error(r.error.message)
    const opened = await service.invoke('collection.open', { dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const allowed = await service.invoke('files.allow', { folder: src })
    if (!allowed.ok) throw new Error(allowed.error.message)
    const run = await runToEnd(service, dir, '', 'local')
    // The two requests with scripts run them (Bruno's bru/res/test in the sandbox) and pass.
    expect(run.finished?.stats).toMatchObject({ passed: 4, failed: 0 })
    expect(stub.arrived.map((a) => `${a.method} ${a.url}`)).toEqual([
      'POST /login',
      'POST /v1/orders',
      'GET /v1/users/7/orders?page=1&status=open',
      'PUT /v1/orders/receipt',
    ])
    const [login, create, list, upload] = stub.arrived
    // collection.bru's header goes with every request, as Bruno sends it.
    expect(stub.arrived.map((a) => a.headers['x-client'])).toEqual(Array(4).fill('flightdeck-fixture'))
    expect(JSON.parse(login?.body ?? '')).toEqual({ user: 'ada', remember: true })
    expect(login?.headers['authorization']).toBeUndefined()
    expect(create?.body).toBe('item=book&qty=2')
    expect(create?.headers['authorization']).toBe(`Basic ${Buffer.from('ada:').toString('base64')}`)
    expect(list?.headers['authorization']).toBe('Bearer t-42')
    expect(list?.headers['x-trace']).toBeUndefined()
    expect(upload?.headers['x-api-key']).toBe('k-local')
    expect(upload && multipartFields(upload)).toEqual({ order: 'A-17', receipt: 'paid 12.50' })
  })

  it('a .bru file that does not parse is named with its line, and the rest imports', async () => {
    writeFileSync(join(src, 'Orders', 'broken.bru'), 'meta {\n  name: Broken\n}\n\nget {\n  url: x\n')
    const r = await runImport({ file: src }, 'auto', dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.requests).toBe(4)
    expect(r.value.unmapped.join('\n')).toContain(
      'Orders/broken.bru: not read (line 5: block "get" is not closed with "}")',
    )
    expect(() => parseBru('stray text\n')).toThrow('line 1: expected a block')
  })
})
