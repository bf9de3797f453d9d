import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StreamComposeBar } from '../../src/renderer/streams/StreamCompose'
import { sseReconnectFor } from '../../src/renderer/composer/composer-draft'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import { rawChunksNote, streamState } from '../../src/renderer/streams/stream-state'
import { sleep, startSseServer, type SseFixture } from '../fixtures/sse-server'
import { until } from './engine-client'
import type { StreamEntry } from '../../src/shared/streams'
import type { TimelineEvent } from '../../src/shared/timeline'
import {
  ASSEMBLE_PRESETS,
  assembleEntries,
  assembleStats,
  emptyAssembled,
  extractField,
  parseFieldPath,
} from '../../src/renderer/streams/assemble'
import { applyLaneBatch, EMPTY_LANES, MAX_BUCKETS, tickBuckets } from '../../src/renderer/streams/lane-ticks'
import { needsRead, readRange, emptyLogView } from '../../src/renderer/streams/log-window'
import { entryPreview, hexDump, prettyJson } from '../../src/renderer/streams/message-format'
import { createAppStore } from '../../src/renderer/store/app-store'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { sortValue } from '../../src/renderer/timeline/columns'
import { methodText, rowLabel } from '../../src/renderer/timeline/row-labels'
import { fakeClient } from './fake-client'
import { queued } from './event-builders'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'
import { renderOverStore } from './render-over-store'

const msg = (sid: string, t: number, seq: number, dir: 'in' | 'out' = 'in'): TimelineEvent => ({
  type: 'ws-message',
  sid,
  t,
  seq,
  dir,
  kind: 'text',
  size: 3,
  preview: `m${seq}`,
})

const entry = (seq: number, data: string, extra: Partial<StreamEntry> = {}): StreamEntry => ({
  seq,
  t: 100 + seq * 10,
  dir: 'in',
  kind: 'event',
  size: data.length,
  encoding: 'utf8',
  data,
  truncated: false,
  event: 'message',
  ...extra,
})

describe('stream lanes', () => {
  it('count a tick per message, in and out apart, and only for stream sessions', () => {
    const lanes = applyLaneBatch(EMPTY_LANES, {
      dropped: 0,
      events: [
        queued('w1', 0, { kind: 'ws' }),
        queued('s1', 0),
        msg('w1', 10, 0),
        msg('w1', 10.5, 1, 'out'),
        msg('s1', 11, 0),
      ],
    })
    expect(Object.keys(lanes)).toEqual(['w1'])
    const lane = lanes['w1']!
    expect([lane.received, lane.sent, lane.lastSeq]).toEqual([1, 1, 1])
    expect(tickBuckets(lane)).toEqual([[10, 1, 1]])
    // A batch with nothing for streams leaves the lanes object as it was (no store update).
    expect(applyLaneBatch(lanes, { dropped: 0, events: [msg('zz', 1, 0)] })).toBe(lanes)
  })

  it('stay bounded after a million messages: buckets widen instead of growing', () => {
    let lanes = applyLaneBatch(EMPTY_LANES, { dropped: 0, events: [queued('w1', 0, { kind: 'ws' })] })
    for (let b = 0; b < 100; b++) {
      const events = Array.from({ length: 10_000 }, (_, i) =>
        msg('w1', (b * 10_000 + i) * 0.05, b * 10_000 + i),
      )
      lanes = applyLaneBatch(lanes, { dropped: 0, events })
    }
    const lane = lanes['w1']!
    expect(lane.received).toBe(1_000_000)
    expect(lane.ins.length).toBeLessThanOrEqual(MAX_BUCKETS)
    expect(lane.ins.reduce((a, b) => a + b, 0)).toBe(1_000_000)
    expect(lane.width).toBeGreaterThanOrEqual(64)
  })

  it('mark reconnects and closes', () => {
    const lanes = applyLaneBatch(EMPTY_LANES, {
      dropped: 0,
      events: [
        queued('e1', 0, { kind: 'sse' }),
        { type: 'retry', sid: 'e1', t: 5, attempt: 1, delayMs: 3000, reason: 'The server ended the stream' },
        { type: 'stream-closed', sid: 'e1', t: 9, by: 'client', reason: 'Closed by you', willRetry: false },
      ],
    })
    expect(lanes['e1']!.markers.map((m) => [m.kind, m.label])).toEqual([
      ['retry', 'Reconnect #1 in 3000 ms: The server ended the stream'],
      ['closed', 'Closed by you'],
    ])
  })
})

