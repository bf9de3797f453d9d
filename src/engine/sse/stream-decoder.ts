import { isAscii } from 'node:buffer'
import { formatBytes } from '../../shared/format'
import type { StreamMode } from '../../shared/timeline'
import type { StreamLog } from '../streams/stream-log'
import { IdOnlyBlocks } from './sse-ids'
import { LineDecoder } from './line-decoder'
import { SseLineParser, type ParsedEvent } from './sse-line-parser'
import { groupDigits } from '../../shared/group-digits'

/**
 * Turns the bytes of a streamed HTTP response into messages, chunk by chunk as they arrive:
 *
 * - `sse`: the WHATWG EventSource rules, parsed by `SseLineParser` (eventsource-parser's rules, without building
 *   each event's data: the log reads that back from the block's text). Each network chunk
 *   is decoded once as a UTF-8 stream (a character split across chunks is joined, bytes that are not UTF-8
 *   become U+FFFD, one leading BOM is dropped, as the spec decodes; an ASCII chunk is read byte for byte) and fed
 *   to the parser, which handles CR, LF and CRLF line ends (a CR at once, a CRLF split across chunks as one),
 *   multi-line data, `event`, `id`, `retry` and comments. An event counts whole (all its lines) against
 *   `maxBuffer`. The parser's callbacks only collect what it reports; once the chunk is read, its events, comments
 *   and malformed lines (`comment`, `invalid`: shown, not fatal) go into the session's log and are told to the
 *   sink as runs, one tick each.
 *   The last event id persists across events and reconnects (the spec's buffer is not reset by dispatch),
 *   and an `id` in a block with no data still sets it at dispatch (see `IdOnlyBlocks`). An event the stream
 *   ends in the middle of is not dispatched.
 * - `ndjson`: one message per line (LF or CRLF), empty lines skipped.
 * - `chunks`: every chunk as it came off the wire.
 *
 * One decoder per connection: a reconnect starts a fresh one, but the last event id carries over through
 * the shared `SseIdState`.
 */

/** Text messages: SSE events (with their type and the last event id), comments, malformed lines, NDJSON lines. */
export type TextKind = 'event' | 'comment' | 'invalid' | 'line'

/**
 * Where decoded messages go. Positional arguments, not a message object: SSE messages come a run at a time
 * (one call per network chunk, typically), NDJSON lines one at a time.
 */
export interface DecoderSink {
  /** One NDJSON line. */
  text(kind: TextKind, data: string): void
  /**
   * SSE messages already in the log: `count` consecutive messages of one kind from log seq `seq`, `size` data
   * bytes in all; `preview`, `event` and `id` are the last one's (a comment's text, or what is wrong with an
   * `invalid` line). A message the log did not keep (it is full) comes alone, with seq -1.
   */
  messages(
    kind: TextKind,
    seq: number,
    count: number,
    size: number,
    preview: string,
    event?: string,
    id?: string,
  ): void
  /** A raw chunk (`chunks` mode). */
  bytes(chunk: Buffer): void
  /** The server set the reconnection time with `retry:`. */
  retry(ms: number): void
  /** The stream broke a limit (a line or event past `maxBuffer`): the connection should end. */
  fatal(message: string): void
}

/** The last event id of a session, shared by its connections. */
export interface SseIdState {
  lastEventId: string
}

export interface StreamDecoder {
  readonly mode: Exclude<StreamMode, 'ws'>
  /** A chunk of the body that arrived at engine time `t`. */
  push(chunk: Buffer, t: number): void
  /** The body ended: flush a last unterminated NDJSON line. (An unterminated SSE event is dropped, per spec.) */
  end(): void
}

/** Pick the mode from the response's content type, unless the caller forced one. */
export function streamModeFor(
  contentType: string,
  forced: 'auto' | 'sse' | 'ndjson' | 'chunks',
): Extract<StreamMode, 'sse' | 'ndjson' | 'chunks'> {
  if (forced !== 'auto') return forced
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase()
  if (type === 'text/event-stream') return 'sse'
  if (
    type === 'application/x-ndjson' ||
    type === 'application/ndjson' ||
    type === 'application/jsonl' ||
    type === 'application/x-jsonlines' ||
    type === 'application/jsonlines' ||
    type === 'application/json-seq'
  )
    return 'ndjson'
  return 'chunks'
}

export function createStreamDecoder(
  mode: Exclude<StreamMode, 'ws'>,
  sink: DecoderSink,
  state: SseIdState,
  maxBuffer: number,
  log: StreamLog,
): StreamDecoder {
  if (mode === 'sse') return new SseDecoder(sink, state, maxBuffer, log)
  if (mode === 'ndjson') return new LineDecoder(sink, maxBuffer)
  return {
    mode: 'chunks',
    push: (chunk) => sink.bytes(chunk),
    end: () => undefined,
  }
}

/** A run of messages of one kind with consecutive seqs, told to the sink as one tick once the chunk is read. */
interface Run {
  kind: TextKind
  seq: number
  count: number
  size: number
  /** The last one's text (what is wrong, for a malformed line), type and last event id. */
  preview: string
  event: string | undefined
  id: string | undefined
  /** Where, among the chunk's events, the run's last event is (for its id, should the chunk's ids be redone). */
  at: number
}

