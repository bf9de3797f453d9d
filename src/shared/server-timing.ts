import type { HeaderList } from './timeline'

/**
 * Server-Timing (W3C Server Timing, RFC 9110 list syntax): what the server says it spent its time on.
 *
 *   Server-Timing: db;dur=120.5;desc="Primary DB", cache;desc=miss, render;dur=30
 *
 * Each entry is a token name with optional `dur` (ms) and `desc` parameters, as a token or a quoted string. As
 * browsers do, a malformed entry is skipped and the rest are kept, the first `dur` / `desc` of an entry wins and
 * unknown parameters are ignored. Pure and linear in the input; bounded in entries and characters, and a cut
 * says so in `note`.
 */

export interface ServerTimingEntry {
  name: string
  /** Milliseconds, when the server gave a number. */
  dur?: number
  desc?: string
  /** Where the entry came from: a response header, or a trailer after a chunked body. */
  source: 'header' | 'trailer'
}

export interface ServerTiming {
  entries: ServerTimingEntry[]
  /** What was left out, in plain words, when something was. */
  note?: string
}

/** Entries kept per response (headers and trailers together); more are counted in the note. */
export const MAX_SERVER_TIMING_ENTRIES = 64
/** Longest name and description kept; longer ones are clipped with an ellipsis. */
export const MAX_SERVER_TIMING_NAME = 64
export const MAX_SERVER_TIMING_DESC = 200

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

interface Cursor {
  s: string
  i: number
}

function skipSpace(c: Cursor): void {
  while (c.i < c.s.length && (c.s[c.i] === ' ' || c.s[c.i] === '\t')) c.i++
}

/** Reads up to (not including) one of `stops` outside quotes; returns the raw text. */
function readUntil(c: Cursor, stops: string): string {
  const start = c.i
  while (c.i < c.s.length && !stops.includes(c.s[c.i] ?? '')) c.i++
  return c.s.slice(start, c.i).trim()
}

/** Reads a quoted-string at the cursor (which is on the opening quote); null when it is never closed. */
function readQuoted(c: Cursor): string | null {
  c.i++
  let out = ''
  while (c.i < c.s.length) {
    const ch = c.s[c.i]
    if (ch === '"') {
      c.i++
      return out
    }
    if (ch === '\\' && c.i + 1 < c.s.length) c.i++
    out += c.s[c.i]
    c.i++
  }
  return null
}

/** Skips to just past the next comma outside quotes (the end of a malformed entry). */
function skipEntry(c: Cursor): void {
  while (c.i < c.s.length && c.s[c.i] !== ',') {
    if (c.s[c.i] === '"') {
      if (readQuoted(c) === null) return
    } else c.i++
  }
  if (c.i < c.s.length) c.i++
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** One entry at the cursor, or null when it is malformed (the cursor then is past it). */
function readEntry(c: Cursor, source: ServerTimingEntry['source']): ServerTimingEntry | null {
  const name = readUntil(c, ';,"')
  const next = c.s[c.i]
  if (!TOKEN.test(name) || (next !== undefined && next !== ';' && next !== ',')) {
    skipEntry(c)
    return null
  }
  const entry: ServerTimingEntry = { name: clip(name, MAX_SERVER_TIMING_NAME), source }
  while (c.i < c.s.length && c.s[c.i] === ';') {
    c.i++
    const key = readUntil(c, '=;,"').toLowerCase()
    let value: string | null = ''
    if (c.s[c.i] === '=') {
      c.i++
      skipSpace(c)
      if (c.s[c.i] === '"') {
        value = readQuoted(c)
        if (value === null) return null
        skipSpace(c)
      } else value = readUntil(c, ';,"')
    }
    if (c.i < c.s.length && c.s[c.i] !== ';' && c.s[c.i] !== ',') {
      // Text after a parameter's value that is not the next parameter or entry: the entry is malformed.
      skipEntry(c)
      return null
    }
    if (!TOKEN.test(key)) continue
    if (key === 'dur' && entry.dur === undefined) {
      const ms = Number(value)
      // Browsers read a duration that is not a number as 0; a negative one is kept as the server said it.
      entry.dur = value !== '' && Number.isFinite(ms) ? ms : 0
    } else if (key === 'desc' && entry.desc === undefined) {
      entry.desc = clip(value, MAX_SERVER_TIMING_DESC)
    }
  }
  if (c.i < c.s.length && c.s[c.i] === ',') c.i++
  return entry
}

function parseInto(
  value: string,
  source: ServerTimingEntry['source'],
  out: ServerTimingEntry[],
  seen: { total: number },
): void {
  const c: Cursor = { s: value, i: 0 }
  // Every turn moves the cursor forward, so the loop is bounded by the value's length.
  while (c.i < c.s.length) {
    const before = c.i
    skipSpace(c)
    if (c.s[c.i] === ',') {
      c.i++
      continue
    }
    if (c.i >= c.s.length) break
    const entry = readEntry(c, source)
    if (entry) {
      seen.total++
      if (out.length < MAX_SERVER_TIMING_ENTRIES) out.push(entry)
    }
    if (c.i === before) c.i++
  }
}

/**
 * Server-Timing entries of a response: every `Server-Timing` header, then every one in the trailers, in order.
 * Returns null when the response said nothing (or nothing that parses).
 */
export function serverTimingOf(headers: HeaderList, trailers: HeaderList = []): ServerTiming | null {
  const entries: ServerTimingEntry[] = []
  const seen = { total: 0 }
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'server-timing') parseInto(value, 'header', entries, seen)
  }
  for (const [name, value] of trailers) {
    if (name.toLowerCase() === 'server-timing') parseInto(value, 'trailer', entries, seen)
  }
  if (entries.length === 0) return null
  if (seen.total > entries.length) {
    return {
      entries,
      note: `The server sent ${seen.total} Server-Timing entries; the first ${entries.length} are kept`,
    }
  }
  return { entries }
}
