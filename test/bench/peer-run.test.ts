import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPeer } from '../../bench/runner-peers'

/**
 * The runner bench's peer: autocannon calls back only at its next once-a-second sampling tick, so a run timed
 * to its callback reads whole seconds. The bench must time it to its last response, which the server sees.
 *
 * A run's time is the server's span (first request to last response) plus its edges: the first requests on
 * cold connections and code, and the last response's way back. On a quiet machine the edges are well under
 * 500 ms, a tick's padding is up to a second; on a loaded one (load 23) every step of the child waits for a core
 * and the edges of a correct run took 659 ms. So the edges may also take half as long as the child took to start
 * (node's boot and the tool's load, from spawn to the server's first request: CPU work the load stretches alike,
 * and several times the edges' own: correct runs' edges were 2-20% of it); a tick's second still shows unless
 * the machine is so loaded that the child took over 2 s to start.
 */

/** Now, on the clock the server's times are on. */
const now = (): number => performance.timeOrigin + performance.now()
describe("the runner bench's peers are timed to their last response", () => {
  let server: Server
  let url = ''
  let served = 0
  let firstAt = 0
  let lastAt = 0

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume()
      const at = now()
      if (served === 0) firstAt = at
      served++
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' })
      res.end('{"ok":true}')
      lastAt = now()
    })
    server.keepAliveTimeout = 10_000
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hit`
  })
  afterAll(() => new Promise<void>((res) => server.close(() => res())))

  /** The slack a run's time may have over the server's span: 500 ms, or half the child's start-up where longer. */
  const edges = (spawnedAt: number): number => Math.max(500, (firstAt - spawnedAt) / 2)

  it('autocannon: a time near what the server saw, not the next whole second', async () => {
    served = 0
    const spawnedAt = now()
    const run = await runPeer('autocannon', url, 400, 10)
    const span = lastAt - firstAt
    expect(served).toBe(400)
    expect(run.responses).toBe(400)
    expect(run.ok).toBe(400)
    // The callback waits for the tick; the measured run ends at the last response, before it.
    expect(run.ms).toBeLessThan(run.callbackMs)
    expect(run.ms).toBeGreaterThanOrEqual(span - 50)
    expect(run.ms).toBeLessThan(span + edges(spawnedAt))
  })
  it('bare undici: every response read and counted, timed like the others', async () => {
    served = 0
    const spawnedAt = now()
    const run = await runPeer('undici', url, 400, 10)
    const span = lastAt - firstAt
    expect(served).toBe(400)
    expect(run.responses).toBe(400)
    expect(run.ok).toBe(400)
    expect(run.ms).toBeGreaterThanOrEqual(span - 50)
    expect(run.ms).toBeLessThan(span + edges(spawnedAt))
  })
  it('bare undici dispatch(): every response counted by its status, timed like the others', async () => {
    served = 0
    const spawnedAt = now()
    const run = await runPeer('undici-dispatch', url, 400, 10)
    const span = lastAt - firstAt
    expect(served).toBe(400)
    expect(run.responses).toBe(400)
    expect(run.ok).toBe(400)
    expect(run.errors).toBe(0)
    expect(run.ms).toBeGreaterThanOrEqual(span - 50)
    expect(run.ms).toBeLessThan(span + edges(spawnedAt))
  })
})
