import { isAscii } from 'node:buffer'
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser'
import type { StreamMode } from '../../shared/timeline'
import type { StreamLog } from '../streams/stream-log'

/**
 * Turns the bytes of a streamed HTTP response into messages, chunk by chunk as they arrive:
 *
 * - `sse`: the WHATWG EventSource rules, parsed by eventsource-parser. Each network chunk is decoded once as a
 *   UTF-8 stream (a character split across chunks is joined, bytes that are not UTF-8 become U+FFFD, one leading
 *   BOM is dropped, as the spec decodes) and fed to the parser, which handles CR, LF and CRLF line ends (also
 *   split across chunks), multi-line data, `event`, `id`, `retry` and comments. The parser's callbacks only
 *   collect what it reports; once the chunk is read, its events, comments and malformed lines (`comment`,
 *   `invalid`: shown, not fatal) go into the session's log and are told to the sink as runs, one tick each.
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
): Exclude<StreamMode, 'ws'> {
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

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32

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
}

/** A comment or a malformed line the parser reported (events are its own `EventSourceMessage`s). */
class Other {
  constructor(
    readonly kind: 'comment' | 'invalid',
    readonly data: string,
    readonly preview: string,
  ) {}
}

class SseDecoder implements StreamDecoder {
  readonly mode = 'sse' as const
  private readonly utf8 = new TextDecoder('utf-8')
  private readonly parser: EventSourceParser
  private readonly ids: IdOnlyBlocks
  private dead = false
  /** What the parser reported for the chunk being read, in order: the callbacks only collect. */
  private items: (EventSourceMessage | Other)[] = []
  private events = 0
  private others = 0
  /** The text since the last blank line before this chunk (the start of the block being read) is ASCII. */
  private carryAscii = true
  private runs: Run[] = []

  constructor(
    private readonly sink: DecoderSink,
    private readonly state: SseIdState,
    private readonly maxBuffer: number,
    private readonly log: StreamLog,
  ) {
    this.ids = new IdOnlyBlocks(state.lastEventId)
    this.parser = createParser({
      maxBufferSize: maxBuffer,
      onEvent: (e) => {
        this.items.push(e)
        this.events++
      },
      onComment: (text) => {
        this.items.push(new Other('comment', text, text))
        this.others++
      },
      onRetry: (ms) => this.sink.retry(ms),
      onError: (err) => {
        if (err.type === 'max-buffer-size-exceeded') this.dead = true
        else {
          this.items.push(new Other('invalid', err.line ?? '', err.message))
          this.others++
        }
      },
    })
  }

  push(chunk: Buffer, t: number): void {
    if (this.dead || chunk.length === 0) return
    const ascii = isAscii(chunk)
    const text = this.utf8.decode(chunk, { stream: true })
    if (text !== '') this.take(text, t, ascii)
  }

  end(): void {
    if (this.dead) return
    const rest = this.utf8.decode()
    this.carryAscii = false
    if (rest !== '') this.take(rest, 0, false)
  }

