import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createParser } from 'eventsource-parser'
import { afterEach, describe, expect, it } from 'vitest'
import { createStreamDecoder, type SseIdState, type TextKind } from '../../src/engine/sse/stream-decoder'
import { StreamLogStore, type StreamLog } from '../../src/engine/streams/stream-log'

/**
 * The SSE decoder feeds eventsource-parser one decoded network chunk at a time and records what it reports in
 * the stream log, with the last event id the spec gives each event. These tests hold the log to one
 * eventsource-parser run over the whole text at once, on the same streams cut at random places (CRLF split,
 * UTF-8 characters cut in half, lines across many chunks, blocks with an id and no data), and check the log
 * keeps them across its memory blocks and its temp file.
 */

let store: StreamLogStore | null = null
afterEach(() => {
  store?.dispose()
  store = null
})

type Row = [kind: string, data: string, event: string | null, id: string | null]

interface Tick {
  kind: TextKind
  seq: number
  count: number
  size: number
  preview: string
  event?: string | undefined
  id?: string | undefined
}

/** Run `chunks` through a decoder into `log`; returns the ticks it reported and the retry values. */
function decode(log: StreamLog, chunks: Buffer[], state: SseIdState = { lastEventId: '' }) {
  const ticks: Tick[] = []
  const retries: number[] = []
  const fatal: string[] = []
  const d = createStreamDecoder(
    'sse',
    {
      text: () => undefined,
      bytes: () => undefined,
      messages: (kind, seq, count, size, preview, event, id) =>
        ticks.push({ kind, seq, count, size, preview, event, id }),
      retry: (ms) => retries.push(ms),
      fatal: (m) => fatal.push(m),
    },
    state,
    1024 * 1024,
    log,
  )
  chunks.forEach((c, i) => d.push(c, i))
  d.end()
  return { ticks, retries, fatal }
}

function rows(log: StreamLog): Row[] {
  return log.read(0, 100_000, 1_000_000).entries.map((e) => [e.kind, e.data, e.event ?? null, e.id ?? null])
}

/**
 * What eventsource-parser makes of the whole stream fed at once, with the last event id at each event as the
 * stream's writer knows it (`ids`: the parser does not report blocks with an id and no data).
 */
function reference(text: string, ids: string[]): { rows: Row[]; retries: number[] } {
  const out: Row[] = []
  const retries: number[] = []
  let k = 0
  const p = createParser({
    onEvent: (e) => {
      const lastId = ids[k++] ?? ''
      out.push(['event', e.data, e.event ?? 'message', lastId === '' ? null : lastId])
    },
    onComment: (c) => out.push(['comment', c, null, null]),
    onRetry: (ms) => retries.push(ms),
    onError: (err) => out.push(['invalid', err.line ?? '', null, null]),
  })
  // At the end of the stream a last CR is a line end (eventsource-parser alone would wait for an LF).
  p.feed(text.endsWith('\r') ? `${text}\n` : text)
  expect(k).toBe(ids.length)
  return { rows: out, retries }
}

/** The heap in use after a full collection (what a decoder keeps, not its garbage). */
function heapKept(): number {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
  return process.memoryUsage().heapUsed
}

/**
 * What a decoder with a 32 MB limit keeps while it reads `count` chunks from `chunkAt(k)` (after `head`): the
 * heap's growth, and that it stopped nowhere.
 */
function keptWhileReading(head: string, count: number, chunkAt: (k: number) => Buffer): number {
  store = new StreamLogStore()
  const log = store.create('kept')
  const fatal: string[] = []
  const d = createStreamDecoder(
    'sse',
    {
      text: () => undefined,
      bytes: () => undefined,
      messages: () => undefined,
      retry: () => undefined,
      fatal: (m) => fatal.push(m),
    },
    { lastEventId: '' },
    32 * 1024 * 1024,
    log,
  )
  const before = heapKept()
  d.push(Buffer.from(head), 0)
  for (let k = 0; k < count; k++) d.push(chunkAt(k), k)
  const kept = heapKept() - before
  expect(fatal).toEqual([])
  // The decoder is still in use here: what it holds is counted above.
  d.push(Buffer.from('\n\n'), count)
  return kept
}