describe('assemble', () => {
  it('parses field paths and reads the field from each event', () => {
    expect(parseFieldPath('choices[0].delta.content')).toEqual(['choices', 0, 'delta', 'content'])
    expect(parseFieldPath('a["b c"].d')).toEqual(['a', 'b c', 'd'])
    expect(parseFieldPath('a..b')).toBeNull()
    expect(extractField('{"choices":[{"delta":{"content":"Hi"}}]}', ['choices', 0, 'delta', 'content'])).toBe(
      'Hi',
    )
    expect(extractField('[DONE]', ['x'])).toBeNull()
  })

  it('concatenates a streamed answer with time to first token and rates', () => {
    const chunk = (seq: number, text: string | null) =>
      entry(
        seq,
        text === null
          ? '{"choices":[{"delta":{}}]}'
          : JSON.stringify({ choices: [{ delta: { content: text } }] }),
      )
    const a = assembleEntries(emptyAssembled('choices[0].delta.content'), [
      chunk(0, null),
      chunk(1, 'Hel'),
      chunk(2, 'lo'),
      chunk(3, ' world'),
      entry(4, '[DONE]'),
    ])
    expect(a.text).toBe('Hello world')
    expect([a.events, a.pieces, a.nextSeq]).toEqual([5, 3, 5])
    const stats = assembleStats(a, 50)
    expect(stats.timeToFirstToken).toBe(60) // first piece at t=110, session started at 50
    expect(stats.tokensPerSecond).toBeCloseTo(100) // 2 gaps over 20 ms
    // Entries already read are not counted twice.
    expect(assembleEntries(a, [chunk(3, ' world')]).text).toBe('Hello world')
  })

  it('has presets for the envelopes of OpenAI, Anthropic and Gemini streams', () => {
    const path = (label: string): string => ASSEMBLE_PRESETS.find((p) => p.label === label)?.path ?? ''
    // Anthropic: message_start and ping carry no text; content_block_delta events do.
    const anthropic = [
      { type: 'message_start', message: { id: 'msg_1', content: [] } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Bon' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'jour' } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' } },
    ]
    const a = assembleEntries(
      emptyAssembled(path('Anthropic')),
      anthropic.map((e, i) => entry(i, JSON.stringify(e))),
    )
    expect([a.text, a.pieces, a.events]).toEqual(['Bonjour', 2, 6])
    const gemini = ['Hel', 'lo'].map((text, i) =>
      entry(i, JSON.stringify({ candidates: [{ content: { parts: [{ text }], role: 'model' } }] })),
    )
    expect(assembleEntries(emptyAssembled(path('Gemini')), gemini).text).toBe('Hello')
    expect(path('OpenAI')).toBe('choices[0].delta.content')
  })
})

describe('message log window and formatting', () => {
  it('reads only when the rows on screen are not in the window', () => {
    const view = {
      ...emptyLogView('w1'),
      from: 100,
      entries: Array.from({ length: 50 }, (_, i) => entry(100 + i, 'x')),
    }
    expect(needsRead(view, 110, 130, 1000)).toBe(false)
    expect(needsRead(view, 140, 160, 1000)).toBe(true)
    expect(readRange(500, 520, 1000)).toEqual({ from: 440, count: 141 })
    expect(readRange(990, 1010, 1000)).toEqual({ from: 859, count: 141 })
  })

  it('shows binary as hex, JSON pretty, close frames in words', () => {
    expect(hexDump(new Uint8Array([0xde, 0xad, 0x41]))).toBe(
      '00000000  de ad 41                                          ..A',
    )
    expect(prettyJson('{"a":[1]}')).toBe('{\n  "a": [\n    1\n  ]\n}')
    expect(prettyJson('plain')).toBeNull()
    expect(entryPreview(entry(0, '', { kind: 'close', code: 1001 }))).toBe('1001 going away')
    expect(entryPreview(entry(0, '3q0=', { kind: 'binary', encoding: 'base64', size: 2 }))).toBe('de ad')
  })
})

