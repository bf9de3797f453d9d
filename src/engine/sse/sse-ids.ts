import { SseLineParser, type ParsedEvent } from './sse-line-parser'

/**
 * What the SSE parser leaves to its caller, for the SSE decoder and for reading events back out of the stream
 * log: the last event id at each event (see `IdOnlyBlocks`), and replaying a stretch of an event stream's text
 * (whole blocks, as the log keeps them) through the parser again, collecting each event's data.
 */

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32

/** An event read back: its data, type (undefined: `message`) and the last event id at its dispatch ('' none). */
export interface ReplayedEvent {
  data: string
  event: string | undefined
  id: string
}

/**
 * The events in `text` (whole blocks, ending in a blank line), parsed again with their data, with the last event
 * id at each; `startId` is the last event id where the text begins.
 */
export function replayEvents(text: string, startId: string): ReplayedEvent[] {
  const found: ParsedEvent[] = []
  const ignore = (): void => undefined
  const parser = new SseLineParser(
    { onEvent: (e) => found.push(e), onComment: ignore, onRetry: ignore, onInvalid: ignore },
    true,
  )
  parser.feed(text, false)
  const ids = new IdOnlyBlocks(startId)
  let withoutId = 0
  for (const e of found) if (e.id === undefined) withoutId++
  const exact = ids.chunk(text, found.length, withoutId)
  let last = startId
  return found.map((e, k) => {
    if (exact !== null) last = exact[k] as string
    else if (e.id !== undefined) last = e.id
    return { data: e.data ?? '', event: e.event, id: last }
  })
}

/**
 * The one thing the parser does not report (as eventsource-parser 3.1 does not): a block with an `id` but no
 * data (`id: 42` then a blank line). WHATWG dispatch still makes its id the last event id (sent on reconnect,
 * carried by later events), but the parser dispatches only blocks with data, and resets its id without a
 * callback. (`SseLineParser` could report it; then this class can go.)
 *
 * It only watches lines, it does not parse fields, and per chunk it mostly only searches: the parser's ids are
 * the answer when no `id` line can have changed the buffer since the last dispatch (a chunk with no line
 * starting `id`, one native search), or when every event in the chunk has its own id and the chunk's last
 * dispatched block has data (a data-less block then changes no event's id, nor the id at the chunk's end).
 * Only other chunks (events without ids mixed with `id` lines, a data-less block last, a CR) are walked line
 * by line, for where the ids and blank lines are; and the lines after a chunk's last blank line always are
 * (the start of the next block), so that the walk can pick up where a chunk leaves off.
 */
export class IdOnlyBlocks {
  /** The last event id buffer (set by `id` lines), and its value at the last dispatch. */
  private buffer: string
  lastEventId: string
  private hasData = false
  /** The start of a line not yet ended: all of it for an `id` line, else enough to tell a `data` line. */
  private partial = ''
  /** `partial` starts an `id` line (kept whole), and how many pieces it was joined from. */
  private partialId = false
  private pieces = 0
  /**
   * The last chunk ended in CR. That CR ended its line there, as the decoder has the parser take it; an LF
   * that starts the next chunk is the CRLF's second half, not a line of its own.
   */
  private crEnded = false
  /** The data-ful dispatches of the chunk being walked: the last event id at each. */
  private collected: string[] = []

  constructor(lastEventId: string) {
    this.buffer = lastEventId
    this.lastEventId = lastEventId
  }

  /**
   * A chunk the parser has read, in which it reported `events` events, `withoutId` of them with no `id` of
   * their own: null when the parser's ids tell the last event id (call `settle` with it then), else the last
   * event id at each of those events' dispatch.
   */
  chunk(text: string, events: number, withoutId: number): string[] | null {
    this.tailFrom = -1
    const skip = this.crEnded && text.charCodeAt(0) === LF ? 1 : 0
    this.crEnded = text.charCodeAt(text.length - 1) === CR
    if (skip === 0 && text.indexOf('\r') === -1) {
      const last = text.lastIndexOf('\n\n')
      const after = last !== -1 ? last + 2 : text.charCodeAt(0) === LF && this.partial === '' ? 1 : -1
      if (this.idsTold(text, events, withoutId, last)) {
        if (after !== -1) {
          // What follows the last blank line is a new block.
          this.hasData = false
          this.partial = ''
          this.partialId = false
        }
        this.tailFrom = after
        this.pendingText = text
        return null
      }
    }
    this.collected = []
    this.walk(text, skip)
    const out = this.collected
    this.collected = []
    // Should the parser have seen other dispatches than these lines show, its own ids are the answer.
    return out.length === events ? out : null
  }