/** A small deterministic PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 0x100000000
  }
}

/**
 * A random event stream, the last event id at each of its events by the spec (the id buffer persists; an
 * `id` in a block with no data still sets the last event id when the block ends), and at its end. `eols`: the
 * line ends used; `idChance`: how likely an event is to have an id of its own.
 */
function randomStream(
  r: () => number,
  eols: readonly string[] = ['\n', '\r\n', '\r'],
  idChance = 0.5,
): { text: string; ids: string[]; last: string } {
  let s = ''
  // A line end; never an LF right after a CR (the two would make one CRLF).
  const eol = (): string => {
    const e = eols[Math.floor(r() * eols.length)] as string
    return e === '\n' && s.endsWith('\r') ? '\r' : e
  }
  const words = ['hello', 'wörld', '€5', '日本', '😀', '{"a":1}', '', ' lead', 'x:y', 'data: inner']
  const word = (): string => words[Math.floor(r() * words.length)] as string
  const ids: string[] = []
  let buffer = ''
  for (let i = 0; i < 60; i++) {
    if (r() < 0.12) {
      // A block with no data: only an id, or only a comment, or nothing at all.
      const which = r()
      if (which < 0.5) {
        buffer = r() < 0.2 ? '' : `only${i}${word()}`
        s += buffer === '' ? `id${eol()}` : `id: ${buffer}${eol()}`
        s += eol()
      } else if (which < 0.8) {
        s += `: keep-alive${eol()}`
        s += eol()
      } else s += eol()
      continue
    }
    const kind = r()
    if (kind < 0.1) s += `: ${word()}${eol()}`
    else if (kind < 0.15) s += `bogus${i}: ${word()}${eol()}`
    else if (kind < 0.18) s += `retry: ${Math.floor(r() * 5000)}${eol()}`
    else if (kind < 0.2) s += `retry: soon${eol()}`
    const lines = 1 + Math.floor(r() * 3)
    if (r() < 0.3) s += `event: ${word() || 'update'}${eol()}`
    if (r() < idChance) {
      buffer = `${i}${word()}`
      s += `id: ${buffer}${eol()}`
    }
    for (let k = 0; k < lines; k++)
      s += r() < 0.2 ? `data${eol()}` : `data:${r() < 0.7 ? ' ' : ''}${word()}${eol()}`
    s += eol()
    ids.push(buffer)
  }
  return { text: s, ids, last: buffer }
}

/** Cut `bytes` at random places (often inside a UTF-8 character or a CRLF). */
function cut(bytes: Buffer, r: () => number, largest = 200): Buffer[] {
  const out: Buffer[] = []
  let at = 0
  while (at < bytes.length) {
    const n = r() < 0.5 ? 1 + Math.floor(r() * 4) : 1 + Math.floor(r() * largest)
    out.push(Buffer.from(bytes.subarray(at, at + n)))
    at += n
  }
  return out
}

