import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createParser } from 'eventsource-parser'
import { afterEach, describe, expect, it } from 'vitest'
import type { SseIdState } from '../../src/engine/sse/stream-decoder'
import { StreamLogStore } from '../../src/engine/streams/stream-log-store'
import { cut, decode, randomStream, reference, rng, rows } from './sse-decoder-helpers'

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
      rmSync(dir, { recursive: true, force: true })
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
})