  /** One decoded chunk (`ascii`: its bytes were), arrived at engine time `t`. */
  private take(text: string, t: number, ascii: boolean): void {
    this.parser.feed(text)
    if (this.dead) {
      this.items.length = 0
      this.events = 0
      this.sink.fatal(`An event or line is longer than the limit of ${this.maxBuffer} bytes`)
      return
    }
    // The last event id at each event's dispatch: from the events' own ids, unless the chunk dispatched a
    // block with no data (which eventsource-parser does not report), when the chunk's lines are looked at.
    const exact = this.ids.chunk(text, this.events)
    // An event's data is ASCII (its length is its size in bytes) when the text it came from was.
    const asciiEvents = ascii && this.carryAscii
    const { log, items } = this
    let last = this.state.lastEventId
    let k = 0
    // The run being counted (a tick's worth): its first seq, count, size, and last event (`items` index).
    let kind: TextKind = 'event'
    let seq0 = -1
    let count = 0
    let size = 0
    let lastItem = -1
    const others = this.others
    for (let j = 0; j < items.length; j++) {
      const item = items[j] as EventSourceMessage | Other
      if (others > 0 && item instanceof Other) {
        const seq = log.appendText(t, 'in', item.kind, item.data)
        const n = log.sizeOf(seq, item.data)
        if (seq < 0 || seq0 < 0 || kind !== item.kind || seq !== seq0 + count) {
          if (count > 0) this.runs.push(this.makeRun(kind, seq0, count, size, lastItem, this.runId))
          kind = item.kind
          seq0 = seq
          count = 0
          size = 0
        }
        count++
        size += n
        lastItem = j
        continue
      }
      const e = item as EventSourceMessage
      if (exact !== null) last = exact[k] as string
      else if (e.id !== undefined) last = e.id
      k++
      const data = e.data
      const n = asciiEvents ? data.length : Buffer.byteLength(data)
      const seq = log.holdEvent(t, data, e.event, last, n)
      if (seq < 0 || seq0 < 0 || kind !== 'event' || seq !== seq0 + count) {
        if (count > 0) this.runs.push(this.makeRun(kind, seq0, count, size, lastItem, this.runId))
        kind = 'event'
        seq0 = seq
        count = 0
        size = 0
      }
      count++
      size += n
      lastItem = j
      this.runId = last
    }
    if (count > 0) this.runs.push(this.makeRun(kind, seq0, count, size, lastItem, this.runId))
    items.length = 0
    this.events = 0
    this.others = 0
    log.settle(asciiEvents)
    if (exact === null) this.ids.settle(last)
    this.state.lastEventId = exact === null ? last : this.ids.lastEventId
    // Whether what follows this chunk's last blank line is ASCII (the start of the next event's data).
    const tail = this.ids.tailFrom
    this.carryAscii = tail < 0 ? asciiEvents : ascii || !NON_ASCII.test(text.slice(tail))
    for (const r of this.runs) this.tell(r)
    this.runs.length = 0
  }

  /** The last event id of the last event counted into the run being built. */
  private runId = ''

