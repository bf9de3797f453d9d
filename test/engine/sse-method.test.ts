import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { within } from '../fixtures/test-timers'
import { makeService, send, spec } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * An SSE tab sends its request through the same HTTP client as Send: a method Send refuses before sending is
 * refused by the stream too, in the same words, before any connection (and is not retried as a reconnect).
 */
let server: SseFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = await startSseServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
})

describe('an SSE request with a method that cannot be sent', () => {
  it('a CONNECT is refused in the words Send uses, before any connection', async () => {
    const before = server.requests.length
    const request = spec(`${server.url}/count?n=1`, { method: 'connect' })
    const opened = await service.invoke('sse.open', {
      request,
      stream: { reconnect: true, retryMs: 5, maxRetries: 2 },
    })
    if (!opened.ok) throw new Error(opened.error.message)
    const sid = opened.value.sid
    // Bounded: a session that never ends (undici took the CONNECT as a tunnel it waits on) fails here, not by timeout.
    const outcome = await within(settle(service, sid), 5000, () => null)
    if (!outcome) await service.invoke('session.cancel', { sid })
    expect(outcome, 'the session ended within 5 s').not.toBeNull()
    const final = outcome?.final
    const sent = await send(service, request)
    if (sent.final.type !== 'error') throw new Error(`Send: expected an error, got ${sent.final.type}`)
    expect(final?.type === 'error' && final.code).toBe('invalid_request')
    expect(final?.type === 'error' && final.message).toBe(sent.final.message)
    expect(sent.final.message).toMatch(
      /^Method CONNECT cannot be sent: a CONNECT asks a proxy to open a tunnel/,
    )
    const events = rec.of(sid)
    expect(events.some((e) => e.type === 'request-sent' || e.type === 'retry' || e.type === 'connect')).toBe(
      false,
    )
    expect(server.requests.length).toBe(before)
  })

  it('a method that is not an HTTP token (a space in it) is refused at the door, as Send refuses it', async () => {
    const request = spec(`${server.url}/count?n=1`, { method: 'GE T' })
    const sse = await service.call('sse.open', { request, stream: { reconnect: false } })
    const http = await service.call('http.send', { request })
    expect(!sse.ok && sse.error.code).toBe('bad_payload')
    expect(!sse.ok && sse.error.message).toMatch(/Method must be an HTTP token/)
    expect(!http.ok && http.error.message).toBe(!sse.ok && sse.error.message.replace('sse.open', 'http.send'))
  })
})
