import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { runStreamCli } from '../../src/cli/stream-command'
import { STREAM_HEADERS_TIMEOUT_MS } from '../../src/engine/sse/sse-headers-timeout'
import { makeService, spec } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * An SSE server that takes the connection and the request but never answers: the session waits for the status
 * line (the timeline has the request sent and no response headers: what the app shows as waiting), then ends
 * within a stream's default headers timeout, saying what it waited for and which limit ended it. A headers
 * timeout the request sets still applies as set. A real TCP server on 127.0.0.1 that reads and never writes.
 */

let server: Server
let port = 0
const sockets = new Set<Socket>()
let requests = 0
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket)
    socket.on('data', () => requests++)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  service = makeService()
  rec = record(service)
})

afterAll(async () => {
  rec.stop()
  await service.dispose()
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('an SSE stream never answered', () => {
  it(
    'waits for the response headers, then ends at the default headers timeout, in words',
    async () => {
      const started = Date.now()
      const r = await service.invoke('sse.open', {
        request: spec(`http://127.0.0.1:${port}/events`),
        stream: { reconnect: false },
      })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sid
      // The request went out and nothing came back: the session is waiting for the status line.
      await rec.until(sid, (e) => e.type === 'request-sent')
      expect(rec.of(sid).some((e) => e.type === 'response-headers' || e.type === 'error')).toBe(false)
      const { final } = await settle(service, sid)
      const waited = Date.now() - started
      expect(final.type).toBe('error')
      if (final.type !== 'error') return
      expect(final.code).toBe('timeout_headers')
      expect(final.message).toBe(
        `Timed out waiting for response headers from 127.0.0.1:${port}: no status line within 30 s ` +
          `(a stream's default headers timeout; headersTimeoutMs in the request's options or flightdeck sse --headers-timeout sets another)`,
      )
      expect(waited).toBeGreaterThanOrEqual(STREAM_HEADERS_TIMEOUT_MS - 50)
      // Not the exchange's 300 s: within the stream's default and a busy machine's slack.
      expect(waited).toBeLessThan(STREAM_HEADERS_TIMEOUT_MS + 15_000)
      expect(requests).toBeGreaterThanOrEqual(1)
    },
    STREAM_HEADERS_TIMEOUT_MS + 30_000,
  )

  it('a headers timeout the request sets applies as set and is named as the request’s', async () => {
    const r = await service.invoke('sse.open', {
      request: spec(`http://127.0.0.1:${port}/events`, {}, { headersTimeoutMs: 300 }),
      stream: { reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    const { final } = await settle(service, r.value.sid)
    expect(final).toMatchObject({
      type: 'error',
      code: 'timeout_headers',
      message: `Timed out waiting for response headers from 127.0.0.1:${port}: no status line within 300 ms (the request's headers timeout)`,
    })
  })

  it('flightdeck sse --headers-timeout sets the wait, and says so when it runs out', async () => {
    let text = ''
    const io = { out: (t: string) => void (text += t), err: (t: string) => void (text += t) }
    const code = await runStreamCli(
      ['sse', `http://127.0.0.1:${port}/events`, '--no-reconnect', '--headers-timeout', '300'],
      io,
    )
    expect(code, text).toBe(1)
    expect(text).toContain(
      `Timed out waiting for response headers from 127.0.0.1:${port}: no status line within 300 ms (the request's headers timeout)`,
    )
    const bad = await runStreamCli(['sse', `http://127.0.0.1:${port}/events`, '--headers-timeout', '0'], io)
    expect(bad).toBe(2)
    expect(text).toContain("--headers-timeout must be a whole number from 1 to 3600000, got '0'")
  })
})
