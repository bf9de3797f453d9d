import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assembledPiece } from '../../src/renderer/streams/assembled-preview'
import { AttemptTable } from '../../src/renderer/streams/AttemptTable'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { parseFieldPath } from '../../src/renderer/streams/assemble'
import { MAX_ATTEMPTS_KEPT, olderAttempts } from '../../src/renderer/streams/lane-attempts'
import { applyLaneBatch, EMPTY_LANES, type LaneMap } from '../../src/renderer/streams/lane-ticks'
import {
  LogRows,
  separatorRows,
  separatorOutcome,
  separatorsOf,
  separatorText,
  type LogSeparator,
} from '../../src/renderer/streams/log-rows'
import type { StreamEntry } from '../../src/shared/streams'
import type { TimelineEvent } from '../../src/shared/timeline'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { until } from './engine-client'
import { queued, timings } from './event-builders'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Reconnects as the person sees them: the lane's attempt list (what the Handshake tab lists), the message
 * log's rows with a separator per reconnect, and the row's status. First through the store against a real
 * engine and SSE server (and again as a reloaded page would get them, from the timeline replay), then the
 * bounds and the row mapping on their own.
 */

let sse: SseFixture
let engine: TestEngine

beforeAll(async () => {
  sse = await startSseServer()
  engine = startEngine()
  // By the Last-Event-ID sent: none, two events with ids (retry 20 ms) and the end; 2, one more and the end;
  // 3, 204 No Content.
  sse.route('/twice-then-204', (req, res) => {
    const last = req.headers['last-event-id']
    if (last === '3') {
      res.writeHead(204).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(
      last === undefined ? 'retry: 20\n\nid: 1\ndata: one\n\nid: 2\ndata: two\n\n' : 'id: 3\ndata: three\n\n',
    )
  })
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

describe('a stream that reconnects and is told to stop with 204', () => {
  it('the row says 200, the lane lists 3 attempts and the log marks where each reconnect starts', async () => {
    const store = storeFor()
    store.getState().setUrl(`${sse.url}/twice-then-204`)
    await store.getState().openStream()
    const sid = store.getState().selectedSid ?? ''
    await until(() => store.getState().timeline.rows[sid]?.terminal != null)
    const row = store.getState().timeline.rows[sid]
    expect(row?.status).toBe(200)
    const attempts = store.getState().streamLanes[sid]?.attempts ?? []
    expect(attempts.map((a) => [a.n, a.status, a.lastEventId, a.firstSeq])).toEqual([
      [0, 200, null, 0],
      [1, 200, '2', 2],
      [2, 204, '3', 3],
    ])
    expect(attempts.map((a) => a.ended?.reason)).toEqual([
      'The server ended the stream',
      'The server ended the stream',
      'The server answered 204 No Content: it asks the client not to reconnect',
    ])
    const rows = new LogRows(separatorsOf(attempts), 3)
    const shown = Array.from({ length: rows.total }, (_, i) => {
      const r = rows.at(i)
      return r.kind === 'message' ? `m${r.seq}` : separatorText(r.separator.attempt, true)
    })
    expect(shown).toEqual([
      'm0',
      'm1',
      'Reconnect #1 · sent Last-Event-ID 2 · after: The server ended the stream · waited 20 ms',
      'm2',
      'Reconnect #2 · 204 No Content · sent Last-Event-ID 3 · after: The server ended the stream · waited 20 ms',
    ])
    expect(separatorOutcome(attempts[0]!)).toBeNull()
    expect(separatorOutcome(attempts[1]!)).toBeNull()

    // A reloaded page gets the same from the engine's timeline replay.
    const reloaded = storeFor()
    await until(() => reloaded.getState().replayedSessions !== null)
    expect(reloaded.getState().timeline.rows[sid]?.status).toBe(200)
    expect(reloaded.getState().streamLanes[sid]?.attempts).toEqual(attempts)
  })
})

const open = (sid: string, t: number, attempt: number, status = 200): TimelineEvent => ({
  type: 'stream-open',
  sid,
  t,
  mode: 'sse',
  attempt,
  status,
  handshake: timings({ wait: 3 }),
})
const closed = (sid: string, t: number): TimelineEvent => ({
  type: 'stream-closed',
  sid,
  t,
  by: 'server',
  reason: 'The server ended the stream',
  willRetry: true,
})
const retry = (
  sid: string,
  t: number,
  attempt: number,
  seq?: number,
  reason = 'The server ended the stream',
): TimelineEvent => ({
  type: 'retry',
  sid,
  t,
  attempt,
  delayMs: 3000,
  reason,
  lastEventId: String(attempt * 10),
  ...(seq !== undefined ? { seq } : {}),
})
const message = (sid: string, t: number, seq: number): TimelineEvent => ({
  type: 'sse-event',
  sid,
  t,
  seq,
  dir: 'in',
  kind: 'event',
  size: 1,
  preview: 'x',
})

describe('the lane’s attempt list', () => {
  it('keeps the newest attempts of 100,000 and says how many came before', () => {
    let lanes: LaneMap = applyLaneBatch(EMPTY_LANES, {
      dropped: 0,
      events: [queued('e1', 0, { kind: 'sse' })],
    })
    let seq = 0
    for (let b = 0; b < 100; b++) {
      const events: TimelineEvent[] = []
      for (let i = 0; i < 1000; i++) {
        const n = b * 1000 + i
        if (n > 0) events.push(retry('e1', n * 10, n))
        events.push(open('e1', n * 10 + 1, n), message('e1', n * 10 + 2, seq++), closed('e1', n * 10 + 3))
      }
      lanes = applyLaneBatch(lanes, { dropped: 0, events })
    }
    const attempts = lanes['e1']?.attempts ?? []
    expect(attempts.length).toBeGreaterThanOrEqual(MAX_ATTEMPTS_KEPT)
    expect(attempts.length).toBeLessThanOrEqual(MAX_ATTEMPTS_KEPT * 1.25)
    expect(attempts.at(-1)?.n).toBe(99_999)
    expect(olderAttempts(attempts)).toBe(100_000 - attempts.length)
    // Without a seq from the engine, a reconnect starts after the last message the lane saw.
    expect(attempts.at(-1)?.firstSeq).toBe(99_999)
  })

  it('the Handshake table lists the attempts kept and says how many older ones are not', () => {
    const events: TimelineEvent[] = [queued('e1', 0, { kind: 'sse' })]
    for (let n = 0; n < 1000; n++) {
      if (n > 0) events.push(retry('e1', n * 10, n, n))
      events.push(open('e1', n * 10 + 1, n, n === 999 ? 204 : 200), closed('e1', n * 10 + 2))
    }
    const lanes = applyLaneBatch(EMPTY_LANES, { dropped: 0, events })
    const row = applyBatch(EMPTY_TIMELINE, { dropped: 0, events }).rows['e1']!
    const attempts = lanes['e1']?.attempts ?? []
    const html = renderToStaticMarkup(createElement(AttemptTable, { row, attempts }))
    expect(html).toContain(`${(1000 - attempts.length).toLocaleString()} older attempts not shown`)
    expect(html.match(/<tbody/g)).toHaveLength(attempts.length)
    expect(html).toContain('#999')
    expect(html).toContain('204 No Content')
  })

  it('applying the same events again (a replay over live batches) changes nothing', () => {
    const events: TimelineEvent[] = [
      queued('e1', 0, { kind: 'sse' }),
      open('e1', 1, 0),
      message('e1', 2, 0),
      closed('e1', 3),
      retry('e1', 4, 1, 1),
      open('e1', 10, 1),
    ]
    const once = applyLaneBatch(EMPTY_LANES, { dropped: 0, events })
    const twice = applyLaneBatch(once, { dropped: 0, events: events.slice(1) })
    expect(twice['e1']?.attempts).toEqual(once['e1']?.attempts)
  })

  it('a reconnect that fails for good in the batch that began the stream says why on its separator', () => {
    // A short stream and its failed reconnect can reach the page in one batch (a busy page merges batches): the
    // session's error still ends the reconnect it failed.
    const failure: TimelineEvent = {
      type: 'error',
      sid: 'e1',
      t: 60,
      code: 'protocol',
      message: 'The server answered 503 Service Unavailable instead of a stream',
      timings: timings(),
    }
    const events = [
      queued('e1', 0, { kind: 'sse' }),
      open('e1', 1, 0),
      closed('e1', 3),
      retry('e1', 3, 1, 0),
      failure,
    ]
    const attempts = applyLaneBatch(EMPTY_LANES, { dropped: 0, events })['e1']?.attempts ?? []
    expect(attempts.map((x) => x.ended?.reason)).toEqual([
      'The server ended the stream',
      'The server answered 503 Service Unavailable instead of a stream',
    ])
    expect(separatorOutcome(attempts[1]!)).toBe(
      'failed: The server answered 503 Service Unavailable instead of a stream',
    )
  })

  it('a replayed close stamped at the very time its reconnect began stays the earlier connection’s', () => {
    // The engine stamps a close and the retry it schedules with one clock read.
    const live: TimelineEvent[] = [
      queued('e1', 0, { kind: 'sse' }),
      open('e1', 1, 0),
      closed('e1', 3),
      retry('e1', 3, 1, 0),
      open('e1', 25, 1, 204),
    ]
    let lanes = applyLaneBatch(EMPTY_LANES, { dropped: 0, events: live })
    // A page's timeline replay brings the first close again before the reconnect's own close arrives.
    lanes = applyLaneBatch(lanes, { dropped: 0, events: [closed('e1', 3)] })
    expect(lanes['e1']?.attempts[1]?.ended).toBeNull()
    const stop: TimelineEvent = {
      type: 'stream-closed',
      sid: 'e1',
      t: 26,
      by: 'server',
      reason: 'The server answered 204 No Content: it asks the client not to reconnect',
      willRetry: false,
    }
    lanes = applyLaneBatch(lanes, { dropped: 0, events: [stop] })
    expect(lanes['e1']?.attempts.map((x) => x.ended?.reason)).toEqual([
      'The server ended the stream',
      'The server answered 204 No Content: it asks the client not to reconnect',
    ])
  })

  it('a reconnect that failed before it opened is ended by the next retry, with that retry’s reason', () => {
    const lanes = applyLaneBatch(EMPTY_LANES, {
      dropped: 0,
      events: [
        queued('e1', 0, { kind: 'sse' }),
        open('e1', 1, 0),
        closed('e1', 2),
        retry('e1', 3, 1, 0),
        retry('e1', 9, 2, 0, 'Connection refused'),
      ],
    })
    const a = lanes['e1']?.attempts[1]
    expect(a?.ended).toEqual({ t: 9, by: 'failed', reason: 'Connection refused' })
    expect(separatorOutcome(a!)).toBe('failed: Connection refused')
  })
})

describe('the message log’s rows', () => {
  /** Rows laid out one by one: the reference the O(log n) mapping must agree with. */
  function naive(seps: readonly LogSeparator[], messages: number, span = 1): string[] {
    const out: string[] = []
    let k = 0
    for (let seq = 0; seq <= messages; seq++) {
      while (k < seps.length && (seps[k]?.seq ?? 0) === seq) {
        const n = seps[k++]?.attempt.n
        for (let i = 0; i < span; i++) out.push(`s${n}`)
      }
      if (seq < messages) out.push(`m${seq}`)
    }
    return out
  }
  const sep = (seq: number, n: number): LogSeparator => ({
    seq,
    attempt: {
      n,
      at: 0,
      openedAt: null,
      status: null,
      handshake: null,
      note: null,
      lastEventId: null,
      delayMs: null,
      after: null,
      firstSeq: seq,
      ended: null,
    },
  })

  it('agree with laying the rows out one by one (messages + separators, several at one place, at the end)', () => {
    let state = 7
    const rand = (n: number): number => {
      state = (state * 48271) % 2147483647
      return state % n
    }
    for (let round = 0; round < 400; round++) {
      // Separators of one row, and of two (the log's: their words wrap onto a second line).
      const span = 1 + (round % 2)
      const messages = rand(40)
      const seqs = Array.from({ length: rand(8) }, () => rand(messages + 1)).sort((a, b) => a - b)
      const seps = seqs.map((s, i) => sep(s, i + 1))
      const rows = new LogRows(seps, messages, span)
      const expected = naive(seps, messages, span)
      expect(rows.total).toBe(expected.length)
      const got = expected.map((_, i) => {
        const r = rows.at(i)
        return r.kind === 'message' ? `m${r.seq}` : `s${r.separator.attempt.n}`
      })
      expect(got).toEqual(expected)
      // Each separator's rows name the row it starts at.
      const starts = expected.map((_, i) => {
        const r = rows.at(i)
        return r.kind === 'separator' ? r.start : -1
      })
      expect(starts).toEqual(expected.map((x) => (x.startsWith('s') ? expected.indexOf(x) : -1)))
      for (let m = 0; m < messages; m++) expect(expected[rows.rowOf(m)]).toBe(`m${m}`)
      // The messages a window of rows shows.
      const a = rand(expected.length + 1)
      const b = a + rand(6)
      const inRows = expected.slice(a, b + 1).filter((x) => x.startsWith('m'))
      const range = rows.messageRange(a, b)
      const want = inRows.map((x) => Number(x.slice(1)))
      if (want.length > 0) expect([range.first, range.last]).toEqual([want[0], want.at(-1)])
      else expect(range.last).toBeLessThan(range.first)
    }
  })

  it("takes the rows its words need wrapped in the log's width: one in a wide log, more in a narrow one", () => {
    const long = [{ ...sep(2, 1), attempt: { ...sep(2, 1).attempt, after: 'The server ended the stream' } }]
    const words = separatorText(long[0]!.attempt, true).length
    expect(separatorRows(long, true, 1200)).toBe(1)
    const narrow = separatorRows(long, true, 270)
    expect(narrow).toBeGreaterThan(1)
    // Room for every character at 6.5 px in the lines those rows hold, beside the rules (56 px).
    expect(narrow * Math.floor((270 - 56) / 6.5)).toBeGreaterThanOrEqual(words)
    expect(separatorRows(long, true, 40)).toBe(4)
    expect(separatorRows([], true, 270)).toBe(1)
  })

  it('a separator the messages have not reached yet waits', () => {
    const rows = new LogRows([sep(2, 1), sep(5, 2)], 3)
    expect(rows.total).toBe(4)
  })

  it('a WebSocket reconnect names no Last-Event-ID; waits of a second and more in seconds', () => {
    const a = { ...sep(0, 3).attempt, delayMs: 3000, after: 'Connection reset' }
    expect(separatorText(a, false)).toBe('Reconnect #3 · after: Connection reset · waited 3.0 s')
    expect(separatorText(a, true)).toBe(
      'Reconnect #3 · no Last-Event-ID · after: Connection reset · waited 3.0 s',
    )
  })
})

describe('the assembled preview', () => {
  const entry = (data: string, extra: Partial<StreamEntry> = {}): StreamEntry => ({
    seq: 0,
    t: 0,
    dir: 'in',
    kind: 'event',
    size: data.length,
    encoding: 'utf8',
    data,
    truncated: false,
    event: 'message',
    ...extra,
  })
  const openai = parseFieldPath('choices[0].delta.content') ?? []

  it('shows the piece the path extracts; none for the role chunk, [DONE], a comment or another path', () => {
    expect(assembledPiece(entry('{"choices":[{"delta":{"content":"Hello"}}]}'), openai)).toBe('Hello')
    expect(
      assembledPiece(entry('{"choices":[{"delta":{"role":"assistant","content":""}}]}'), openai),
    ).toBeNull()
    expect(assembledPiece(entry('[DONE]'), openai)).toBeNull()
    expect(
      assembledPiece(entry('{"choices":[{"delta":{"content":"x"}}]}', { kind: 'comment' }), openai),
    ).toBeNull()
    expect(assembledPiece(entry('{"delta":{"text":"Hi"}}'), parseFieldPath('delta.text') ?? [])).toBe('Hi')
  })
})
