import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import { makeService, spec } from './helpers'

// A run keeps its requests on the connections it has: each answered connection takes the next request on its turn
// (reusing-pool.ts counts the connections just answered instead of looking through all of them). These check that
// a run opens no connection beside them, and that connections the server closes mid-run cost nothing but
// themselves: every request is answered, none waits for a connection that is gone.

let server: Server
let base = ''
let connections = 0
/** Every `closeEvery`th answer says Connection: close (0: none does). */
let closeEvery = 0
let answers = 0
let service: EngineService
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    answers++
    const close = closeEvery > 0 && answers % closeEvery === 0
    res.writeHead(200, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) })
    res.end('{"ok":true}')
  })
  server.keepAliveTimeout = 60_000
  server.on('connection', () => connections++)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const step = (path: string): RunStep => ({
  id: 'hit',
  name: 'hit',
  request: spec(`${base}${path}`),
  variables: new Map(),
  assertions: [{ kind: 'status', equals: 200 }],
  extract: [],
})

describe('a run on pooled HTTP/1.1 connections', () => {
  it('400 requests, 20 at a time, go over 20 connections (21 at most: undici makes one ahead)', async () => {
    connections = 0
    closeEvery = 0
    const report = await runSteps(service.http, [step('/kept')], { concurrency: 20, iterations: 400 })
    expect(report.results.filter((r) => r.passed)).toHaveLength(400)
    expect(connections).toBeGreaterThanOrEqual(20)
    expect(connections).toBeLessThanOrEqual(21)
  })

  it('a server closing every 7th connection after its answer: all 400 are answered, on new connections for those alone', async () => {
    connections = 0
    answers = 0
    closeEvery = 7
    try {
      const report = await runSteps(service.http, [step('/closing')], { concurrency: 20, iterations: 400 })
      expect(report.results.filter((r) => r.passed)).toHaveLength(400)
      // One new connection for each one closed (400 / 7 = 57), beside the 20 (and the one undici makes ahead).
      expect(connections).toBeLessThanOrEqual(21 + Math.floor(400 / 7))
    } finally {
      closeEvery = 0
    }
  })
})