  /**
   * Do the parser's ids tell the last event id at each of the chunk's events and at its last dispatch (an LF-only
   * chunk, `last` where its last blank line is)? Yes when no `id` line can have set the buffer since the last
   * dispatch before the chunk nor in it (the events carry the last event id), or when every event has its own
   * id and the chunk's last dispatched block is an event (data-less blocks before it change no event's id).
   * Each costs a native search or two per chunk, not per event; else the chunk's lines are walked.
   */
  private idsTold(text: string, events: number, withoutId: number, last: number): boolean {
    if (
      this.buffer === this.lastEventId &&
      text.indexOf('\nid') === -1 &&
      // (A long `partial` is an `id` line: not searched again, as that would copy it whole per chunk.)
      !this.partialId &&
      !(this.partial + text.slice(0, 2)).startsWith('id')
    )
      return true
    if (withoutId !== 0 || events === 0 || last === -1) return false
    // The block the last blank line ends: from the blank line before it (or the chunk's start, continuing
    // the block the walk left off in), up to it.
    const before = last === 0 ? -1 : text.lastIndexOf('\n\n', last - 1)
    let from: number
    if (before !== -1) {
      from = before + 2
      if (from > last) return false
    } else if (this.partial === '' && text.charCodeAt(0) === LF) {
      // A blank line first: it ended the block the walk left off in; the last block starts after it.
      from = 1
    } else {
      if (this.hasData || this.partial === 'data:') return true
      if (this.partial !== '') return false
      from = 0
    }
    if (isDataLine(text, from)) return true
    let i = text.indexOf('\ndata', from)
    while (i !== -1 && i < last) {
      if (isDataLine(text, i + 1)) return true
      i = text.indexOf('\ndata', i + 1)
    }
    return false
  }

  /** Where the text after the chunk's last blank line starts (-1: the chunk has no blank line). */
  tailFrom = -1
  /** A chunk answered by its events, whose lines after the last blank one are still to be walked. */
  private pendingText = ''

  /** After a chunk answered by its events: the last event id is `last`; the rest of the chunk is walked. */
  settle(last: string): void {
    if (this.pendingText === '') {
      // The chunk was walked but did not agree with the parser: take the parser's word.
      this.buffer = last
      this.lastEventId = last
      return
    }
    const text = this.pendingText
    this.pendingText = ''
    if (this.tailFrom >= 0) this.buffer = last
    this.lastEventId = last
    this.walk(text, Math.max(this.tailFrom, 0))
  }

  /** Lines of `text` from `pos`: blank lines dispatch, `data` lines mark the block, `id` lines set the buffer. */
  private walk(text: string, pos: number): void {
    const n = text.length
    while (pos < n) {
      let end = pos
      while (end < n) {
        const c = text.charCodeAt(end)
        if (c === LF || c === CR) break
        end++
      }
      if (end === n) {
        // The end of the text inside a line: keep the line's start.
        this.keep(text.slice(pos, end))
        return
      }
      const line = this.partial === '' ? text.slice(pos, end) : this.partial + text.slice(pos, end)
      this.partial = ''
      this.partialId = false
      this.line(line)
      pos = end + 1
      if (text.charCodeAt(end) === CR && text.charCodeAt(pos) === LF) pos++
      if (line === '') this.tailFrom = pos
    }
  }

  private keep(piece: string): void {
    // A line that is not an `id` line keeps only its first 5 characters, known once it has them.
    if (this.partial.length >= 5 && !this.partialId) return
    if (this.partialId) {
      this.partial += piece
      // An `id` line in many tiny chunks would be a string of as many nodes (tens of bytes each, for a byte
      // of text): once it has more nodes than a 64th of its length, reading a character makes V8 flatten it.
      if (++this.pieces > 64 && this.pieces * 64 > this.partial.length) {
        this.partial.charCodeAt(0)
        this.pieces = 1
      }
      return
    }
    const line = this.partial + piece
    this.partialId = line.startsWith('id:')
    this.partial = this.partialId ? line : line.slice(0, 5)
    this.pieces = 1
  }

  private line(line: string): void {
    if (line === '') {
      this.lastEventId = this.buffer
      if (this.hasData) this.collected.push(this.buffer)
      this.hasData = false
      return
    }
    const c = line.charCodeAt(0)
    if (c === 100 && line.startsWith('data') && (line.length === 4 || line.charCodeAt(4) === COLON)) {
      this.hasData = true
    } else if (c === 105 && line.startsWith('id') && (line.length === 2 || line.charCodeAt(2) === COLON)) {
      const value = line.length === 2 ? '' : line.slice(line.charCodeAt(3) === SPACE ? 4 : 3)
      if (!value.includes('\0')) this.buffer = value
    }
  }
}

/** A `data` field line starts at `at` (LF-only text). */
function isDataLine(text: string, at: number): boolean {
  if (!text.startsWith('data', at)) return false
  const c = text.charCodeAt(at + 4)
  return c === COLON || c === LF
}
