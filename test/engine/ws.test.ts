import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import { refusedPort } from '../fixtures/servers'
import { startWsServer, startWssServer, type WsFixture } from '../fixtures/ws-server'
import { makeService } from './helpers'
import { messageCount, readLog, record, settle, typesOf, type Recorder } from './stream-helpers'

let server: WsFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = await startWsServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
})

async function open(
  path: string,
  extra: Partial<CommandRequest<'ws.open'>> = {},
  base = server.url,
): Promise<string> {
  const r = await service.invoke('ws.open', { url: `${base}${path}`, headers: [], protocols: [], ...extra })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

const opened = (sid: string) => rec.until(sid, (e) => e.type === 'stream-open')
const messagesIn = (sid: string, n: number) =>
  rec.until(
    sid,
    (e) => e.type === 'ws-message' && e.dir === 'in' && (e.kind === 'text' || e.kind === 'binary'),
    n,
  )

describe('WebSocket sessions', () => {
  it('connects with headers and a subprotocol; the handshake shows its phases', async () => {
    const sid = await open('/headers', {
      headers: [{ name: 'X-Token', value: 'abc', enabled: true }],
      protocols: ['chat.v1', 'chat.v2'],
    })
    await messagesIn(sid, 1)
    const types = typesOf(rec.of(sid))
    expect(types.slice(0, 5)).toEqual([
      'queued',
      'connect',
      'request-sent',
      'response-headers',
      'stream-open',
    ])
    const q = rec.of(sid)[0]
    expect(q?.type === 'queued' && q.kind).toBe('ws')
    const head = rec.of(sid).find((e) => e.type === 'response-headers')
    expect(head?.type === 'response-headers' && head.status).toBe(101)
    const sent = rec.of(sid).find((e) => e.type === 'request-sent')
    expect(sent?.type === 'request-sent' && sent.headers.map(([k]) => k.toLowerCase())).toContain('x-token')
    const openEv = rec.of(sid).find((e) => e.type === 'stream-open')
    expect(openEv).toMatchObject({ mode: 'ws', protocol: 'chat.v2', status: 101, attempt: 0 })
    const [first] = await readLog(service, sid)
    const echoed = JSON.parse(first!.data) as { headers: Record<string, string>; protocol: string }
    expect(echoed.headers['x-token']).toBe('abc')
    expect(echoed.headers['sec-websocket-protocol']).toBe('chat.v1,chat.v2')
    expect(echoed.protocol).toBe('chat.v2')
    await service.invoke('ws.close', { sid })
    await settle(service, sid)
  })

  it('refuses a header the handshake writes itself, naming it; a Sec-WebSocket-Protocol header is offered', async () => {
    // `ws` put its own over these without a word, or sent them as typed (a chunked upgrade's 0\r\n\r\n was read as
    // a frame): each is refused before anything is sent.
    for (const [name, value] of [
      ['Connection', 'keep-alive'],
      ['Upgrade', 'h2c'],
      ['Keep-Alive', 'timeout=5'],
      ['Transfer-Encoding', 'chunked'],
      ['Content-Length', '0'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ['Sec-WebSocket-Version', '8'],
      ['Sec-WebSocket-Extensions', 'permessage-deflate'],
    ] as const) {
      const sid = await open('/headers', { headers: [{ name, value, enabled: true }] })
      const { final } = await settle(service, sid)
      expect(typesOf(rec.of(sid))).toEqual(['queued', 'error'])
      expect(final.type === 'error' && final.code).toBe('invalid_request')
      expect(final.type === 'error' && final.message).toMatch(
        new RegExp(`^Header "${name}" cannot be (set|sent): `),
      )
    }
    // Offered with the request's subprotocols (ws replaced it with them): the server's pick, chat.v2, is the header's.
    const sid = await open('/headers', {
      headers: [{ name: 'Sec-WebSocket-Protocol', value: 'chat.v2, chat.v1', enabled: true }],
      protocols: ['chat.v1'],
    })
    await messagesIn(sid, 1)
    const [first] = await readLog(service, sid)
    const echoed = JSON.parse(first!.data) as { headers: Record<string, string>; protocol: string }
    expect(echoed.headers['sec-websocket-protocol']).toBe('chat.v1,chat.v2')
    expect(echoed.protocol).toBe('chat.v2')
    await service.invoke('ws.close', { sid })
    await settle(service, sid)
    const bad = await open('/headers', {
      headers: [{ name: 'Sec-WebSocket-Protocol', value: 'a b', enabled: true }],
    })
    const { final } = await settle(service, bad)
    expect(final.type === 'error' && final.message).toMatch(
      /^Header "Sec-WebSocket-Protocol" offers "a b", which is not/,
    )
  })

  it('sends text, JSON and binary (hex, base64, a file), logged in order with direction, type and size', async () => {
    const sid = await open('/echo')
    await opened(sid)
    const file = join(mkdtempSync(join(tmpdir(), 'fd-ws-')), 'blob.bin')
    writeFileSync(file, Buffer.from([1, 2, 3, 4, 5]))
    const sends: CommandRequest<'ws.send'>[] = [
      { sid, kind: 'text', data: 'hello' },
      { sid, kind: 'json', data: '{"a":[1,2]}' },
      { sid, kind: 'binary', data: 'de ad be ef', encoding: 'hex' },
      { sid, kind: 'binary', data: 'AAEC', encoding: 'base64' },
      { sid, kind: 'binary', path: file },
    ]
    for (const s of sends) {
      const r = await service.invoke('ws.send', s)
      expect(r.ok).toBe(true)
    }
    await messagesIn(sid, 5)
    const log = await readLog(service, sid)
    const msgs = log.filter((e) => e.kind === 'text' || e.kind === 'binary')
    const outs = msgs.filter((e) => e.dir === 'out').map((e) => `${e.kind}:${e.size}`)
    const ins = msgs.filter((e) => e.dir === 'in').map((e) => `${e.kind}:${e.size}`)
    const expected = ['text:5', 'text:11', 'binary:4', 'binary:3', 'binary:5']
    expect(outs).toEqual(expected)
    expect(ins).toEqual(expected)
    // A message is logged when it is sent, so it comes before its echo.
    expect(msgs[0]).toMatchObject({ dir: 'out', data: 'hello' })
    expect(msgs.findIndex((e) => e.dir === 'in' && e.data === 'hello')).toBeGreaterThan(0)
    expect(msgs.find((e) => e.dir === 'in' && e.size === 4)).toMatchObject({
      encoding: 'base64',
      data: Buffer.from('deadbeef', 'hex').toString('base64'),
    })
    expect(server.received.slice(-5)).toEqual([
      'hello',
      '{"a":[1,2]}',
      Buffer.from('deadbeef', 'hex'),
      Buffer.from([0, 1, 2]),
      Buffer.from([1, 2, 3, 4, 5]),
    ])
    // Binary ticks preview as hex; the latest (the file, sent last) is what a merged tick shows.
    const tick = rec
      .of(sid)
      .filter((e) => e.type === 'ws-message' && e.dir === 'out' && e.kind === 'binary')
      .at(-1)
    expect(tick?.type === 'ws-message' && tick.preview).toBe('01 02 03 04 05')
    // Bad input is refused plainly, and the session carries on.
    const badJson = await service.invoke('ws.send', { sid, kind: 'json', data: '{nope' })
    expect(!badJson.ok && badJson.error.code).toBe('invalid_request')
    expect(!badJson.ok && badJson.error.message).toMatch(/^Not valid JSON/)
    const badHex = await service.invoke('ws.send', { sid, kind: 'binary', data: 'xyz', encoding: 'hex' })
    expect(!badHex.ok && badHex.error.message).toMatch(/Not hex/)
    const badCode = await service.invoke('ws.close', { sid, code: 1006 })
    expect(!badCode.ok && badCode.error.message).toMatch(/1000 or 3000–4999/)

    const closed = await service.invoke('ws.close', { sid, code: 4001, reason: 'bye' })
    expect(closed.ok && closed.value.closing).toBe(true)
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    expect(server.closes).toContainEqual({ code: 4001, reason: 'bye' })
    const end = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(end).toMatchObject({ by: 'client', reason: 'Closed by you with 4001 application-defined: bye' })
    const after = await service.invoke('ws.send', { sid, kind: 'text', data: 'late' })
    expect(after.ok).toBe(false)
  })

  it('pings and pongs both ways are logged', async () => {
    const sid = await open('/ping')
    await rec.until(sid, (e) => e.type === 'ws-message' && e.kind === 'pong' && e.dir === 'out')
    const r = await service.invoke('ws.ping', { sid, data: 'yo' })
    expect(r.ok).toBe(true)
    await rec.until(sid, (e) => e.type === 'ws-message' && e.kind === 'pong' && e.dir === 'in')
    const log = (await readLog(service, sid)).map((e) => `${e.dir}:${e.kind}:${e.data}`)
    expect(log).toEqual(['in:ping:hi', 'out:pong:hi', 'out:ping:yo', 'in:pong:yo'])
    expect(server.pongs).toContain('hi')
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('a server close is shown in plain words', async () => {
    const sid = await open('/close?code=4002&reason=later')
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    expect(rec.of(sid).find((e) => e.type === 'stream-closed')).toMatchObject({
      by: 'server',
      code: 4002,
      reason: 'The server closed with 4002 application-defined: later',
    })
    const log = await readLog(service, sid)
    expect(log.at(-1)).toMatchObject({ dir: 'in', kind: 'close', code: 4002, data: 'later' })

    const err = await open('/close?code=1011&reason=oops')
    const e = await settle(service, err)
    expect(e.final.type === 'error' && e.final.message).toBe(
      'The server closed with 1011 internal server error: oops',
    )
  })

  it('a connection that drops without a close frame is a 1006 error', async () => {
    const sid = await open('/drop?after=20')
    const { final } = await settle(service, sid)
    expect(final.type === 'error' && final.code).toBe('reset')
    expect(final.type === 'error' && final.message).toMatch(/without a close frame \(1006 abnormal closure/)
  })

  it('refuses a 64 MB message past the limit with a clear error; other sessions are unaffected', async () => {
    const other = await open('/echo')
    await opened(other)
    const sid = await open('/big?bytes=67108864', { options: { maxMessageBytes: 1024 * 1024 } })
    const { final } = await settle(service, sid)
    expect(final.type === 'error' && final.code).toBe('message_too_large')
    expect(final.type === 'error' && final.message).toBe(
      'The server sent a message larger than the limit of 1 MB; Flightdeck refused it and closed with 1009 message too big',
    )
    expect(rec.of(sid).find((e) => e.type === 'stream-closed')).toMatchObject({ by: 'client', code: 1009 })
    // The big message never reached the log.
    expect((await readLog(service, sid)).some((e) => e.kind === 'binary')).toBe(false)
    const r = await service.invoke('ws.send', { sid: other, kind: 'text', data: 'still here' })
    expect(r.ok).toBe(true)
    await messagesIn(other, 1)
    await service.invoke('ws.close', { sid: other })
    await settle(service, other)
  })

  it('a text message that is not UTF-8 is a protocol error (1007)', async () => {
    const sid = await open('/bad-utf8')
    const { final } = await settle(service, sid)
    expect(final.type === 'error' && final.code).toBe('protocol')
    expect(final.type === 'error' && final.message).toMatch(/not valid UTF-8.*1007 invalid data/)
  })

  it('a ws:// URL that cannot be opened fails at once, its timings only the moment it took', async () => {
    // Let the engine clock run a while first: the timings must count from the session's queue, not the clock's start.
    await new Promise((r) => setTimeout(r, 300))
    // A WebSocket scheme the session cannot open (a URL of another scheme is refused before any session).
    const sid = await open('', {}, 'ws://127.0.0.1:99999/nowhere')
    const { final } = await settle(service, sid)
    const queued = rec.of(sid)[0]
    expect(typesOf(rec.of(sid))).toEqual(['queued', 'error'])
    expect(final.type === 'error' && final.code).toBe('invalid_url')
    expect(final.type === 'error' && final.timings.time).toBeLessThanOrEqual(final.t - (queued?.t ?? 0) + 1)
  })

  it('a refused upgrade shows the status and what the server said', async () => {
    const sid = await open('/reject')
    const { final } = await settle(service, sid)
    expect(final.type === 'error' && final.message).toBe(
      'The server answered 403 Forbidden instead of switching to WebSocket (101)',
    )
    const head = rec.of(sid).find((e) => e.type === 'response-headers')
    expect(head?.type === 'response-headers' && head.status).toBe(403)
    // A UTF-8 value reads as HTTP's other paths read it (Node's http gives it as the Latin-1 string of its bytes).
    expect(head?.type === 'response-headers' && head.headers).toContainEqual(['x-realm', 'caf\u00e9'])
    // What the server said is the error's detail; the session's log has no messages (none were exchanged).
    expect(final.type === 'error' && final.detail).toBe('forbidden')
    expect(await readLog(service, sid)).toEqual([])
  })

  it('reconnects with exponential backoff and gives up after N failures', async () => {
    const port = await refusedPort()
    const sid = await open(
      '/',
      { options: { reconnect: true, backoffMs: 20, maxBackoffMs: 1000, maxRetries: 2 } },
      `ws://127.0.0.1:${port}`,
    )
    const { final } = await settle(service, sid)
    const retries = rec.of(sid).filter((e) => e.type === 'retry')
    expect(retries.map((e) => (e.type === 'retry' ? e.delayMs : 0))).toEqual([20, 40])
    expect(final.type === 'error' && final.code).toBe('refused')
    expect(final.type === 'error' && final.message).toMatch(
      /^Gave up after 3 failed connection attempts in a row/,
    )
  })

  it('a close while waiting to reconnect, before any connection opened, cancels the session', async () => {
    const port = await refusedPort()
    const sid = await open(
      '/',
      { options: { reconnect: true, backoffMs: 60_000, maxBackoffMs: 60_000, maxRetries: 3 } },
      `ws://127.0.0.1:${port}`,
    )
    await rec.until(sid, (e) => e.type === 'retry')
    const r = await service.invoke('ws.close', { sid })
    expect(r.ok && r.value.closing).toBe(true)
    const { final } = await settle(service, sid)
    expect(final.type).toBe('cancelled')
    expect(typesOf(rec.of(sid))).not.toContain('stream-closed')
  })

  it('reconnects after a drop when reconnect is on', async () => {
    const sid = await open('/drop?after=10', { options: { reconnect: true, backoffMs: 10, maxRetries: 3 } })
    await rec.until(sid, (e) => e.type === 'stream-open', 2)
    await service.invoke('session.cancel', { sid })
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed).toMatchObject({ by: 'network', code: 1006, willRetry: true })
    const opens = rec.of(sid).filter((e) => e.type === 'stream-open')
    expect(opens.map((e) => (e.type === 'stream-open' ? e.attempt : -1)).slice(0, 2)).toEqual([0, 1])
  })

  it('reads many messages through the engine, all logged', async () => {
    const sid = await open('/flood?n=20000&size=32')
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    const page = await service.invoke('stream.read', { sid, from: 19_999, count: 10 })
    expect(page.ok && page.value.total).toBe(20_001) // 20,000 messages and the close frame
    expect(page.ok && page.value.entries[0]).toMatchObject({ seq: 19_999, kind: 'text', size: 32 })
    // Every message is a tick: messages a millisecond apart travel as one event with a count.
    const events = rec.of(sid).filter((e) => e.type === 'ws-message')
    expect(messageCount(events)).toBe(20_001)
    expect(events.length).toBeLessThan(20_001)
  })
})

describe('WebSocket over TLS', () => {
  let tls: WsFixture
  beforeAll(async () => {
    tls = await startWssServer()
  })
  afterAll(() => tls.close())

  it('verifies against a CA file and shows the TLS phase', async () => {
    const caFile = join(mkdtempSync(join(tmpdir(), 'fd-wss-')), 'ca.pem')
    writeFileSync(caFile, tls.caPem ?? '')
    const sid = await open('/echo', { options: { caFile } }, `wss://localhost:${tls.port}`)
    await opened(sid)
    const types = typesOf(rec.of(sid))
    expect(types.slice(0, 6)).toEqual(['queued', 'dns', 'connect', 'tls', 'request-sent', 'response-headers'])
    const t = rec.of(sid).find((e) => e.type === 'tls')
    expect(t?.type === 'tls' && t.authorized).toBe(true)
    await service.invoke('ws.close', { sid })
    await settle(service, sid)
  })

  it('refuses an untrusted certificate unless told to accept it', async () => {
    const bad = await open('/echo', {}, `wss://localhost:${tls.port}`)
    const r = await settle(service, bad)
    expect(r.final.type === 'error' && r.final.code).toBe('tls')
    const ok = await open('/echo', { options: { insecure: true } }, `wss://localhost:${tls.port}`)
    await opened(ok)
    await service.invoke('ws.close', { sid: ok })
    expect((await settle(service, ok)).final.type).toBe('done')
  })
})
