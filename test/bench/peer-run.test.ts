import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPeer } from '../../bench/runner-peers'

/**
 * The runner bench's peer: autocannon calls back only at its next once-a-second sampling tick, so a run timed
 * to its callback reads whole seconds. The bench must time it to its last response, which the server sees.
 */
describe("the runner bench's peers are timed to their last response", () => {
  let server: Server
  let url = ''
  let served = 0
  let firstAt = 0
  let lastAt = 0

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume()
      const now = performance.timeOrigin + performance.now()
      if (served === 0) firstAt = now
      served++
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' })
      res.end('{"ok":true}')
      lastAt = performance.timeOrigin + performance.now()
    })
    server.keepAliveTimeout = 10_000
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hit`
  })
  afterAll(() => new Promise<void>((res) => server.close(() => res())))

  it('autocannon: a time near what the server saw, not the next whole second', async () => {
    served = 0
    const run = await runPeer('autocannon', url, 400, 10)
    const span = lastAt - firstAt
    expect(served).toBe(400)
    expect(run.responses).toBe(400)
    expect(run.ok).toBe(400)
    // The callback waits for the tick; the measured run ends at the last response, before it.
    expect(run.ms).toBeLessThan(run.callbackMs)
    expect(run.ms).toBeGreaterThanOrEqual(span - 50)
    expect(run.ms).toBeLessThan(span + 500)
  })
  it('bare undici: every response read and counted, timed like the others', async () => {
    served = 0
    const run = await runPeer('undici', url, 400, 10)
    const span = lastAt - firstAt
    expect(served).toBe(400)
    expect(run.responses).toBe(400)
    expect(run.ok).toBe(400)
    expect(run.ms).toBeGreaterThanOrEqual(span - 50)
    expect(run.ms).toBeLessThan(span + 500)
  })
  it('bare undici dispatch(): every response counted by its status, timed like the others', async () => {
    served = 0
    const run = await runPeer('undici-dispatch', url, 400, 10)
    const span = lastAt - firstAt
    expect(served).toBe(400)
    expect(run.responses).toBe(400)
    expect(run.ok).toBe(400)
    expect(run.errors).toBe(0)
    expect(run.ms).toBeGreaterThanOrEqual(span - 50)
    expect(run.ms).toBeLessThan(span + 500)
  })
})