describe('the streams slice', () => {
  it('opens a WebSocket from the composer with its options and selects the new lane', async () => {
    const fake = fakeClient({ 'ws.open': () => ({ ok: true, value: { sid: 'w7' } }) })
    const store = createAppStore(fake.client)
    const s = store.getState()
    s.setKind('ws')
    s.setUrl('ws://127.0.0.1:9/chat')
    s.setProtocols(['chat.v2', 'json'])
    s.setStreamCompose({ wsMaxMessageMb: 2 })
    await store.getState().send()
    expect(fake.calls.at(-1)).toEqual({
      name: 'ws.open',
      payload: {
        url: 'ws://127.0.0.1:9/chat',
        headers: [],
        protocols: ['chat.v2', 'json'],
        options: { reconnect: false, maxMessageBytes: 2 * 1024 * 1024, insecure: false },
        // The tab's auth goes along (no collection open: no context), as for an HTTP send.
        auth: { type: 'inherit' },
      },
    })
    expect(store.getState().selectedSid).toBe('w7')
  })

  it('Clear drops the lanes of cleared sessions with their rows', () => {
    const store = createAppStore(fakeClient().client)
    store.getState().applyTimelineBatch({
      dropped: 0,
      events: [
        queued('w1', 0, { kind: 'ws' }),
        msg('w1', 5, 0),
        {
          type: 'cancelled',
          sid: 'w1',
          t: 6,
          timings: { blocked: 0, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0, time: 6 },
        },
        queued('w2', 1, { kind: 'ws' }),
      ],
    })
    store.getState().clearFinished()
    expect(Object.keys(store.getState().streamLanes)).toEqual(['w2'])
  })

  it('a timeline batch updates lanes and rows in one store update', () => {
    const fake = fakeClient()
    const store = createAppStore(fake.client)
    let updates = 0
    store.subscribe(() => updates++)
    store
      .getState()
      .applyTimelineBatch({ dropped: 0, events: [queued('w1', 0, { kind: 'ws' }), msg('w1', 5, 0)] })
    expect(updates).toBe(1)
    expect(store.getState().streamLanes['w1']?.received).toBe(1)
    expect(store.getState().timeline.rows['w1']?.lastT).toBe(5)
  })
})

describe('stream rows in the timeline table', () => {
  it('say WS in the Method column for a WebSocket, and an SSE stream its real method', () => {
    const timeline = applyBatch(EMPTY_TIMELINE, {
      dropped: 0,
      events: [
        queued('w1', 0, { kind: 'ws', method: 'GET', url: 'ws://127.0.0.1:9/echo' }),
        queued('e1', 0, { kind: 'sse', method: 'POST', url: 'http://127.0.0.1:9/llm' }),
        queued('s1', 0),
      ],
    })
    const row = (sid: string) => {
      const r = timeline.rows[sid]
      if (!r) throw new Error(`no row ${sid}`)
      return r
    }
    expect(methodText(row('w1'))).toBe('WS')
    expect(rowLabel(row('w1'))).toBe('WS ws://127.0.0.1:9/echo queued')
    expect(sortValue(row('w1'), 'method')).toBe('WS')
    expect(methodText(row('e1'))).toBe('POST')
    expect(rowLabel(row('e1'))).toBe('POST http://127.0.0.1:9/llm queued')
    expect(methodText(row('s1'))).toBe('GET')
  })
})

