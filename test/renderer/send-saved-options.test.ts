import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A request file's options the composer has no control for (an import's omitDefaultHeaders, HTTP/2, cookies,
 * decompress, the connect and idle timeouts) go out with a Send from the app, as they do with `flightdeck run`.
 * Real engine, real files, a real server that records what arrived.
 */

let server: Fixture
let engine: TestEngine
let dir: string

beforeAll(async () => {
  server = await startHttpServer()
  engine = startEngine()
  dir = mkdtempSync(join(tmpdir(), 'fd-send-saved-options-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Imported\n')
  writeFileSync(
    join(dir, 'bare.yaml'),
    [
      'name: Bare',
      'method: GET',
      `url: '${server.url}/json?from=bare'`,
      'options:',
      '  omitDefaultHeaders: [user-agent, accept-encoding]',
      '  decompress: false',
      '  followRedirects: false',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await stopEngines()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

async function received(count: number): Promise<typeof server.requests> {
  for (let i = 0; i < 200 && server.requests.length < count; i++) await new Promise((r) => setTimeout(r, 10))
  return server.requests
}

describe('Send of a saved request', () => {
  it("leaves out the default headers the file's omitDefaultHeaders names", async () => {
    server.requests.length = 0
    const store = engine.store()
    await openCollection(store, dir)
    await store.getState().openRequest(dir, 'bare.yaml')
    await store.getState().send()

    expect(store.getState().sendError).toBeNull()
    const [req] = await received(1)
    expect(req?.url).toBe('/json?from=bare')
    expect(req?.headers['user-agent']).toBeUndefined()
    expect(req?.headers['accept-encoding']).toBeUndefined()
  })

  it('takes the options the composer edits from the composer, and a new tab sends none of the file', async () => {
    server.requests.length = 0
    const store = engine.store()
    await openCollection(store, dir)
    await store.getState().openRequest(dir, 'bare.yaml')
    // The file says followRedirects: false; the person turns it back on, and that is what goes out.
    store.getState().setOption('followRedirects', true)
    store.getState().setUrl(`${server.url}/redirect-to?url=${encodeURIComponent('/json?from=followed')}`)
    await store.getState().send()
    const followed = await received(2)
    expect(followed.map((r) => r.url)).toEqual([
      `/redirect-to?url=${encodeURIComponent('/json?from=followed')}`,
      '/json?from=followed',
    ])
    expect(followed[1]?.headers['user-agent']).toBeUndefined()

    server.requests.length = 0
    store.getState().newTab()
    store.getState().setUrl(`${server.url}/json?from=new`)
    await store.getState().send()
    const [req] = await received(1)
    expect(req?.url).toBe('/json?from=new')
    expect(req?.headers['user-agent']).toMatch(/./)
  })
})
