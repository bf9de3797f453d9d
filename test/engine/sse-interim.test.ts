import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { MAX_KEPT_INFORMATIONAL } from '../../src/shared/timeline'
import { within } from '../fixtures/test-timers'
import { makeService, spec } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * Interim (1xx) responses before a stream's answer: a 103 Early Hints (or 102 Processing) is a marker, not the
 * answer, as a send reads it. A raw server on 127.0.0.1 sends `?n=` of them, then a 200 event stream of one event.
 */
let server: Server
let url = ''
const sockets = new Set<Socket>()
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    socket.once('data', async (head: Buffer) => {
      const n = Number(/[?&]n=(\d+)/.exec(head.toString('latin1'))?.[1] ?? 1)
      for (let i = 0; i < n && socket.writable; i++) {
        if (!socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n'))
          await new Promise((r) => socket.once('drain', r))
      }
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: hi\n\n')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

/** Opens a stream of `?n=` interim responses and waits, bounded to 20 s, for it to end; returns its events. */
async function streamOf(n: number): Promise<ReturnType<Recorder['of']>> {
  const opened = await service.invoke('sse.open', {
    request: spec(`${url}/events?n=${n}`),
    stream: { reconnect: false },
  })
  if (!opened.ok) throw new Error(opened.error.message)
  const sid = opened.value.sid
  const outcome = await within(settle(service, sid), 20_000, () => null)
  if (!outcome) await service.invoke('session.cancel', { sid })
  expect(outcome, 'the stream ended within 20 s').not.toBeNull()
  return rec.of(sid)
}

describe('an SSE stream answered after interim responses', () => {
  it('opens on the final 200 and shows the 103 as a marker, as a send does', async () => {
    const events = await streamOf(1)
    const final = events.at(-1)
    // It failed: "The server answered 103 Early Hints instead of a stream (a stream needs a 2xx response)".
    expect(final?.type === 'error' ? final.message : final?.type).toBe('done')
    expect(
      events
        .filter((e) => e.type === 'response-headers')
        .map((e) => e.type === 'response-headers' && e.status),
    ).toEqual([200])
    const interim = events.filter((e) => e.type === 'informational')
    expect(interim).toHaveLength(1)
    expect(interim[0]?.type === 'informational' && interim[0].headers).toEqual([
      ['Link', '</a.css>; rel=preload'],
    ])
    expect(events.filter((e) => e.type === 'sse-event')).toHaveLength(1)
  })

  it('a flood of them costs a few events, not one each', async () => {
    const n = 50_000
    const events = await streamOf(n)
    expect(events.at(-1)?.type).toBe('done')
    const interim = events.filter((e) => e.type === 'informational')
    expect(interim.length).toBeGreaterThanOrEqual(MAX_KEPT_INFORMATIONAL)
    expect(events.length).toBeLessThan(200)
    const last = interim.at(-1)
    expect(last?.type === 'informational' && last.count).toBe(n)
  })
})
