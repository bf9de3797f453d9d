import { createParser } from 'eventsource-parser'
import { expect } from 'vitest'
import { createStreamDecoder, type SseIdState, type TextKind } from '../../src/engine/sse/stream-decoder'
import type { StreamLog } from '../../src/engine/streams/stream-log'

/**
 * The SSE decoder tests' tools: run chunks through a decoder into a log, read the log back as rows, and what
 * eventsource-parser makes of the whole text at once (the reference); random streams and random cuts.
 */

export type Row = [kind: string, data: string, event: string | null, id: string | null]

export interface Tick {
  kind: TextKind
  seq: number
  count: number
  size: number
  preview: string
  event?: string | undefined
  id?: string | undefined
}

/** Run `chunks` through a decoder into `log`; returns the ticks it reported and the retry values. */
export function decode(log: StreamLog, chunks: Buffer[], state: SseIdState = { lastEventId: '' }) {
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

export function rows(log: StreamLog): Row[] {
  return log.read(0, 100_000, 1_000_000).entries.map((e) => [e.kind, e.data, e.event ?? null, e.id ?? null])
}

/**
 * What eventsource-parser makes of the whole stream fed at once, with the last event id at each event as the
 * stream's writer knows it (`ids`: the parser does not report blocks with an id and no data).
 */
export function reference(text: string, ids: string[]): { rows: Row[]; retries: number[] } {
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

/** A small deterministic PRNG, so a failure can be replayed. */
export function rng(seed: number): () => number {
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
export function randomStream(
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
export function cut(bytes: Buffer, r: () => number, largest = 200): Buffer[] {
  const out: Buffer[] = []
  let at = 0
  while (at < bytes.length) {
    const n = r() < 0.5 ? 1 + Math.floor(r() * 4) : 1 + Math.floor(r() * largest)
    out.push(Buffer.from(bytes.subarray(at, at + n)))
    at += n
  }
  return out
}
