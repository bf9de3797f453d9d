import { isAscii, isUtf8 } from 'node:buffer'
import type { StreamMode } from '../../shared/timeline'
import { sseIdRef, type StreamLog } from '../streams/stream-log'

/**
 * Turns the bytes of a streamed HTTP response into messages, chunk by chunk as they arrive:
 *
 * - `sse`: the WHATWG EventSource rules, read straight off the bytes. Lines end in CR, LF or CRLF (also when the
 *   two are split across chunks); `data` lines join with LF; `event` sets the type; `id` sets the last event id
 *   buffer (unless it holds a NUL), which persists across events and reconnects and becomes the last event id
 *   at every dispatch, even of a block with no data; `retry` with only digits sets the reconnection time; one
 *   leading BOM is dropped; an event the stream ends in the middle of is not dispatched. Comments and malformed
 *   lines are messages of their own (`comment`, `invalid`), shown, not fatal.
 *   Each network chunk goes into the session's log once, as it came; an event is recorded as where its lines
 *   are (and where its id is), and its data is decoded as UTF-8 only when it is read (bytes that are not UTF-8
 *   then become U+FFFD, as the spec's decoder makes them). So the work per event is finding its lines and
 *   storing a few numbers; nothing is decoded or copied per event.
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
   * bytes in all. `preview` is the last one's text (a comment's, or what is wrong with an `invalid` line), or
   * null for events: read the last one from the log. A message the log did not keep (it is full) comes alone,
   * with seq -1 and its preview, type and id.
   */
  messages(
    kind: TextKind,
    seq: number,
    count: number,
    size: number,
    preview: string | null,
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

/** The last event id of a session, shared by its connections; `idRef` is where its bytes are in the log. */
export interface SseIdState {
  lastEventId: string
  idRef: number
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
/** Characters of a message the log did not keep that are kept for its tick's preview. */
const DROPPED_PREVIEW = 80

class SseDecoder implements StreamDecoder {
  readonly mode = 'sse' as const
  private dead = false
  /** Engine time of the chunk being read: every message completed in it arrived then. */
  private t = 0
  /** Whether the chunk being read has only ASCII bytes (then a line's length in bytes is its data's size). */
  private ascii = true
  /** The log could not keep the chunk being read (it is full): messages are counted, not recorded. */
  private dropping = false
  /** The connection's first line is still to come (it may start with a BOM). */
  private first = true
  /** The last line ended in CR at the end of a chunk: an LF first thing in the next belongs to it. */
  private skipLF = false
  /** Copies of the bytes of a line not yet ended, and where its first byte is in the log (-1: not there). */
  private partial: Buffer[] = []
  private partialLen = 0
  private partialAt = -1

  // The event being read: where its lines start in the log, and its data lines and bytes so far.
  private open = false
  private blockStart = 0
  private dataLines = 0
  private dataBytes = 0
  /** Only for a message the log does not keep (its tick needs them): the event type and data so far. */
  private droppedEvent = ''
  private droppedData = ''

  // The last event id buffer: a string, or (until the chunk ends) bytes in the chunk; and where it is in the log.
  private idStr: string | null
  private idBuf: Buffer | null = null
  private idStart = 0
  private idEnd = 0
  private idRef: number
  /** The buffer as it was at the last dispatch in this chunk (what the session's last event id becomes). */
  private dispatched = false
  private lastStr: string | null = null
  private lastBuf: Buffer | null = null
  private lastStart = 0
  private lastEnd = 0
  private lastRef = -1

  // Messages recorded from this chunk not yet told to the sink: a run of one kind with consecutive seqs.
  private runKind: TextKind = 'event'
  private runSeq = -1
  private runCount = 0
  private runSize = 0
  private runPreview: string | null = null

  constructor(
    private readonly sink: DecoderSink,
    private readonly state: SseIdState,
    private readonly maxBuffer: number,
    private readonly log: StreamLog,
  ) {
    this.idStr = state.lastEventId
    if (state.lastEventId !== '' && state.idRef < 0) {
      // An id from before this stream's bytes (set by the person, or from a connection the log did not keep).
      const bytes = Buffer.from(state.lastEventId)
      const at = log.appendRaw(bytes)
      if (at >= 0) state.idRef = sseIdRef(at, bytes.length)
    }
    this.idRef = state.lastEventId === '' ? -1 : state.idRef
  }

  push(chunk: Buffer, t: number): void {
    if (this.dead || chunk.length === 0) return
    this.t = t
    const base = this.log.appendRaw(chunk)
    this.dropping = base < 0
    const s = chunk.toString('latin1')
    const n = s.length
    let pos = 0
    if (this.skipLF) {
      this.skipLF = false
      if (s.charCodeAt(0) === LF) pos = 1
    }
    if (this.partialLen > 0 || this.first) {
      // The end of a line begun in an earlier chunk, or the connection's first line: the careful path.
      const end = lineEnd(s, pos)
      if (end === -1) {
        this.keepPartial(chunk, pos, base)
        this.chunkDone()
        return
      }
      if (this.partialLen > 0) {
        this.partial.push(chunk.subarray(pos, end))
        const line = Buffer.concat(this.partial)
        const at = base < 0 ? -1 : this.partialAt
        this.partial = []
        this.partialLen = 0
        this.ascii = isAscii(line)
        this.line(line, line.toString('latin1'), 0, line.length, at)
      } else {
        this.ascii = isAscii(chunk)
        this.line(chunk, s, pos, end, base)
      }
      pos = this.after(s, end)
    }
    this.ascii = isAscii(chunk)
    pos = this.scan(chunk, s, pos, base)
    if (pos < n && !this.dead) this.keepPartial(chunk, pos, base)
    this.chunkDone()
  }

  end(): void {
    if (this.dead) return
    this.chunkDone()
  }

  /** Every line of `s` (the chunk's bytes as Latin-1: one character a byte) from `pos`; returns where the rest starts. */
  private scan(buf: Buffer, s: string, pos: number, base: number): number {
    const n = s.length
    let lf = s.indexOf('\n', pos)
    let cr = s.indexOf('\r', pos)
    // The usual lines (blank, `data: `, `id: `) are handled here without a call; the rest go to `line`.
    while (!this.dead) {
      if (lf !== -1 && lf < pos) lf = s.indexOf('\n', pos)
      if (cr !== -1 && cr < pos) cr = s.indexOf('\r', pos)
      const end = cr === -1 ? lf : lf === -1 || cr < lf ? cr : lf
      if (end === -1) break
      if (end === pos) this.dispatch(base + pos)
      else {
        if (!this.open) {
          this.open = true
          this.blockStart = base + pos
        }
        const c = s.charCodeAt(pos)
        if (
          c === 100 &&
          s.charCodeAt(pos + 1) === 97 &&
          s.charCodeAt(pos + 2) === 116 &&
          s.charCodeAt(pos + 3) === 97 &&
          s.charCodeAt(pos + 4) === COLON &&
          this.ascii &&
          !this.dropping
        ) {
          const size = end - (s.charCodeAt(pos + 5) === SPACE ? pos + 6 : pos + 5)
          this.dataBytes += this.dataLines === 0 ? size : size + 1
          this.dataLines++
        } else if (c === 105 && s.charCodeAt(pos + 1) === 100 && s.charCodeAt(pos + 2) === COLON) {
          this.id(buf, s, s.charCodeAt(pos + 3) === SPACE ? pos + 4 : pos + 3, end, base)
        } else this.line(buf, s, pos, end, base)
      }
      pos = end + 1
      if (end === cr) {
        if (pos < n) {
          if (s.charCodeAt(pos) === LF) pos++
        } else this.skipLF = true
      }
    }
    return pos
  }

  /** Past the line end at `end` (CR, LF or CRLF). */
  private after(s: string, end: number): number {
    if (s.charCodeAt(end) !== CR) return end + 1
    if (end + 1 >= s.length) {
      this.skipLF = true
      return end + 1
    }
    return s.charCodeAt(end + 1) === LF ? end + 2 : end + 1
  }

  /** One line: bytes `start`..`end` of `buf` (`s` is them as Latin-1), at log offset `base + start`. */
  private line(buf: Buffer, s: string, start: number, end: number, base: number): void {
    if (this.first) {
      this.first = false
      if (
        end - start >= 3 &&
        s.charCodeAt(start) === 0xef &&
        s.charCodeAt(start + 1) === 0xbb &&
        s.charCodeAt(start + 2) === 0xbf
      )
        start += 3
    }
    if (start === end) {
      this.dispatch(base + start)
      return
    }
    if (!this.open) {
      this.open = true
      this.blockStart = base + start
    }
    const c = s.charCodeAt(start)
    if (
      c === 100 &&
      s.charCodeAt(start + 1) === 97 &&
      s.charCodeAt(start + 2) === 116 &&
      s.charCodeAt(start + 3) === 97 &&
      s.charCodeAt(start + 4) === COLON
    ) {
      this.data(buf, s.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end)
    } else if (c === 105 && s.charCodeAt(start + 1) === 100 && s.charCodeAt(start + 2) === COLON) {
      this.id(buf, s, s.charCodeAt(start + 3) === SPACE ? start + 4 : start + 3, end, base)
    } else if (c === COLON) {
      const from = s.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1
      const text = buf.toString('utf8', from, end)
      this.add('comment', this.log.indexPlain(this.t, 'comment', base + from, end - from), end - from, text)
    } else {
      this.field(buf, s, start, end, base)
    }
  }

  /** Any other field (`event`, `retry`, an unknown one, or `data` / `id` written without a colon). */
  private field(buf: Buffer, s: string, start: number, end: number, base: number): void {
    let colon = start
    while (colon < end && s.charCodeAt(colon) !== COLON) colon++
    let value = colon < end ? colon + 1 : end
    if (value < end && s.charCodeAt(value) === SPACE) value++
    switch (s.slice(start, colon)) {
      case 'event':
        if (this.dropping) this.droppedEvent = buf.toString('utf8', value, end)
        return
      case 'data':
        this.data(buf, value, end)
        return
      case 'id':
        this.id(buf, s, value, end, base)
        return
      case 'retry': {
        let digits = value < end
        for (let k = value; k < end && digits; k++) {
          const d = s.charCodeAt(k)
          digits = d >= 48 && d <= 57
        }
        if (digits) this.sink.retry(parseInt(s.slice(value, end), 10))
        else
          this.invalid(
            buf,
            start,
            end,
            base,
            `Invalid \`retry\` value: "${buf.toString('utf8', value, end)}"`,
          )
        return
      }
      default: {
        const name = buf.toString('utf8', start, colon)
        this.invalid(
          buf,
          start,
          end,
          base,
          `Unknown field "${name.length > 20 ? `${name.slice(0, 20)}\u2026` : name}"`,
        )
      }
    }
  }

  private data(buf: Buffer, from: number, end: number): void {
    let size = end - from
    if (!this.ascii && size > 0) {
      const v = buf.subarray(from, end)
      if (!isUtf8(v)) size = Buffer.byteLength(v.toString('utf8'))
    }
    this.dataBytes += this.dataLines === 0 ? size : size + 1
    this.dataLines++
    if (this.dropping && this.droppedData.length < DROPPED_PREVIEW) {
      const text = buf.toString('utf8', from, Math.min(end, from + DROPPED_PREVIEW * 4))
      this.droppedData = this.dataLines === 1 ? text : `${this.droppedData}\n${text}`
    }
  }

  private id(buf: Buffer, s: string, from: number, end: number, base: number): void {
    // An id holding a NUL is ignored (spec).
    for (let k = from; k < end; k++) if (s.charCodeAt(k) === 0) return
    if (from === end) {
      this.idStr = ''
      this.idBuf = null
      this.idRef = -1
      return
    }
    this.idStr = null
    this.idBuf = buf
    this.idStart = from
    this.idEnd = end
    this.idRef = base < 0 ? -1 : sseIdRef(base + from, end - from)
  }

  /** A blank line at log offset `at`: the event's lines are over. */
  private dispatch(at: number): void {
    // The last event id takes the buffer's value at every dispatch, even of a block with no data (spec).
    this.dispatched = true
    this.lastStr = this.idStr
    this.lastBuf = this.idBuf
    this.lastStart = this.idStart
    this.lastEnd = this.idEnd
    this.lastRef = this.idRef
    if (this.dataLines > 0) {
      const size = this.dataBytes
      const seq = this.log.indexEvent(this.t, this.blockStart, at - this.blockStart, size, this.idRef)
      if (seq >= 0 && this.runKind === 'event' && seq === this.runSeq + this.runCount) {
        this.runCount++
        this.runSize += size
      } else this.add('event', seq, size, null)
      this.dataLines = 0
      this.dataBytes = 0
    }
    this.open = false
    if (this.dropping) {
      this.droppedData = ''
      this.droppedEvent = ''
    }
  }

  private invalid(buf: Buffer, start: number, end: number, base: number, note: string): void {
    this.add('invalid', this.log.indexPlain(this.t, 'invalid', base + start, end - start), end - start, note)
  }

  /** Record one message in the current run, or start a new run. */
  private add(kind: TextKind, seq: number, size: number, preview: string | null): void {
    if (seq >= 0 && kind === this.runKind && seq === this.runSeq + this.runCount) {
      this.runCount++
      this.runSize += size
      this.runPreview = preview
      return
    }
    this.flushRun()
    if (seq < 0) {
      const id = this.currentId()
      this.sink.messages(
        kind,
        -1,
        1,
        size,
        preview ?? this.droppedData.slice(0, DROPPED_PREVIEW),
        kind === 'event' ? this.droppedEvent || 'message' : undefined,
        kind === 'event' && id !== '' ? id : undefined,
      )
      return
    }
    this.runKind = kind
    this.runSeq = seq
    this.runCount = 1
    this.runSize = size
    this.runPreview = preview
  }

  private flushRun(): void {
    if (this.runCount === 0) return
    const count = this.runCount
    const seq = this.runSeq
    this.runCount = 0
    this.runSeq = -1
    this.sink.messages(this.runKind, seq, count, this.runSize, this.runPreview)
  }

  private currentId(): string {
    if (this.idStr === null) {
      this.idStr = (this.idBuf as Buffer).toString('utf8', this.idStart, this.idEnd)
      this.idBuf = null
    }
    return this.idStr
  }

  private keepPartial(chunk: Buffer, pos: number, base: number): void {
    if (this.partialLen === 0) this.partialAt = base < 0 ? -1 : base + pos
    // A copy: the chunk is often a view into the socket's buffer.
    this.partial.push(Buffer.from(chunk.subarray(pos)))
    this.partialLen += chunk.length - pos
  }

  /** The chunk is read: tell the sink about its messages, and settle the last event id. */
  private chunkDone(): void {
    this.flushRun()
    if (this.dispatched) {
      this.dispatched = false
      const sameAsBuffer =
        this.lastBuf !== null &&
        this.lastBuf === this.idBuf &&
        this.lastStart === this.idStart &&
        this.lastEnd === this.idEnd
      this.state.lastEventId =
        this.lastStr ??
        (sameAsBuffer
          ? this.currentId()
          : (this.lastBuf as Buffer).toString('utf8', this.lastStart, this.lastEnd))
      this.state.idRef = this.lastRef
      this.lastBuf = null
    }
    // Nothing of the chunk is kept past this call.
    this.currentId()
    if (this.partialLen + this.dataBytes > this.maxBuffer && !this.dead) {
      this.dead = true
      this.partial = []
      this.sink.fatal(`An event or line is longer than the limit of ${this.maxBuffer} bytes`)
    }
  }
}

/** Where the first line end (CR or LF) at or after `pos` is, or -1. */
function lineEnd(s: string, pos: number): number {
  const lf = s.indexOf('\n', pos)
  const cr = s.indexOf('\r', pos)
  return cr === -1 ? lf : lf === -1 || cr < lf ? cr : lf
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