class SseDecoder implements StreamDecoder {
  readonly mode = 'sse' as const
  /**
   * The stream's UTF-8 decoder (it drops a BOM at the very start). An ASCII chunk read while it holds no part of
   * a character is its own text, a byte a character: it is read as Latin-1, a plain copy, which costs several
   * times less than the streaming decoder (Node's goes through ICU). Once text was read that way, the decoder
   * is one that keeps a BOM, as the stream no longer starts there.
   */
  private utf8 = new TextDecoder('utf-8')
  /** The decoder holds back no part of a character (the last chunk was ASCII). */
  private whole = true
  /** Some of the stream was read. */
  private started = false
  private readonly parser: SseLineParser
  private readonly ids: IdOnlyBlocks
  private dead = false
  /** Bytes of the body read so far (where a limit cut the stream, in its message). */
  private received = 0
  /** Engine time of the chunk being read: every message completed in it arrived then. */
  private t = 0
  /** The last event id as the events of the chunk being read carry them. */
  private last: string
  /** The events of the chunk being read come from ASCII text (so a data's length is its size in bytes). */
  private ascii = true
  /** The text since the last blank line before this chunk (the start of the block being read) is ASCII. */
  private carryAscii = true
  /** Events of the chunk being read so far, and how many of them had no `id` of their own. */
  private events = 0
  private withoutId = 0
  /**
   * The text since the last blank line before this chunk, and the last event id there: with the chunk's text
   * up to its own last blank line, it is the whole blocks of the chunk's events, which the log keeps.
   */
  private carry = ''
  private carryId: string
  /** The carry's size in bytes, as it came off the wire, and how many pieces it was joined from. */
  private carryBytes = 0
  private carryPieces = 0
  /**
   * The events of the chunk being read that the log has room for and has not been given yet: `pending` of
   * them from its `pendingFrom`th, `pendingSize` bytes of data, the last one and the last event id at it.
   * They go to the log as one group (`holdEvents`) once the chunk is read, or before a comment or malformed
   * line takes the next seq, so that per event only counters move here.
   */
  private pending = 0
  private pendingFrom = 0
  private pendingSize = 0
  private pendingLast: ParsedEvent | null = null
  private pendingId = ''
  /** Entries the log has room for, besides the pending events. */
  private room = 0
  /** The runs of this chunk (each a tick's worth), in order. */
  private runs: Run[] = []

  constructor(
    private readonly sink: DecoderSink,
    private readonly state: SseIdState,
    private readonly maxBuffer: number,
    private readonly log: StreamLog,
  ) {
    this.last = state.lastEventId
    this.carryId = state.lastEventId
    this.ids = new IdOnlyBlocks(state.lastEventId)
    this.parser = new SseLineParser({
      onEvent: (e) => this.event(e),
      onComment: (text) => this.plain('comment', text, text),
      onRetry: (ms) => this.sink.retry(ms),
      onInvalid: (line, message) => this.plain('invalid', line, message),
    })
  }

  push(chunk: Buffer, t: number): void {
    if (this.dead || chunk.length === 0) return
    this.t = t
    this.received += chunk.length
    const ascii = isAscii(chunk)
    // The text is the chunk's bytes, a character a byte (not so after bytes the decoder held back: they come
    // out first, completed or as U+FFFD).
    const own = ascii && this.whole
    this.ascii = own && this.carryAscii
    let text: string
    if (own) {
      if (!this.started) this.utf8 = new TextDecoder('utf-8', { ignoreBOM: true })
      text = chunk.toString('latin1')
    } else text = this.utf8.decode(chunk, { stream: true })
    this.started = true
    // After ASCII the decoder holds nothing back; after other bytes it may hold the start of a character.
    this.whole = ascii
    if (text !== '') this.take(text, own, chunk)
  }

  end(): void {
    if (this.dead) return
    const rest = this.utf8.decode()
    this.ascii = false
    if (rest !== '') this.take(rest, false, null)
  }

  /**
   * One event as the parser made it: only counted here (it joins the pending run). The log indexes the run
   * (time, where its events are among the chunk's); their data, type and id are read back from the text the
   * chunk's blocks came in.
   */
  private event(e: ParsedEvent): void {
    if (e.id !== undefined) this.last = e.id
    else this.withoutId++
    const size = e.size
    const at = this.events++
    if (this.pending < this.room) {
      if (this.pending === 0) this.pendingFrom = at
      this.pending++
      this.pendingSize += size
      this.pendingLast = e
      this.pendingId = this.last
      return
    }
    // The log is full: the event is counted as dropped and told alone, with its text.
    this.flushEvents()
    this.log.countDropped()
    this.runs.push({
      kind: 'event',
      seq: -1,
      count: 1,
      size,
      preview: e.preview,
      event: e.event,
      id: this.last,
      at,
    })
  }

