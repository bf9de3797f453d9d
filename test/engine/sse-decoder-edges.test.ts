import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createParser } from 'eventsource-parser'
import { afterEach, describe, expect, it } from 'vitest'
import { createStreamDecoder } from '../../src/engine/sse/stream-decoder'
import { StreamLogStore } from '../../src/engine/streams/stream-log-store'
import { decode, reference, rows, type Row } from './sse-decoder-helpers'

/**
 * The SSE decoder at its edges: line ends that are a lone CR (taken at once) and a CRLF cut between chunks
 * (one line end), cut at every position; an event's whole size against the limit; and the memory a decoder
 * keeps however the text comes (short data lines, a byte a chunk, a long line or id).
 */

let store: StreamLogStore | null = null
afterEach(() => {
  store?.dispose()
  store = null
})

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

describe('the SSE decoder at its edges', () => {
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
      'An event or line is longer than the limit of 1.0 MB (1,048,576 bytes): the stream was stopped at byte 1,376,270, 1,376,256 bytes into the event',
    ])
    expect(ticks.map((t) => t.preview)).toEqual(['before'])
    expect(rows(log)).toEqual([['event', 'before', 'message', null]])
  })

  // About 1.3 million pushes: seconds of CPU, and several times that in wall time on a loaded runner.
  it(
    'keeps memory near the size of the text however it comes: many short data lines, a byte a chunk, a long line or id',
    { timeout: 90_000 },
    () => {
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
    },
  )

  it('keeps the events before a line past the limit readable, and stops there', () => {
    store = new StreamLogStore()
    const log = store.create('e5')
    const { fatal, ticks } = decode(log, [
      Buffer.from('id: 1\ndata: one\n\n'),
      Buffer.concat([Buffer.from('data: two\n\ndata: '), Buffer.alloc(1100 * 1024, 97)]),
    ])
    // Where it stopped: the body's byte count, and how far into the event (it started at byte 28).
    expect(fatal).toEqual([
      'An event or line is longer than the limit of 1.0 MB (1,048,576 bytes): the stream was stopped at byte 1,126,434, 1,126,406 bytes into the event',
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
      'An event or line is longer than the limit of 1.0 MB (1,048,576 bytes): the stream was stopped at byte 1,126,406, 1,126,406 bytes into the event',
    ])
  })
})
