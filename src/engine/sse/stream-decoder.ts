import { createParser, type EventSourceParser, type ParseError } from 'eventsource-parser'
import type { StreamMode } from '../../shared/timeline'

/**
 * Turns the bytes of a streamed HTTP response into messages, chunk by chunk as they arrive:
 *
 * - `sse`: the WHATWG EventSource rules, parsed by eventsource-parser. Bytes are decoded as a UTF-8 stream
 *   (a character split across chunks is joined, invalid bytes become U+FFFD, one leading BOM is dropped, as
 *   the spec says); the parser handles CR, LF and CRLF line ends, multi-line data, comments and `retry`.
 *   The last event id persists across events (spec: the "last event ID buffer" is not reset by dispatch).
 * - `ndjson`: one message per line (LF or CRLF), empty lines skipped.
 * - `chunks`: every chunk as it came off the wire.
 *
 * One decoder per connection: a reconnect starts a fresh one (the parser and the UTF-8 decoder are reset), but
 * the last event id carries over through `lastEventId`.
 */

/** Text messages: SSE events (with their type and the last event id), comments, malformed lines, NDJSON lines. */
export type TextKind = 'event' | 'comment' | 'invalid' | 'line'

/**
 * Where decoded messages go. Positional arguments, not a message object: this runs once per event, and a
 * stream can carry millions of them.
 */
export interface DecoderSink {
  /** `event` and `id` for SSE events; `note` says what is wrong with an `invalid` line. */
  text(kind: TextKind, data: string, event?: string, id?: string, note?: string): void
  /** A raw chunk (`chunks` mode). */
  bytes(chunk: Buffer): void
  /** The server set the reconnection time with `retry:`. */
  retry(ms: number): void
  /** The stream broke a limit (a line or event past `maxBuffer`): the connection should end. */
  fatal(message: string): void
}

export interface StreamDecoder {
  readonly mode: Exclude<StreamMode, 'ws'>
  push(chunk: Buffer): void
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
  state: { lastEventId: string },
  maxBuffer: number,
): StreamDecoder {
  if (mode === 'sse') return new SseDecoder(sink, state, maxBuffer)
  if (mode === 'ndjson') return new LineDecoder(sink, maxBuffer)
  return {
    mode: 'chunks',
    push: (chunk) => sink.bytes(chunk),
    end: () => undefined,
  }
}

class SseDecoder implements StreamDecoder {
  readonly mode = 'sse' as const
  private readonly utf8 = new TextDecoder('utf-8')
  private readonly parser: EventSourceParser
  private dead = false

  constructor(
    private readonly sink: DecoderSink,
    private readonly state: { lastEventId: string },
    maxBuffer: number,
  ) {
    this.parser = createParser({
      maxBufferSize: maxBuffer,
      onEvent: (e) => {
        // An `id` field (even an empty one) sets the last event id; an event without one keeps the previous.
        if (e.id !== undefined) this.state.lastEventId = e.id
        const id = this.state.lastEventId === '' ? undefined : this.state.lastEventId
        this.sink.text('event', e.data, e.event ?? 'message', id)
      },
      onRetry: (ms) => this.sink.retry(ms),
      onComment: (text) => this.sink.text('comment', text),
      onError: (err: ParseError) => {
        if (err.type === 'max-buffer-size-exceeded') {
          this.dead = true
          this.sink.fatal(`An event or line is longer than the limit of ${maxBuffer} characters`)
          return
        }
        // Unknown fields and bad `retry` values are ignored by the spec; they are shown, not fatal.
        this.sink.text('invalid', err.line ?? '', undefined, undefined, err.message)
      },
    })
  }

  push(chunk: Buffer): void {
    if (this.dead) return
    const text = this.utf8.decode(chunk, { stream: true })
    if (text) this.parser.feed(text)
  }

  end(): void {
    if (this.dead) return
    const rest = this.utf8.decode()
    if (rest) this.parser.feed(rest)
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
