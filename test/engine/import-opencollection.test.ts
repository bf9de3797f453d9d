import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadCollection } from '../../src/engine/collections/loader'
import type { EngineService } from '../../src/engine/service'
import { makeService } from './helpers'
import {
  fixturePath,
  fixtureText,
  multipartFields,
  runToEnd,
  savedRequest,
  sendSaved,
  startStub,
  type Stub,
} from './import-formats-helpers'

/** Bruno's OpenCollection YAML in: the folder layout and the bundled file, checked at a local stub. */

let stub: Stub
let work: string
let service: EngineService
beforeAll(async () => {
  stub = await startStub()
})
afterAll(async () => {
  await stub.close()
})
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'fd-oc-'))
  service = makeService({ configDir: join(work, 'config'), persistWorkspace: false, watchCollections: false })
  stub.arrived.length = 0
})
afterEach(async () => {
  await service.dispose()
  rmSync(work, { recursive: true, force: true })
})

async function importFrom(from: { file?: string; text?: string }, into: string) {
  const r = await service.invoke('import.run', { format: 'auto', ...from, into })
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

describe('OpenCollection (Bruno YAML)', () => {
  it('a folder layout imports in seq order with auth, variables, extractions, and a run sends it', async () => {
    const src = join(work, 'oc')
    cpSync(fixturePath('opencollection'), src, { recursive: true })
    const env = join(src, 'environments', 'local.yml')
    writeFileSync(env, readFileSync(env, 'utf8').replace('__STUB__', stub.url))
    const dir = join(work, 'collection')
    // Picked by its root file, as a file picker would.
    const report = await importFrom({ file: join(src, 'opencollection.yml') }, dir)
    expect(report).toMatchObject({ format: 'bruno', requests: 3, folders: 2, environments: 1 })
    expect(report.unmapped.join('\n')).toContain(
      'Log in: scripts kept in the request file; they run in the script sandbox',
    )
    const { info } = await loadCollection(dir)
    expect(info.name).toBe('Shop (OpenCollection)')
    expect(info.auth).toEqual({ type: 'bearer', token: '{{token}}' })
    expect(info.root.children.map((c) => c.name)).toEqual(['Auth', 'orders'])
    const login = await savedRequest(dir, 'auth/log-in.yaml')
    expect(login.extract).toEqual([{ name: 'token', from: 'json', path: '$.token' }])
    expect(login.assertions).toEqual([{ kind: 'status', equals: 200 }])
    expect(login.description).toBe('Logs in and keeps the token.')
    const list = await savedRequest(dir, 'orders/list-orders.yaml')
    expect(list.url).toBe('{{baseUrl}}/{{apiVersion}}/users/7/orders?page=1')
    expect(list.disabledParams).toEqual([{ name: 'debug', value: 'true', enabled: false }])

    const run = await runToEnd(service, dir, '', 'local')
    // Its request with scripts runs them in the sandbox and passes.
    expect(run.finished?.stats.failed).toBe(0)
    expect(stub.arrived.map((a) => `${a.method} ${a.url}`)).toEqual([
      'POST /login',
      'GET /v1/users/7/orders?page=1',
      'POST /v1/orders',
    ])
    const [login0, list0, create0] = stub.arrived
    expect(JSON.parse(login0?.body ?? '')).toEqual({ user: 'ada' })
    expect(login0?.headers['authorization']).toBeUndefined()
    expect(list0?.headers['authorization']).toBe('Bearer t-42')
    expect(list0?.headers['x-trace']).toBeUndefined()
    expect(create0?.body).toBe('item=book')
    expect(create0?.headers['x-api-key']).toBe('k-local')
  })

  it('a bundled file imports its items and environments', async () => {
    const dir = join(work, 'pets')
    const report = await importFrom({ text: fixtureText('opencollection-bundled.yml', stub.url) }, dir)
    expect(report).toMatchObject({ format: 'bruno', requests: 1, folders: 1, environments: 1 })
    const got = await sendSaved(service, stub, dir, 'pets/add-pet.yaml', 'dev')
    expect(got.url).toBe('/pets')
    expect(multipartFields(got)).toEqual({ name: 'Rex' })
  })

  it('a folder layout nested past 32 folders imports the first 32 and says the rest were left out', async () => {
    const src = join(work, 'deep')
    mkdirSync(src)
    writeFileSync(join(src, 'opencollection.yml'), 'opencollection: 1.0.0\ninfo:\n  name: Deep\n')
    let at = src
    for (let i = 0; i < 34; i++) {
      at = join(at, `f${i}`)
      mkdirSync(at)
      const request = [
        'info:',
        `  name: r${i}`,
        '  type: http',
        'http:',
        '  method: GET',
        `  url: ${stub.url}/${i}`,
      ]
      writeFileSync(join(at, `r${i}.yml`), `${request.join('\n')}\n`)
    }
    const report = await importFrom({ file: src }, join(work, 'into'))
    expect(report).toMatchObject({ requests: 32, folders: 32 })
    const shown = Array.from({ length: 33 }, (_, i) => `f${i}`).join('/')
    expect(report.unmapped).toContain(`${shown}: folders nested deeper than 32 left out`)
  })
})
