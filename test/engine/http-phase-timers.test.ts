import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClock } from '../../src/engine/clock'
import { HttpEngine } from '../../src/engine/http/http-engine'
import type { RequestSpec } from '../../src/shared/request'

/**
 * A run sends thousands of requests, each with a headers and an idle timeout: they are timed on one shared timer
 * per engine clock, not a native timer made and cleared per request (which, with undici's stream and the promise
 * hops, is what a run pays over bare undici). Counted as the calls to `setTimeout` that time them while kept-alive
 * requests run, one after another and fifty at a time (undici sets its connection's keep-alive timer itself
 * whenever a connection goes idle: not the engine's to count); the timeouts still fire
 * (http-timeout-precision.test.ts). A real server on 127.0.0.1.
 */

const REQUESTS = 200
const CONCURRENT = 50

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

/**
 * Whether the caller of the function that called this one times the engine's phases (the exchange's timeouts, or
 * the timer they share): not a new connection's connect timeout, nor another engine's timer in this process.
 */
function calledForPhases(): boolean {
  const caller = new Error().stack?.split('\n')[3] ?? ''
  return (
    caller.includes('/src/engine/http/phase-timeouts.ts') || caller.includes('/src/engine/http/deadlines.ts')
  )
}

/** Runs `body` counting the native timers the engine set meanwhile (the real ones are still set). */
async function timersSetDuring(body: () => Promise<void>): Promise<number> {
  const real = globalThis.setTimeout
  let set = 0
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    if (calledForPhases()) set++
    return real(...args)
  }) as typeof setTimeout
  try {
    await body()
  } finally {
    globalThis.setTimeout = real
  }
  return set
}

describe('phase timeouts on a shared timer', () => {
  it('sets no native timer per request, one after another or fifty at a time', async () => {
    const http = new HttpEngine({ clock: createClock(), emit: () => undefined })
    const spec: RequestSpec = { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} }
    const one = async (): Promise<void> => {
      const sent = http.send(spec, 1, undefined, true)
      if (!sent.ok) throw new Error(sent.error.message)
      const out = await http.waitFor(sent.value.sids[0] ?? '')
      expect(out.final.type).toBe('done')
    }
    const wave = (): Promise<void[]> => Promise.all(Array.from({ length: CONCURRENT }, one))
    try {
      // The connections are opened first (connecting has timers of its own); the counted requests reuse them.
      await wave()
      const inTurn = await timersSetDuring(async () => {
        for (let i = 0; i < REQUESTS; i++) await one()
      })
      const atOnce = await timersSetDuring(async () => {
        for (let i = 0; i < REQUESTS / CONCURRENT; i++) await wave()
      })
      expect(inTurn).toBeLessThan(REQUESTS / 20)
      expect(atOnce).toBeLessThan(REQUESTS / 20)
    } finally {
      await http.dispose()
    }
  })
})