  /** A run told as one tick: `count` messages of `kind` from `seq`, the last of them `items[at]`. */
  private makeRun(kind: TextKind, seq: number, count: number, size: number, at: number, id: string): Run {
    const item = this.items[at] as EventSourceMessage | Other
    if (item instanceof Other)
      return { kind, seq, count, size, preview: item.preview, event: undefined, id: undefined }
    return { kind, seq, count, size, preview: item.data, event: item.event, id }
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

/**
 * The one thing eventsource-parser does not report: a block with an `id` but no data (`id: 42` then a blank
 * line). WHATWG dispatch still makes its id the last event id (sent on reconnect, carried by later events),
 * but the parser dispatches only blocks with data, and resets its id without a callback. (Upstream added an
 * `onId` callback for this after the version installed here; when it is available, this class can go.)
 *
 * It only watches lines, it does not parse fields: per chunk the blank lines are counted (one native search
 * for `\n\n` per event), and when every dispatch in the chunk was an event the parser reported, the events'
 * ids are the answer. Only a chunk with a dispatch of a data-less block (or a CR in it) is walked line by
 * line, for where the ids and blank lines are.
 */
class IdOnlyBlocks {
  /** The last event id buffer (set by `id` lines), and its value at the last dispatch. */
  private buffer: string
  lastEventId: string
  private hasData = false
  /** The start of a line not yet ended: all of it for an `id` line, else enough to tell a `data` line. */
  private partial = ''
  /**
   * The text so far ended a line in CR: that line (`held`) is over, but it is looked at once a later chunk
   * brings a line end, as eventsource-parser does (an LF right after belongs to the CR), so both count the
   * same dispatches in the same chunk. `partial` is then the start of the line after it.
   */
  private crHeld = false
  private held = ''
  /** The data-ful dispatches of the chunk being walked: the last event id at each. */
  private collected: string[] = []

  constructor(lastEventId: string) {
    this.buffer = lastEventId
    this.lastEventId = lastEventId
  }

  /**
   * A chunk the parser has read, in which it reported `events` events: null when their own ids tell the last
   * event id (call `settle` with it then), else the last event id at each of those events' dispatch.
   */
  chunk(text: string, events: number): string[] | null {
    this.tailFrom = -1
    if (!this.crHeld && text.indexOf('\r') === -1) {
      let blanks = text.charCodeAt(0) === LF && this.partial === '' ? 1 : 0
      let after = blanks === 1 ? 1 : -1
      let i = text.indexOf('\n\n')
      while (i !== -1 && blanks <= events) {
        blanks++
        after = i + 2
        i = text.indexOf('\n\n', i + 1)
      }
      if (blanks === events) {
        if (after !== -1) {
          // Every block that ended here was an event: what follows the last blank line is a new block.
          this.hasData = false
          this.partial = ''
        }
        this.tailFrom = after
        this.pendingText = text
        return null
      }
    }
    this.collected = []
    this.walk(text, 0)
    const out = this.collected
    this.collected = []
    // Should the parser have seen other dispatches than these lines show, its own ids are the answer.
    return out.length === events ? out : null
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
    if (this.crHeld) {
      if (text.indexOf('\n', pos) === -1 && text.indexOf('\r', pos) === -1) {
        this.keep(text.slice(pos))
        return
      }
      this.crHeld = false
      const blank = this.held === ''
      this.line(this.held)
      this.held = ''
      if (this.partial === '' && text.charCodeAt(pos) === LF) pos++
      if (blank) this.tailFrom = pos
    }
    while (pos < n) {
      let end = pos
      while (end < n) {
        const c = text.charCodeAt(end)
        if (c === LF || c === CR) break
        end++
      }
      if (end === n || end === n - 1) {
        // The end of the text: keep the line's start (a last CR is looked at with the next chunk).
        this.keep(text.slice(pos, end))
        if (end === n - 1) {
          const line = this.partial
          this.partial = ''
          if (text.charCodeAt(end) === LF) {
            this.line(line)
            if (line === '') this.tailFrom = n
          } else {
            this.crHeld = true
            this.held = line
          }
        }
        return
      }
      const line = this.partial === '' ? text.slice(pos, end) : this.partial + text.slice(pos, end)
      this.partial = ''
      this.line(line)
      pos = end + 1
      if (text.charCodeAt(end) === CR && text.charCodeAt(pos) === LF) pos++
      if (line === '') this.tailFrom = pos
    }
  }

  private keep(piece: string): void {
    const line = this.partial + piece
    this.partial = line.startsWith('id:') ? line : line.slice(0, 5)
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

class LineDecoder implements StreamDecoder {
  readonly mode = 'ndjson' as const
  private readonly utf8 = new TextDecoder('utf-8')
  private partial = ''
  private dead = false

  constructor(
    private readonly sink: DecoderSink,
    private readonly maxBuffer: number,
  ) {}

  push(chunk: Buffer): void {
    if (this.dead) return
    this.take(this.utf8.decode(chunk, { stream: true }))
  }

  end(): void {
    if (this.dead) return
    this.take(this.utf8.decode())
    this.line(this.partial)
    this.partial = ''
  }

  private take(text: string): void {
    let start = 0
    let nl = text.indexOf('\n')
    while (nl !== -1) {
      const piece = text.slice(start, nl)
      const line = this.partial === '' ? piece : this.partial + piece
      this.partial = ''
      this.line(line)
      start = nl + 1
      nl = text.indexOf('\n', start)
    }
    this.partial += text.slice(start)
    if (this.partial.length > this.maxBuffer) {
      this.dead = true
      this.sink.fatal(`A line is longer than the limit of ${this.maxBuffer} characters`)
    }
  }

  private line(raw: string): void {
    // RFC 7464 (json-seq) prefixes records with RS; NDJSON allows CRLF.
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.startsWith('\u001e')) line = line.slice(1)
    if (line.trim() === '') return
    this.sink.text('line', line)
  }
}