  /** The pending events to the log, as one run. */
  private flushEvents(): void {
    const count = this.pending
    if (count === 0) return
    const last = this.pendingLast as ParsedEvent
    const seq = this.log.holdEvents(this.t, this.pendingFrom, count)
    const at = this.pendingFrom + count - 1
    this.runs.push({
      kind: 'event',
      seq,
      count,
      size: this.pendingSize,
      preview: last.preview,
      event: last.event,
      id: this.pendingId,
      at,
    })
    this.pending = 0
    this.pendingSize = 0
    this.pendingLast = null
    this.room = this.log.room
  }

  /** A comment or a malformed line (rare): recorded as text. */
  private plain(kind: 'comment' | 'invalid', data: string, preview: string): void {
    this.flushEvents()
    const seq = this.log.appendText(this.t, 'in', kind, data)
    this.room = this.log.room
    const size = this.log.sizeOf(seq, data)
    const run = this.runs[this.runs.length - 1]
    if (run !== undefined && run.kind === kind && seq === run.seq + run.count && seq >= 0 && run.seq >= 0) {
      run.count++
      run.size += size
      run.preview = preview
    } else {
      this.runs.push({ kind, seq, count: 1, size, preview, event: undefined, id: undefined, at: 0 })
    }
  }

  /** One decoded chunk (`ascii`: `chunk`, its bytes, were ASCII, so the text is they, a byte a character). */
  private take(text: string, ascii: boolean, chunk: Buffer | null): void {
    this.room = this.log.room
    this.parser.feed(text, ascii)
    this.flushEvents()
    const events = this.events
    const withoutId = this.withoutId
    this.events = 0
    this.withoutId = 0
    // The last event id at each event's dispatch: from the events' own ids, unless the chunk dispatched a
    // block with no data (which eventsource-parser does not report), when the chunk's lines are looked at.
    const exact = this.ids.chunk(text, events, withoutId)
    if (exact === null) this.ids.settle(this.last)
    else this.last = this.ids.lastEventId
    this.state.lastEventId = this.last
    // The log keeps the text of the blocks this chunk ended (from the last blank line before it to its own).
    const tail = this.ids.tailFrom
    if (tail >= 0) {
      if (events > 0 && this.ascii && chunk !== null) {
        // ASCII blocks are kept as their bytes (copied off the JS heap; the chunk's text dies young).
        this.log.holdBlockBytes(this.carry, chunk, tail, this.carryId)
      } else if (events > 0) this.log.holdBlocks(this.carry + text.slice(0, tail), this.carryId, this.ascii)
      this.carry = text.slice(tail)
      this.carryId = this.last
      this.carryAscii = ascii || !NON_ASCII.test(this.carry)
      this.carryBytes = this.carryAscii ? this.carry.length : Buffer.byteLength(this.carry)
      this.carryPieces = 1
    } else {
      if (events > 0) {
        // Should the lines and the parser disagree (they should not), the events are kept with all there is.
        this.log.holdBlocks(this.carry + text, this.carryId, this.ascii)
        this.carry = ''
        this.carryBytes = 0
      } else {
        this.carry += text
        this.carryBytes += ascii ? text.length : Buffer.byteLength(text)
        // Many tiny chunks would make the carry a string of as many nodes (tens of bytes each, for a byte of
        // text): once it has more nodes than a 64th of its length, reading a character makes V8 copy it
        // into one flat string (amortized, a byte is copied at most 64 times).
        if (++this.carryPieces > 64 && this.carryPieces * 64 > this.carry.length) {
          this.carry.charCodeAt(0)
          this.carryPieces = 1
        }
      }
      this.carryAscii = this.carryAscii && ascii
    }
    // The event being read is all its lines so far (field names, comments and ends included): counted whole,
    // so that many short `data` lines cannot build an event far larger than the limit one line at a time.
    if (this.carryBytes > this.maxBuffer) this.dead = true
    if (this.dead) {
      // The events before the one past the limit are in the log, but the connection ends here, untold.
      this.runs.length = 0
      const inEvent = Math.max(this.carryBytes, this.maxBuffer + 1)
      this.carry = ''
      this.carryBytes = 0
      this.sink.fatal(
        `An event or line is longer than the limit of ${formatBytes(this.maxBuffer)} (${groupDigits(this.maxBuffer)} bytes): ` +
          `the stream was stopped at byte ${groupDigits(this.received)}, ${groupDigits(inEvent)} bytes into the event`,
      )
      return
    }
    for (const run of this.runs) {
      if (exact !== null && run.kind === 'event') run.id = exact[run.at] ?? run.id
      this.tell(run)
    }
    this.runs.length = 0
  }

  private tell(run: Run): void {
    const event = run.kind === 'event' ? (run.event ?? 'message') : undefined
    const id = run.kind === 'event' && run.id !== '' ? run.id : undefined
    if (run.seq < 0) {
      this.sink.messages(run.kind, -1, 1, run.size, run.preview.slice(0, DROPPED_PREVIEW), event, id)
      return
    }
    this.sink.messages(run.kind, run.seq, run.count, run.size, run.preview, event, id)
  }
}

const NON_ASCII = /[\u0080-\uffff]/

/** Characters of a message the log did not keep that are kept for its tick's preview. */
const DROPPED_PREVIEW = 80
