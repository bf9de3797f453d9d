import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from './engine-client'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A WebSocket or GraphQL-over-WebSocket request's `connectTimeoutMs` bounds its opening handshake, in the app and
 * in a run alike: at a server that takes the connection and never answers the upgrade, a file saying 300 ms gives
 * up after about 300 ms, not after the 10 s default. Before, both ignored the file's connect timeout.
 */

let silent: Server
let port = 0
let engine: TestEngine
let dir: string
const sockets = new Set<Socket>()

beforeAll(async () => {
  // Accepts, reads, and says nothing: the upgrade waits for an answer that never comes.
  silent = createServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.resume()
  })
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  port = (silent.address() as AddressInfo).port
  engine = startEngine()
  dir = mkdtempSync(join(tmpdir(), 'fd-ws-connect-timeout-'))
  const write = (name: string, lines: string[]): void =>
    writeFileSync(join(dir, name), [...lines, ''].join('\n'))
  write('collection.yaml', ['flightdeck: 1', 'name: Slow upgrades'])
  const timeout = ['options:', '  connectTimeoutMs: 300']
  const stop = ['stop:', '  count: 1']
  write('ws.yaml', [
    'name: Chat',
    'kind: ws',
    'method: GET',
    `url: 'ws://127.0.0.1:${port}/chat'`,
    ...timeout,
    ...stop,
  ])
  write('ticks.yaml', [
    'name: Ticks',
    'kind: graphql',
    'method: POST',
    `url: 'ws://127.0.0.1:${port}/graphql'`,
    ...timeout,
    'graphql:',
    "  query: 'subscription { ticks }'",
    '  transport: ws',
    ...stop,
  ])
})

afterAll(async () => {
  await stopEngines()
  for (const s of sockets) s.destroy()
  await new Promise<void>((r) => silent.close(() => r()))
  rmSync(dir, { recursive: true, force: true })
})

const WORDS = /no answer to the upgrade within 300 ms/

describe("a WebSocket request's saved connect timeout", () => {
  for (const file of ['ws.yaml', 'ticks.yaml']) {
    it(`${file}: opened from the app, gives up after the file's 300 ms`, async () => {
      const store = engine.store()
      await openCollection(store, dir)
      await store.getState().openRequest(dir, file)
      const started = Date.now()
      await store.getState().send()
      expect(store.getState().sendError).toBeNull()
      const sid = store.getState().selectedSid ?? ''
      await until(() => store.getState().timeline.rows[sid]?.terminal != null, 4000)
      const end = store.getState().timeline.rows[sid]?.terminal
      expect(end?.type === 'error' ? end.message : end?.type).toMatch(WORDS)
      expect(Date.now() - started).toBeLessThan(3000)
    })
  }

  it('in a run, each step gives up after the 300 ms', async () => {
    const started = await engine.service.invoke('run.start', { dir, path: '', concurrency: 2, iterations: 1 })
    if (!started.ok) throw new Error(started.error.message)
    const t0 = Date.now()
    const report = await engine.service.waitForRun(started.value.runId)
    expect(Date.now() - t0).toBeLessThan(3000)
    const results = (report?.results ?? []).map((r) => [r.path, r.passed, r.error?.message ?? ''] as const)
    expect(results.sort()).toEqual([
      ['ticks.yaml', false, expect.stringMatching(WORDS)],
      ['ws.yaml', false, expect.stringMatching(WORDS)],
    ])
  })
})
