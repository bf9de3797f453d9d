import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClock } from '../../src/engine/clock'
import { HttpEngine } from '../../src/engine/http/http-engine'
import type { RequestSpec } from '../../src/shared/request'
import type { TimelineEvent } from '../../src/shared/timeline'

/**
 * Every clock read is a BigInt made and let go of (clock.ts), paid for each request of a run: a GET on a
 * kept-alive connection reads the clock once per instant its timeline shows (queued, sending, sent, first byte,
 * headers, the body's bytes, complete) and no more. A real server on 127.0.0.1.
 */

const REQUESTS = 50
/** queued, send start, sent, response started, headers, body bytes, complete. */
const READS_PER_REQUEST = 7

let server: Server
let url = ''
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/item`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

describe('clock reads per request', () => {
  it('a GET on a kept-alive connection reads the clock once per instant its timeline shows', async () => {
    const real = createClock()
    let reads = 0
    const clock = {
      origin: real.origin,
      now: (): number => {
        reads++
        return real.now()
      },
    }
    const events: TimelineEvent[] = []
    const http = new HttpEngine({ clock, emit: (e) => events.push(e) })
    const spec: RequestSpec = { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} }
    const one = async (): Promise<void> => {
      const sent = http.send(spec, 1, undefined, true)
      if (!sent.ok) throw new Error(sent.error.message)
      const out = await http.waitFor(sent.value.sids[0] ?? '')
      expect(out.final.type).toBe('done')
    }
    try {
      // The first opens the connection (its DNS and connect phases are read too); the rest reuse it.
      await one()
      reads = 0
      events.length = 0
      for (let i = 0; i < REQUESTS; i++) await one()
      // Every request still has its whole timeline, timed.
      expect(events.filter((e) => e.type === 'request-sent')).toHaveLength(REQUESTS)
      const done = events.filter((e) => e.type === 'done')
      expect(done).toHaveLength(REQUESTS)
      for (const d of done) expect(d.type === 'done' && d.timings.time).toBeGreaterThanOrEqual(0)
      expect(reads / REQUESTS).toBe(READS_PER_REQUEST)
    } finally {
      await http.dispose()
    }
  })
})
