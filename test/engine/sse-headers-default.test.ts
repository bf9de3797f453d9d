import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { runStreamCli } from '../../src/cli/stream-command'
import { parseStreamArgs } from '../../src/cli/stream-args'
import { classifyError, EngineError } from '../../src/engine/http/errors'
import {
  headersTimeoutError,
  STREAM_HEADERS_TIMEOUT_MS,
  streamHeadersTimeout,
} from '../../src/engine/sse/sse-headers-timeout'
import { commandSchemas } from '../../src/shared/contract'
import { makeService, spec } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * An SSE server that takes the connection and the request but never answers: the session waits for the status
 * line (the timeline has the request sent and no response headers: what the app shows as waiting), then ends at
 * its headers timeout, saying what it waited for and which limit ended it: a stream's own default (30 s) when
 * the request sets none, else the request's. A real TCP server on 127.0.0.1 that reads and never writes.
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
  // Waiting out the real 30 s cost a CI worker 30 s for one number; what the default is and that a stream
  // request which sets none gets it are checked on the request as the engine receives it (through the command
  // schema, and as the CLI builds it); the timer, the wait and the words run for real with a short value below.
  it('a stream request that sets no headers timeout gets the stream default (30 s), named as the default in its words', () => {
    expect(STREAM_HEADERS_TIMEOUT_MS).toBe(30_000)
    const payload = commandSchemas['sse.open'].parse({
      request: spec(`http://127.0.0.1:${port}/events`),
      stream: { reconnect: false },
    })
    const timeout = streamHeadersTimeout(payload.request)
    expect(timeout).toEqual({ ms: 30_000, explicit: false })
    const cli = parseStreamArgs(['sse', `http://127.0.0.1:${port}/events`, '--no-reconnect'])
    if (cli.kind !== 'sse') throw new Error(`not an sse command: ${cli.kind}`)
    expect(streamHeadersTimeout(cli.request)).toEqual({ ms: 30_000, explicit: false })
    // The words when it runs out: undici's, as the phase timer makes them, then what was waited for and why.
    const fired = classifyError(
      { code: 'UND_ERR_HEADERS_TIMEOUT', message: 'Headers Timeout Error' },
      `127.0.0.1:${port}`,
    )
    const words = headersTimeoutError(new EngineError(fired.code, fired.message, fired.detail), timeout)
    expect(words.code).toBe('timeout_headers')
    expect(words.message).toBe(
      `Timed out waiting for response headers from 127.0.0.1:${port}: no status line within 30 s ` +
        `(a stream's default headers timeout; headersTimeoutMs in the request's options or flightdeck sse --headers-timeout sets another)`,
    )
  })

  it('waits for the response headers, then ends at a headers timeout the request sets, named as the request’s', async () => {
    const started = Date.now()
    const r = await service.invoke('sse.open', {
      request: spec(`http://127.0.0.1:${port}/events`, {}, { headersTimeoutMs: 1000 }),
      stream: { reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    // The request went out and nothing came back: the session is waiting for the status line.
    await rec.until(sid, (e) => e.type === 'request-sent')
    expect(rec.of(sid).some((e) => e.type === 'response-headers' || e.type === 'error')).toBe(false)
    const { final } = await settle(service, sid)
    const waited = Date.now() - started
    expect(final).toMatchObject({
      type: 'error',
      code: 'timeout_headers',
      message: `Timed out waiting for response headers from 127.0.0.1:${port}: no status line within 1 s (the request's headers timeout)`,
    })
    expect(waited).toBeGreaterThanOrEqual(1000 - 50)
    expect(requests).toBeGreaterThanOrEqual(1)
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
