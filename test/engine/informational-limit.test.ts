import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClock } from '../../src/engine/clock'
import { BodyStore } from '../../src/engine/http/body-store'
import { HttpEngine } from '../../src/engine/http/http-engine'
import { SseSession } from '../../src/engine/sse/sse-session'
import { StreamLogStore } from '../../src/engine/streams/stream-log-store'
import { DEFAULT_SSE_OPTIONS } from '../../src/shared/streams'
import type { TimelineEvent } from '../../src/shared/timeline'
import { makeService, sleep, spec } from './helpers'
import { record, settle } from './stream-helpers'

/**
 * A server that answers with interim (1xx) responses and never a final one. Past a count no server that means to
 * answer reaches, a send and an SSE connection stop waiting and say how many came (before: a send waited out its
 * headers timeout, an SSE stream its 30 s one, worded "no status line"). The engines are made with a limit of 5
 * (the default is a million: a loopback flood reaches it in seconds); the headers timeouts are the tests' bound
 * only (BOUND_MS, generous for a loaded machine), and fail the case with their own words should the limit not end
 * it. A raw server on 127.0.0.1 sends up to 20,000 103s per request (`/trickle`: one at once, then one every 20 ms),
 * then holds the connection open.
 */
const LIMIT = 5
const BOUND_MS = 20_000
let server: Server
let url = ''
const sockets = new Set<Socket>()

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    socket.once('data', (head: Buffer) => {
      const hint = 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n'
      if (head.toString('latin1').startsWith('GET /trickle')) {
        socket.write(hint)
        let sent = 1
        const timer = setInterval(() => {
          if (socket.destroyed || ++sent > 500) clearInterval(timer)
          else socket.write(hint)
        }, 20)
        socket.once('close', () => clearInterval(timer))
        return
      }
      let sent = 0
      const pump = (): void => {
        while (!socket.destroyed && sent < 20_000) {
          sent += 100
          if (!socket.write(hint.repeat(100))) {
            socket.once('drain', pump)
            return
          }
        }
      }
      pump()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const FLOOD_WORDS = new RegExp(
  `^The server at 127\\.0\\.0\\.1:\\d+ sent ${LIMIT} informational \\(1xx\\) responses and no final one: `,
)

function lastCount(events: readonly TimelineEvent[]): number | undefined {
  const last = events.filter((e) => e.type === 'informational').at(-1)
  return last?.type === 'informational' ? last.count : undefined
}

describe('interim (1xx) responses and no final one', { timeout: BOUND_MS * 2 }, () => {
  it('a send stops at the limit and says how many came', async () => {
    const events: TimelineEvent[] = []
    const http = new HttpEngine({
      clock: createClock(),
      emit: (e) => events.push(e),
      informationalLimit: LIMIT,
    })
    try {
      const sent = http.send(spec(`${url}/flood`, {}, { headersTimeoutMs: BOUND_MS }), 1)
      if (!sent.ok) throw new Error(sent.error.message)
      const result = await http.waitFor(sent.value.sids[0] as string)
      const final = result.final
      expect(final.type === 'error' && [final.code, final.message]).toEqual([
        'protocol',
        expect.stringMatching(FLOOD_WORDS),
      ])
      expect(lastCount(result.events)).toBe(LIMIT)
    } finally {
      await http.dispose()
    }
  })

  it('an SSE connection stops at the limit, says how many came, and does not reconnect', async () => {
    const events: TimelineEvent[] = []
    const clock = createClock()
    const logs = new StreamLogStore()
    const bodies = new BodyStore()
    let ended: (() => void) | null = null
    const end = new Promise<void>((resolve) => (ended = resolve))
    const session = new SseSession({
      sid: 'e-limit',
      spec: spec(`${url}/flood`, {}, { headersTimeoutMs: BOUND_MS }),
      // Reconnects on, 100 ms apart: the limit's end must not be retried.
      stream: { ...DEFAULT_SSE_OPTIONS, reconnect: true, retryMs: 100 },
      ctx: { clock, emit: (e) => events.push(e), logs, bodies },
      log: logs.create('e-limit'),
      onEnd: () => ended?.(),
      informationalLimit: LIMIT,
    })
    try {
      session.start()
      const outcome = await Promise.race([end.then(() => 'ended'), sleep(BOUND_MS).then(() => 'still open')])
      expect(outcome).toBe('ended')
      const final = events.at(-1)
      expect(final?.type === 'error' && [final.code, final.message]).toEqual([
        'protocol',
        expect.stringMatching(FLOOD_WORDS),
      ])
      expect(lastCount(events)).toBe(LIMIT)
      expect(events.filter((e) => e.type === 'retry')).toEqual([])
    } finally {
      session.dispose()
      await bodies.dispose()
    }
  })

  it('an SSE headers timeout after 1xx responses says they came, not "no status line"', async () => {
    const service = makeService()
    const rec = record(service)
    try {
      const opened = await service.invoke('sse.open', {
        // Long enough that a loaded machine reads the first 103 (sent at once) before it ends.
        request: spec(`${url}/trickle`, {}, { headersTimeoutMs: 1500 }),
        stream: { reconnect: false },
      })
      if (!opened.ok) throw new Error(opened.error.message)
      const outcome = await Promise.race([
        settle(service, opened.value.sid),
        sleep(BOUND_MS).then(() => null),
      ])
      expect(outcome, `the stream ended within ${BOUND_MS} ms`).not.toBeNull()
      const final = rec.of(opened.value.sid).at(-1)
      expect(final?.type === 'error' && final.message).toMatch(
        /: \d+ interim \(1xx\) responses but no final one within 1500 ms \(the request's headers timeout\)$/,
      )
    } finally {
      rec.stop()
      await service.dispose()
    }
  })
})
