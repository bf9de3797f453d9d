import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StreamOutcome } from '../../src/engine/streams/stream-engine'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { messageCount, readLog } from '../engine/stream-helpers'
import { expectError, openCatalogue, spec, underFault, type Catalogue } from './harness'
import { startRawServer, pathOf, type RawServer } from './raw-server'

/**
 * The stream half of the fault catalogue (SSE and WebSocket), through the engine service against real
 * servers on 127.0.0.1. Each case also runs the harness's checks (engine answers, a healthy request and SSE
 * stream alongside finish).
 */

let cat: Catalogue
let ws: WsFixture
let rawWs: RawServer

const FLOOD = 1_000_000
const FLOOD_PAYLOAD = 'msg-1234'

/** Server-to-client text frames, unmasked: 0x81, length, payload. */
function floodFrames(n: number): Buffer {
  const one = Buffer.concat([Buffer.from([0x81, FLOOD_PAYLOAD.length]), Buffer.from(FLOOD_PAYLOAD)])
  const out = Buffer.alloc(one.length * n)
  for (let i = 0; i < n; i++) one.copy(out, i * one.length)
  return out
}

/** A hand-rolled WebSocket server for what the `ws` library will not do: ignore a close, flood raw frames. */
function rawWsRoutes(socket: Socket, head: string): void {
  const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1]
  if (!key) {
    // Frames from the client after the upgrade are not request heads; nothing to answer.
    return
  }
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`,
  )
  switch (pathOf(head)) {
    case '/deaf':
      // Reads everything, answers nothing: a close frame from the client is never echoed.
      socket.removeAllListeners('data')
      socket.on('data', () => undefined)
      return
    case '/flood': {
      socket.removeAllListeners('data')
      socket.on('data', () => undefined)
      socket.write(floodFrames(FLOOD))
      // A normal close (1000) once every message is out.
      socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]))
      return
    }
  }
}

beforeAll(async () => {
  cat = await openCatalogue()
  ws = await startWsServer()
  rawWs = await startRawServer(rawWsRoutes)
  cat.sse.route('/malformed', (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(
      [
        'data',
        ': a comment',
        'retry: soon',
        'no colon at all here',
        'event:',
        'id: a\0b',
        'data: {"ok":1}',
        '',
        'data:second',
        '',
        '',
      ].join('\n'),
    )
  })
  cat.sse.route('/no-newline', (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: ')
    const chunk = 'x'.repeat(1024 * 1024)
    let left = 40
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        left--
        if (!res.write(chunk)) {
          res.once('drain', pump)
          return
        }
      }
    }
    pump()
  })
  cat.sse.route('/bad-utf8', (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(Buffer.concat([Buffer.from('data: a'), Buffer.from([0xff, 0xfe]), Buffer.from('b\n\n')]))
    res.end('data: after\n\n')
  })
})
afterAll(async () => {
  await cat.close()
  await ws.close()
  await rawWs.close()
})

async function openSse(path: string): Promise<string> {
  const r = await cat.service.invoke('sse.open', {
    request: spec(`${cat.sse.url}${path}`),
    stream: { reconnect: false },
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

async function openWs(url: string, maxMessageBytes?: number): Promise<string> {
  const r = await cat.service.invoke('ws.open', {
    url,
    headers: [],
    protocols: [],
    ...(maxMessageBytes !== undefined ? { options: { maxMessageBytes } } : {}),
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

async function outcome(sid: string): Promise<StreamOutcome> {
  const o = await cat.service.streams.wait(sid)
  cat.service.flush()
  return o
}

const eventsOf = (sid: string) => cat.rec.of(sid)

describe('SSE', () => {
  it('malformed lines are logged and skipped; the valid events arrive', async () => {
    const run = await underFault(cat, async () => {
      const sid = await openSse('/malformed')
      return { sid, o: await outcome(sid) }
    })
    const { sid, o } = run.value
    expect(o.final.type).toBe('done')
    const log = await readLog(cat.service, sid)
    const events = log.filter((e) => e.kind === 'event')
    // As the SSE spec reads them: a bare `data` line adds an empty line, unknown fields and a bad `retry` are
    // ignored, and an id with NUL in it is not taken.
    expect(events.map((e) => e.data)).toEqual(['\n{"ok":1}', 'second'])
    expect(events.map((e) => e.id ?? '')).not.toContain('a\0b')
  })

  it('a server that never sends a newline is cut off at the line limit', async () => {
    const run = await underFault(cat, async () => outcome(await openSse('/no-newline')), {
      sampleMemory: true,
    })
    expectError(run.value, 'message_too_large', /^An event or line is longer than the limit of \d+/)
    expect(run.memoryGrowthBytes).toBeLessThan(256 * 1024 * 1024)
  })

  it('invalid UTF-8 decodes to U+FFFD and the stream goes on', async () => {
    const run = await underFault(cat, async () => {
      const sid = await openSse('/bad-utf8')
      return { sid, o: await outcome(sid) }
    })
    expect(run.value.o.final.type).toBe('done')
    const log = await readLog(cat.service, run.value.sid)
    expect(log.filter((e) => e.kind === 'event').map((e) => e.data)).toEqual(['a\uFFFD\uFFFDb', 'after'])
  })

  it('an error status instead of a stream: shown as the status and what the server said', async () => {
    // As EventSource "fails the connection": a failure, no reconnect; the body is the error's detail.
    const run = await underFault(cat, async () => {
      const sid = await openSse('/status/503')
      return { sid, o: await outcome(sid) }
    })
    const { sid, o } = run.value
    expect(o.final).toMatchObject({ type: 'error', code: 'protocol', detail: 'status 503' })
    const head = eventsOf(sid).find((e) => e.type === 'response-headers')
    expect(head?.type === 'response-headers' && head.status).toBe(503)
    expect(await readLog(cat.service, sid)).toEqual([])
  })
})

describe('WebSocket', () => {
  it('a 64 MB frame past the configured limit is refused with 1009', async () => {
    const run = await underFault(
      cat,
      async () => outcome(await openWs(`${ws.url}/big?bytes=${64 * 1024 * 1024}`, 16 * 1024 * 1024)),
      { sampleMemory: true },
    )
    expectError(run.value, 'message_too_large', /larger than the limit of 16 MB.*1009/)
    // The payload is refused before it is read: memory does not grow by anything like 64 MB in the engine.
    // (The fixture server itself allocates the 64 MB it sends, in this process.)
    expect(run.memoryGrowthBytes).toBeLessThan(200 * 1024 * 1024)
  })

  it('invalid UTF-8 in a text frame closes with 1007', async () => {
    const run = await underFault(cat, async () => outcome(await openWs(`${ws.url}/bad-utf8`)))
    expectError(run.value, 'protocol', /1007/)
  })

  it('a server that never answers the close handshake is dropped after the grace period', async () => {
    const run = await underFault(cat, async () => {
      const sid = await openWs(`${rawWs.url.replace('http', 'ws')}/deaf`)
      await cat.rec.until(sid, (e) => e.type === 'stream-open')
      const closing = await cat.service.invoke('ws.close', { sid, code: 1000, reason: 'bye' })
      expect(closing.ok).toBe(true)
      return outcome(sid)
    })
    // The close was ours: the session ends (not hangs) even though the server never answered.
    expect(['done', 'error']).toContain(run.value.final.type)
    const closed = eventsOf(run.value.sid).find((e) => e.type === 'stream-closed')
    expect(closed?.type === 'stream-closed' && closed.by).toBe('client')
    expect(run.probesDuringFault).toBeGreaterThan(3)
  })

  it('a flood of 1,000,000 small messages: every one counted, memory bounded', async () => {
    const run = await underFault(
      cat,
      async () => {
        const sid = await openWs(`${rawWs.url.replace('http', 'ws')}/flood`)
        return { sid, o: await outcome(sid) }
      },
      { sampleMemory: true },
    )
    const { sid, o } = run.value
    expect(o.final.type).toBe('done')
    const inbound = messageCount(
      eventsOf(sid),
      (e) => e.type === 'ws-message' && e.dir === 'in' && e.kind === 'text',
    )
    expect(inbound).toBe(FLOOD)
    const page = await cat.service.invoke('stream.read', { sid, from: 0, count: 1 })
    if (!page.ok) throw new Error(page.error.message)
    // Every message is accounted for: kept in the log or counted as dropped (plus the close entry).
    expect(page.value.total + page.value.dropped).toBeGreaterThanOrEqual(FLOOD)
    expect(run.memoryGrowthBytes).toBeLessThan(300 * 1024 * 1024)
    // A million messages through the engine: ~5 s quiet, over 20 s at load 20 (timed out the default there).
  }, 90_000)

  it('a connection dropped without a close frame (1006)', async () => {
    const run = await underFault(cat, async () => outcome(await openWs(`${ws.url}/drop?after=50`)))
    expectError(run.value, 'reset', /^The connection dropped without a close frame \(1006/)
  })

  it('a refused upgrade (403)', async () => {
    const run = await underFault(cat, async () => outcome(await openWs(`${ws.url}/reject`)))
    expect(run.value.final.type).toBe('error')
    if (run.value.final.type === 'error') expect(run.value.final.message).toMatch(/403/)
  })
})