describe('streams against a real engine and server', () => {
  let sse: SseFixture
  let engine: TestEngine
  let releaseChat = (): void => undefined
  beforeAll(async () => {
    sse = await startSseServer()
    // OpenAI's shape: a role chunk with empty content first, the answer's pieces after a pause, then [DONE].
    // The pause ends when the test says so (or after 5 s): it waits until the engine has received the role
    // chunk, so a busy machine that reads the socket late cannot deliver the role chunk and the first piece in
    // one read, at one time.
    sse.route('/chat', async (_req, res) => {
      const released = new Promise<void>((resolve) => {
        releaseChat = resolve
      })
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n')
      await Promise.race([released, sleep(5000)])
      for (const piece of ['Hel', 'lo']) {
        res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`)
        await sleep(10)
      }
      res.end('data: [DONE]\n\n')
    })
    engine = startEngine()
  })
  afterAll(async () => {
    await stopEngines()
    await sse.close()
  })

  const storeFor = () => {
    const store = engine.store()
    store.getState().setKind('sse')
    return store
  }
  const ended = (store: ReturnType<typeof storeFor>, sid: string) => () =>
    (store.getState().timeline.rows[sid]?.terminal ?? null) !== null

  it("Assemble starts the time to first token and the token count at the first non-empty piece, not OpenAI's role chunk", async () => {
    const store = storeFor()
    store.getState().setMethod('POST')
    store.getState().setUrl(`${sse.url}/chat`)
    await store.getState().openStream()
    const sid = store.getState().selectedSid ?? ''
    // The role chunk is in (the store saw its event); the first piece is sent 150 ms after that, so on the
    // engine's clock it comes at least 150 ms after the role chunk however loaded the machine is.
    await until(() => (store.getState().streamLanes[sid]?.received ?? 0) >= 1)
    await sleep(150)
    releaseChat()
    await until(ended(store, sid))
    store.getState().setAssemblePath(sid, 'choices[0].delta.content')
    await until(() => (store.getState().assembled?.events ?? 0) >= 4)
    const a = store.getState().assembled
    expect(a?.text).toBe('Hello')
    expect(a?.pieces).toBe(2)
    const row = store.getState().timeline.rows[sid]
    const first = a?.firstPieceAt ?? 0
    // The first piece, not the role chunk, is the first token: the time to first token is 150 ms longer than a
    // count from the role chunk (less a millisecond a timer may fire early against the engine's finer clock).
    expect(first - (a?.firstEventAt ?? 0)).toBeGreaterThanOrEqual(149)
    expect(first - (row?.queued.t ?? 0)).toBeGreaterThanOrEqual(149)
  })

  it('a stream refused with 500 is Failed with the status and what the server said, not Closed', async () => {
    const store = storeFor()
    store.getState().setUrl(`${sse.url}/status/500`)
    await store.getState().openStream()
    const sid = store.getState().selectedSid ?? ''
    await until(ended(store, sid))
    const row = store.getState().timeline.rows[sid]
    if (!row) throw new Error('no row')
    expect(streamState(row, store.getState().streamLanes[sid])).toBe('failed')
    expect(row.terminal).toMatchObject({
      type: 'error',
      message:
        'The server answered 500 Internal Server Error instead of a stream (a stream needs a 2xx response)',
      detail: 'status 500',
    })
  })

  it('a 200 text/plain says it is read as raw chunks', async () => {
    const store = storeFor()
    store.getState().setUrl(`${sse.url}/chunks?n=2&every=5`)
    await store.getState().openStream()
    const sid = store.getState().selectedSid ?? ''
    await until(ended(store, sid))
    const row = store.getState().timeline.rows[sid]
    if (!row) throw new Error('no row')
    expect(rawChunksNote(row, store.getState().streamLanes[sid])).toBe(
      'Read as raw chunks: the response is text/plain, not text/event-stream (no events, no reconnect)',
    )
  })

  it('a POST from the composer is not re-sent after [DONE] unless reconnect is turned on for its tab', async () => {
    const store = storeFor()
    // Each stream asks for its own URL, so the server's log tells whose request each was.
    const count = (tab: string) => sse.requests.filter((r) => r.path === `/llm?n=1&every=5&tab=${tab}`).length
    store.getState().setMethod('POST')
    store.getState().setUrl(`${sse.url}/llm?n=1&every=5&tab=default`)
    expect(sseReconnectFor(selectActiveDraft(store.getState()))).toBe(false)
    expect(sseReconnectFor({ sseReconnect: null, method: 'GET' })).toBe(true)
    await store.getState().openStream()
    const once = store.getState().selectedSid ?? ''
    await until(ended(store, once))
    // Turned on by hand for this tab: the reconnect sends the POST again, as asked.
    store.getState().setSseReconnect(true)
    store.getState().setUrl(`${sse.url}/llm?n=1&every=5&tab=on`)
    await store.getState().openStream()
    const again = store.getState().selectedSid ?? ''
    await until(() => count('on') >= 2, 15_000)
    await store.getState().cancel(again)
    // The first stream ended before the second opened, and both wait the same reconnection time: had the first
    // sent its POST again, that request would have come before the second stream's reconnect. It came once.
    expect(count('default')).toBe(1)
    // Another tab keeps the default.
    store.getState().newTab()
    store.getState().setMethod('POST')
    expect(sseReconnectFor(selectActiveDraft(store.getState()))).toBe(false)
  })
})

describe('the SSE reconnect switch', () => {
  it('is on for a GET; off for a POST with the reason beside it, and on for its tab once turned on', () => {
    const app = createAppStore(fakeClient().client)
    app.getState().setKind('sse')
    const html = (): string => renderOverStore(app, createElement(StreamComposeBar))
    const checked = (): boolean => /<input type="checkbox" checked=""/.test(html())
    expect(checked()).toBe(true)
    // Counted as --retries and the engine count: retries after the first connection, 5 gives up on the sixth failure.
    expect(html()).toMatch(/Give up after<input[^>]*value="5"[^>]*\/>retries/)
    expect(html()).not.toContain('reconnect-note')
    app.getState().setMethod('POST')
    expect(checked()).toBe(false)
    expect(html()).toContain('Off for POST: a reconnect would send it again')
    app.getState().setSseReconnect(true)
    expect(checked()).toBe(true)
    expect(html()).toContain('On for POST: each reconnect sends it again')
  })
})