describe('the SSE decoder', () => {
  it("reads the same events, comments, bad lines and retries as eventsource-parser, and the spec's last event ids, however the bytes are cut", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed)
      const { text, ids } = randomStream(r)
      const want = reference(text, ids)
      store = new StreamLogStore()
      const log = store.create(`e${seed}`)
      const got = decode(log, cut(Buffer.from(text), r))
      expect({ seed, rows: rows(log) }).toEqual({ seed, rows: want.rows })
      expect(got.retries).toEqual(want.retries)
      // The ticks account for every message, in order, with their sizes.
      const entries = log.read(0, 100_000, 1_000_000).entries
      expect(got.ticks.reduce((n, t) => n + t.count, 0)).toBe(entries.length)
      expect(got.ticks.reduce((n, t) => n + t.size, 0)).toBe(
        entries.reduce((n, e) => n + Buffer.byteLength(e.data), 0),
      )
      // Search finds what is in an entry's data, type or id (ASCII letters in any case), as a scan of the rows does.
      const fold = (x: string): string => x.replace(/[A-Z]/g, (c) => c.toLowerCase())
      for (const text of ['hello', 'LEAD', '€5', 'x:y', 'inner', 'Update', 'message', '1', 'data']) {
        const page = log.read(0, 100_000, 1_000, { text })
        const expected = want.rows.flatMap((row, seq) =>
          [row[1], row[2] ?? '', row[3] ?? ''].some((f) => fold(f).includes(text.toLowerCase())) ? [seq] : [],
        )
        expect({ seed, text, seqs: page.entries.map((e) => e.seq) }).toEqual({ seed, text, seqs: expected })
      }
      // A tick shows its last message's text (what is wrong, for a malformed line), type and id.
      for (const t of got.ticks.filter((x) => x.kind !== 'invalid')) {
        const last = entries[t.seq + t.count - 1]
        expect([t.preview, t.event, t.id]).toEqual([last?.data, last?.event, last?.id])
      }
      store.dispose()
      store = null
    }
  })

  it('takes a CR as a line end at once, yet a CRLF cut between chunks as one: every cut, the same events, each told with the chunk that ends it', () => {
    // Every mix of line ends, a CR-only blank line last (the stream ends there: its event is not lost).
    const text =
      'data: a\r\rdata: b\n\ndata: c\r\n\r\nid: 1\rdata: d\r\n\rdata: e\n\r: note\r\r' +
      'data: f\r\ndata: g\r\revent: x\r\ndata: h\n\r\ndata: i\r\n\ndata: j\r\r'
    const whole = (prefix: string): Row[] => {
      const ids: string[] = []
      let id = ''
      const fed = prefix.endsWith('\r') ? `${prefix}\n` : prefix
      createParser({ onEvent: (e) => ids.push((id = e.id ?? id)) }).feed(fed)
      return reference(prefix, ids).rows
    }
    const want = whole(text)
    expect(want.filter((r) => r[0] === 'event').map((r) => r[1])).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f\ng',
      'h',
      'i',
      'j',
    ])
    for (let at = 1; at < text.length; at++) {
      store = new StreamLogStore()
      const log = store.create(`cut${at}`)
      const ticks: number[] = []
      const d = createStreamDecoder(
        'sse',
        {
          text: () => undefined,
          bytes: () => undefined,
          messages: (_kind, _seq, count) => void ticks.push(count),
          retry: () => undefined,
          fatal: () => undefined,
        },
        { lastEventId: '' },
        1024 * 1024,
        log,
      )
      d.push(Buffer.from(text.slice(0, at)), 0)
      // What the first chunk completed is told now, not when a later chunk comes: a CR at its end included.
      const told = ticks.reduce((n, c) => n + c, 0)
      expect({ at, told }).toEqual({ at, told: whole(text.slice(0, at)).length })
      d.push(Buffer.from(text.slice(at)), 1)
      d.end()
      expect({ at, rows: rows(log) }).toEqual({ at, rows: want })
      store.dispose()
      store = null
    }
    // A byte a chunk.
    store = new StreamLogStore()
    const log = store.create('bytes')
    decode(
      log,
      [...Buffer.from(text)].map((b) => Buffer.from([b])),
    )
    expect(rows(log)).toEqual(want)
  })

  it('counts an event of many short data lines whole against the limit (its field names and line ends too)', () => {
    // 7 bytes a line, 2 characters of data: counting the data alone let such an event reach 3.5 times the limit.
    store = new StreamLogStore()
    const log = store.create('short-lines')
    const lines = Buffer.from('data:x\n'.repeat(64 * 1024))
    const chunks = Array.from({ length: 5 }, () => lines)
    const { fatal, ticks } = decode(log, [Buffer.from('data: before\n\n'), ...chunks, Buffer.from('\n')])
    expect(fatal).toEqual([
      'An event or line is longer than the limit of 1.0 MB (1048576 bytes): the stream was stopped at byte 1376270, 1376256 bytes into the event',
    ])
    expect(ticks.map((t) => t.preview)).toEqual(['before'])
    expect(rows(log)).toEqual([['event', 'before', 'message', null]])
  })

  it('keeps memory near the size of the text however it comes: many short data lines, a byte a chunk, a long line or id', () => {
    const MB = 1024 * 1024
    // An event of 7-byte data lines in 64 KB chunks: the parser used to build its data, two string nodes a line.
    const lines = Buffer.from('data:x\n'.repeat(Math.floor(65_536 / 7)))
    const shortLines = keptWhileReading('', Math.ceil((8 * MB) / lines.length), () => lines)
    expect(shortLines).toBeLessThan(3 * 8 * MB)
    // A byte a chunk: each chunk used to add a string node (tens of bytes) to the text kept for the event.
    const x = Buffer.from('x')
    const byteChunks = keptWhileReading('data: ', MB, () => x)
    expect(byteChunks).toBeLessThan(4 * MB)
    // An id line a byte a chunk: its start was searched again (copied whole) on every chunk.
    const idLine = keptWhileReading('id: ', 256 * 1024, () => x)
    expect(idLine).toBeLessThan(MB)
    store?.dispose()
    store = null
  })

  it('decodes the bytes as one UTF-8 stream however they are cut: a BOM dropped only at the start, bad bytes as U+FFFD', () => {
    // ASCII chunks are read byte for byte, others through the streaming decoder: the text must be the same.
    const parts = [
      Buffer.from('data: plain ascii\n\n'),
      Buffer.from('\ufeffdata: a BOM mid-stream is a character\n\n'),
      Buffer.from('data: \ufeffinside\n\n'),
      Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xff, 0x61, 0xe2, 0x82, 0x0a, 0x0a]),
      Buffer.from('data: €uro and 日本\n\n'),
      Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xf0, 0x9f, 0x98, 0x0a, 0x0a]),
      Buffer.from('id: 7\ndata: after\n\n'),
    ]
    for (let seed = 1; seed <= 120; seed++) {
      const r = rng(seed * 31)
      const pieces: Buffer[] = []
      if (seed % 2 === 0) pieces.push(Buffer.from([0xef, 0xbb, 0xbf]))
      for (let k = 0; k < 12; k++) pieces.push(parts[Math.floor(r() * parts.length)] as Buffer)
      const bytes = Buffer.concat(pieces)
      const text = new TextDecoder('utf-8').decode(bytes)
      const ids: string[] = []
      let id = ''
      createParser({ onEvent: (e) => ids.push((id = e.id ?? id)) }).feed(text)
      const want = reference(text, ids)
      store = new StreamLogStore()
      const log = store.create(`bom${seed}`)
      decode(log, cut(bytes, r, seed % 3 === 0 ? 40 : 400))
      expect({ seed, rows: rows(log) }).toEqual({ seed, rows: want.rows })
      store.dispose()
      store = null
    }
    // A U+FEFF that starts a chunk after ASCII ones is a character, not a BOM.
    store = new StreamLogStore()
    const log = store.create('bom-later')
    decode(log, [
      Buffer.from('data: a\n\ndata: '),
      Buffer.from('\ufeffb\n\n'),
      Buffer.from('\ufeffdata: c\n\n'),
    ])
    expect(rows(log)).toEqual([
      ['event', 'a', 'message', null],
      ['event', '\ufeffb', 'message', null],
      ['invalid', '\ufeffdata: c', null, null],
    ])
  })

  it.each([
    ['every event has an id', 1],
    ['no event has an id', 0],
    ['some events have an id', 0.5],
  ])(
    "gives the spec's last event ids with LF line ends, chunks of many blocks, data-less blocks among them (%s)",
    (_, idChance) => {
      // LF-only chunks of whole blocks are where the decoder takes the parser's ids without walking the lines.
      for (let seed = 1; seed <= 80; seed++) {
        const r = rng(seed * 7919)
        const { text, ids, last } = randomStream(r, ['\n'], idChance)
        const want = reference(text, ids)
        store = new StreamLogStore()
        const log = store.create(`lf${seed}`)
        const state: SseIdState = { lastEventId: '' }
        const got = decode(log, cut(Buffer.from(text), r, seed % 2 === 0 ? 200 : 3000), state)
        expect({ seed, rows: rows(log) }).toEqual({ seed, rows: want.rows })
        // What a reconnect would send.
        expect({ seed, last: state.lastEventId }).toEqual({ seed, last })
        const entries = log.read(0, 100_000, 1_000_000).entries
        for (const t of got.ticks.filter((x) => x.kind !== 'invalid')) {
          const at = entries[t.seq + t.count - 1]
          expect({ seed, tick: [t.preview, t.event, t.id] }).toEqual({
            seed,
            tick: [at?.data, at?.event, at?.id],
          })
        }
        store.dispose()
        store = null
      }
    },
  )

  it.each([
    // A chunk that starts by ending the block before it, then ends on a block with only an id.
    [['id: 1\ndata: a\n', '\nid: 2\n\n', 'data: b\n\n'], ['1', '2'], '2'],
    [['id: 1\ndata: a', '\n\nid: 2\n\n', 'data: b\n\n'], ['1', '2'], '2'],
    [['id: 1\nda', 'ta: a\n\nid: 2\n\n', 'data: b\n\n'], ['1', '2'], '2'],
    [['id: 1\ndata: a', '\n\n', 'data: b\n\n'], ['1', '1'], '1'],
    // An id set in one chunk, its block ended in the next.
    [['data: a\n\nid: 9\n', '\n', 'data: b\n\n'], [null, '9'], '9'],
    [['data: a\n\ni', 'd: 9\n\ndata: b\n\n'], [null, '9'], '9'],
    [['id: 1\ndata: a\n\nid', '\n\ndata: b\n\n'], ['1', null], ''],
  ])('gives the last event id where a chunk cuts a stream with id-only blocks: %j', (chunks, ids, last) => {
    store = new StreamLogStore()
    const log = store.create('cut')
    const state: SseIdState = { lastEventId: '' }
    const got = decode(
      log,
      chunks.map((c) => Buffer.from(c)),
      state,
    )
    expect(rows(log)).toEqual([
      ['event', 'a', 'message', ids[0]],
      ['event', 'b', 'message', ids[1]],
    ])
    expect(got.ticks.map((t) => t.id ?? null)).toEqual(ids)
    expect(state.lastEventId).toBe(last)
  })

  it.each(['é', 'e'])(
    'keeps a long stream in memory or spilled to its temp file, events split over chunks included (pad %s)',
    (pad) => {
      // With 'é', the text of the events' blocks is kept; with 'e' (all ASCII), their bytes.
      let text = ''
      for (let i = 0; i < 100_000; i++) text += `id: ${i}\ndata: {"i":${i},"pad":"${pad.repeat(i % 7)}"}\n\n`
      const bytes = Buffer.from(text)
      // Chunks cut anywhere: mostly large, with small ones between.
      const chunks: Buffer[] = []
      for (let at = 0, k = 0; at < bytes.length; k++) {
        const n = k % 5 === 4 ? 700 + (k % 13) : 65_521
        chunks.push(Buffer.from(bytes.subarray(at, at + n)))
        at += n
      }
      const dir = mkdtempSync(join(tmpdir(), 'fd-sse-log-'))
      for (const memoryPerLog of [64 * 1024 * 1024, 256 * 1024]) {
        store = new StreamLogStore({ tempDir: dir, memoryPerLog, totalMemory: memoryPerLog })
        const log = store.create(`e${memoryPerLog}`)
        const { ticks } = decode(log, chunks)
        expect(log.onDisk).toBe(memoryPerLog < bytes.length)
        // The log holds no more memory than its share (the newest events, the rest written out), and in memory
        // about what the stream's text takes.
        expect(store.memoryUsed).toBeLessThanOrEqual(memoryPerLog)
        if (!log.onDisk) expect(store.memoryUsed).toBeGreaterThan(bytes.length / 2)
        expect(log.entries).toBe(100_000)
        // Entries across the index's pages (65,536 entries each) and the log's blocks.
        for (const i of [0, 1, 4_999, 17_321, 65_535, 65_536, 99_999]) {
          const e = log.entry(i, 1000)
          expect([e?.id, e?.event, e?.data]).toEqual([
            String(i),
            'message',
            `{"i":${i},"pad":"${pad.repeat(i % 7)}"}`,
          ])
          expect(e?.size).toBe(Buffer.byteLength(e?.data ?? ''))
        }
        // One tick per chunk at most (a run of events, with the last one's data), together all 100,000.
        expect(ticks.length).toBeLessThanOrEqual(chunks.length)
        expect(ticks.every((t) => t.kind === 'event' && t.preview.startsWith('{"i":'))).toBe(true)
        expect(ticks.reduce((n, t) => n + t.count, 0)).toBe(100_000)
        // Search looks at the data, the type and the id, not at the field names on the wire.
        const search = (text: string): string[] => {
          // A filtered read scans within a time budget and resumes on the next call.
          for (let call = 0; call < 100; call++) {
            const page = log.read(0, 5, 100, { text })
            if (page.complete) return page.entries.map((e) => e.id ?? '')
          }
          throw new Error('the filter never completed')
        }
        expect(search('"I":99995')).toEqual(['99995'])
        expect(search('data:')).toEqual([])
        expect(search('MESSAGE')).toEqual(['0', '1', '2', '3', '4'])
        store.dispose()
        store = null
      }
    },
  )

  it('an id on its own sets the last event id at dispatch; a carried id is kept in the log for later events', () => {
    store = new StreamLogStore()
    const log = store.create('e2')
    const state: SseIdState = { lastEventId: 'from-before' }
    decode(log, [Buffer.from('data: a\n\nid: 42\n\ndata: b\n\nid: 43\n')], state)
    expect(rows(log)).toEqual([
      ['event', 'a', 'message', 'from-before'],
      ['event', 'b', 'message', '42'],
    ])
    // `id: 43` was never dispatched (no blank line): the last event id stays 42.
    expect(state.lastEventId).toBe('42')
    // The next connection carries it on, and an empty id clears it.
    decode(log, [Buffer.from('data: c\n\nid\n\ndata: d\n\n')], state)
    expect(rows(log).slice(2)).toEqual([
      ['event', 'c', 'message', '42'],
      ['event', 'd', 'message', null],
    ])
    expect(state.lastEventId).toBe('')
  })

  it('a full log counts messages as dropped and still shows them as ticks with their text', () => {
    store = new StreamLogStore({ maxEntries: 2 })
    const log = store.create('e3')
    const { ticks } = decode(log, [
      Buffer.from('id: 1\ndata: one\n\ndata: two\n\n'),
      Buffer.from('event: late\ndata: three\ndata: more\n\n: note\n\n'),
    ])
    expect(log.entries).toBe(2)
    expect(log.read(0, 10, 10).dropped).toBe(2)
    expect(ticks).toEqual([
      { kind: 'event', seq: 0, count: 2, size: 6, preview: 'two', event: 'message', id: '1' },
      { kind: 'event', seq: -1, count: 1, size: 10, preview: 'three\nmore', event: 'late', id: '1' },
      { kind: 'comment', seq: -1, count: 1, size: 4, preview: 'note', event: undefined, id: undefined },
    ])
  })

  it('keeps the time of the chunk that completed each message, across index pages, comments among events, and a log that fills mid-chunk', () => {
    // The log keeps a chunk's events as one group (their time, their place in the chunk's text); a comment
    // between them takes the next seq and splits the group.
    const total = 70_000
    let text = ''
    for (let i = 0; i < total; i++) text += i % 1000 === 7 ? `: note ${i}\n` : `id: ${i}\ndata: ${i}\n\n`
    const bytes = Buffer.from(text)
    const chunks: Buffer[] = []
    for (let at = 0, k = 0; at < bytes.length; k++) {
      const n = k % 3 === 2 ? 5 : 40_009
      chunks.push(Buffer.from(bytes.subarray(at, at + n)))
      at += n
    }
    // Where each message is complete: an event at its blank line, a comment at its line end.
    const want: { data: string; t: number }[] = []
    let chunk = 0
    let chunkEnd = chunks[0]?.length ?? 0
    const completedAt = (end: number): number => {
      while (end >= chunkEnd) chunkEnd += chunks[++chunk]?.length ?? 0
      return chunk
    }
    let at = 0
    for (let i = 0; i < total; i++) {
      if (i % 1000 === 7) {
        at += `: note ${i}\n`.length
        want.push({ data: `note ${i}`, t: completedAt(at - 1) })
      } else {
        at += `id: ${i}\ndata: ${i}\n\n`.length
        want.push({ data: String(i), t: completedAt(at - 1) })
      }
    }
    const keep = 66_000
    store = new StreamLogStore({ maxEntries: keep })
    const log = store.create('times')
    const { ticks } = decode(log, chunks)
    expect(log.entries).toBe(keep)
    const got: { data: string; t: number }[] = []
    for (let from = 0; from < keep; from += 10_000)
      for (const e of log.read(from, 10_000, 100).entries) got.push({ data: e.data, t: e.t })
    expect(got).toEqual(want.slice(0, keep))
    // Every message is a tick; those past the log's bound come one a tick, with seq -1.
    expect(ticks.reduce((n, t) => n + t.count, 0)).toBe(total)
    expect(ticks.filter((t) => t.seq < 0).length).toBe(total - keep)
    expect(ticks.filter((t) => t.seq >= 0).reduce((n, t) => n + t.count, 0)).toBe(keep)
    expect(log.read(0, 1, 10).dropped).toBe(total - keep)
  })

  it('keeps the events before a line past the limit readable, and stops there', () => {
    store = new StreamLogStore()
    const log = store.create('e5')
    const { fatal, ticks } = decode(log, [
      Buffer.from('id: 1\ndata: one\n\n'),
      Buffer.concat([Buffer.from('data: two\n\ndata: '), Buffer.alloc(1100 * 1024, 97)]),
    ])
    // Where it stopped: the body's byte count, and how far into the event (it started at byte 28).
    expect(fatal).toEqual([
      'An event or line is longer than the limit of 1.0 MB (1048576 bytes): the stream was stopped at byte 1126434, 1126406 bytes into the event',
    ])
    expect(rows(log)).toEqual([
      ['event', 'one', 'message', '1'],
      ['event', 'two', 'message', '1'],
    ])
    // The connection ends there: the last chunk's events are in the log but not told.
    expect(ticks.map((t) => t.preview)).toEqual(['one'])
  })

  it('stops at a line longer than its limit, with a clear message', () => {
    store = new StreamLogStore()
    const log = store.create('e4')
    const { fatal } = decode(log, [
      Buffer.from('data: '),
      Buffer.alloc(700 * 1024, 97),
      Buffer.alloc(400 * 1024, 97),
    ])
    expect(fatal).toEqual([
      'An event or line is longer than the limit of 1.0 MB (1048576 bytes): the stream was stopped at byte 1126406, 1126406 bytes into the event',
    ])
  })
})
