/**
 * The SSE decoder's parser: the WHATWG EventSource field rules, as eventsource-parser 3.1 applies them (the
 * tests hold the two to the same events, comments, bad lines and retries), but an event's data is not built
 * while it streams in. The decoder needs only its size and the start of it (for the timeline's tick): the log keeps the text
 * of the event's block and reads the data back from it when asked. Building the data line by line cost two
 * string nodes a line in eventsource-parser (an event of 7-byte `data:x` lines took about 9 times its size in
 * memory); here a line costs nothing once it is read.
 *
 * Reading events back (`replayEvents`), the parser collects each event's data: the lines' values are joined once
 * at dispatch.
 *
 * Line ends are CR, LF or CRLF. A CR that ends the text fed is a line end at once (a stream with CR-only line
 * ends dispatches each event with the chunk that ends it, and its last one is not lost); an LF that then
 * starts the next text is that CRLF's second half, not a line of its own.
 */

/** One event as the decoder needs it. */
export interface ParsedEvent {
  /** The block's own `id`, if it had one (the last event id persists across events: the caller's to track). */
  id: string | undefined
  /** The block's `event` type (undefined: `message`). */
  event: string | undefined
  /** Bytes of the data as UTF-8, its lines joined by LF. */
  size: number
  /** The data's first `PREVIEW_KEEP` characters (all of it when shorter). */
  preview: string
  /** The whole data, for a parser made to collect it (reading events back); else undefined. */
  data?: string
}

export interface SseParserHandlers {
  onEvent(e: ParsedEvent): void
  onComment(text: string): void
  onRetry(ms: number): void
  /** A line the rules ignore (an unknown field, a `retry` that is not a number): shown, not fatal. */
  onInvalid(line: string, message: string): void
}

/** Characters of an event's data kept for its preview. */
export const PREVIEW_KEEP = 4096

const LF = 10
const CR = 13
const SPACE = 32
const COLON = 58

export class SseLineParser {
  /** The start of a line not yet ended, and how many pieces it was joined from. */
  private partial = ''
  private pieces = 0
  /** `partial` has only ASCII characters. */
  private partialAscii = true
  /** The text so far ended in CR: an LF first in the next text is that CRLF's second half. */
  private crEnded = false
  /** The block being read: its data lines, their size and preview, its id and type. */
  private lines = 0
  private size = 0
  private preview = ''
  private id: string | undefined = undefined
  private type: string | undefined = undefined
  /** The data lines' values, when collecting (joined once at dispatch: no string node per line). */
  private values: string[] = []

  /** `collect`: also give each event its whole data (to read events back; the decoder does not). */
  constructor(
    private readonly on: SseParserHandlers,
    private readonly collect = false,
  ) {}

  /** More of the stream's text; `ascii`: it has only ASCII characters (a character is then a byte). */
  feed(input: string, ascii: boolean): void {
    if (input.length === 0) return
    let text = input
    let pos = this.crEnded && text.charCodeAt(0) === LF ? 1 : 0
    this.crEnded = text.charCodeAt(text.length - 1) === CR
    let cr = text.indexOf('\r', pos)
    let lf = text.indexOf('\n', pos)
    if (this.partial !== '') {
      // No line ends yet: the line goes on (searched once, not again with each later piece).
      if (cr === -1 && lf === -1) {
        this.keep(text)
        return
      }
      // One flat string to read, as eventsource-parser does: the lines below are always read from a string of
      // one kind (a line joined from pieces would make them slower to read, for every line after it too).
      text = [this.partial, text].join('')
      ascii = ascii && this.partialAscii
      this.partial = ''
      this.pieces = 0
      pos = 0
      cr = text.indexOf('\r')
      lf = text.indexOf('\n')
    }
    const n = text.length
    // Bounded: every pass of the loop moves `pos` on by at least one character. The next CR and LF from
    // `pos` are each searched again only once passed (so the text is searched once).
    while (pos < n) {
      if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos)
      if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos)
      const end = cr === -1 ? lf : lf === -1 || cr < lf ? cr : lf
      if (end === -1) {
        this.partial = text.slice(pos)
        this.partialAscii = ascii
        this.pieces = 1
        return
      }
      this.line(text, pos, end, ascii)
      pos = end + 1
      if (text.charCodeAt(end) === CR && text.charCodeAt(pos) === LF) pos++
    }
  }

  /**
   * The start of a line, joined with what came before. Many tiny chunks would make it a string of as many
   * nodes (tens of bytes each, for a byte of text): once it has more nodes than a 64th of its length,
   * reading a character makes V8 copy it into one flat string.
   */
  private keep(piece: string): void {
    this.partial += piece
    this.partialAscii = this.partialAscii && !NON_ASCII.test(piece)
    this.pieces++
    if (this.pieces > 64 && this.pieces * 64 > this.partial.length) {
      this.partial.charCodeAt(0)
      this.pieces = 1
    }
  }

  /** The line `text[start, end)`. */
  private line(text: string, start: number, end: number, ascii: boolean): void {
    if (start === end) {
      this.dispatch()
      return
    }
    const c = text.charCodeAt(start)
    // Field names by their characters (`startsWith` with a position costs a call per line).
    if (c === 100 && isPrefix(text, start, DATA)) {
      this.data(text, text.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end, ascii)
      return
    }
    if (c === 101 && isPrefix(text, start, EVENT)) {
      this.type = text.slice(text.charCodeAt(start + 6) === SPACE ? start + 7 : start + 6, end) || undefined
      return
    }
    if (c === 105 && text.charCodeAt(start + 1) === 100 && text.charCodeAt(start + 2) === COLON) {
      const value = text.slice(text.charCodeAt(start + 3) === SPACE ? start + 4 : start + 3, end)
      if (!value.includes('\0')) this.id = value
      return
    }
    if (c === COLON) {
      this.on.onComment(text.slice(text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end))
      return
    }
    const line = text.slice(start, end)
    const colon = line.indexOf(':')
    if (colon === -1) {
      this.field(line, '', line, ascii)
      return
    }
    this.field(
      line.slice(0, colon),
      line.slice(colon + (line.charCodeAt(colon + 1) === SPACE ? 2 : 1)),
      line,
      ascii,
    )
  }

  private field(name: string, value: string, line: string, ascii: boolean): void {
    switch (name) {
      case 'event':
        this.type = value || undefined
        return
      case 'data':
        this.data(value, 0, value.length, ascii)
        return
      case 'id':
        if (!value.includes('\0')) this.id = value
        return
      case 'retry':
        if (/^\d+$/.test(value)) this.on.onRetry(parseInt(value, 10))
        else this.on.onInvalid(line, `Invalid \`retry\` value: "${value}"`)
        return
      default:
        this.on.onInvalid(line, `Unknown field "${name.length > 20 ? `${name.slice(0, 20)}…` : name}"`)
    }
  }

  /** A data line's value `text[start, end)`: counted, and the preview's start kept. */
  private data(text: string, start: number, end: number, ascii: boolean): void {
    const joined = this.lines > 0
    this.size += (joined ? 1 : 0) + (ascii ? end - start : Buffer.byteLength(text.slice(start, end)))
    if (this.preview.length < PREVIEW_KEEP) {
      const piece = text.slice(start, Math.min(end, start + PREVIEW_KEEP - this.preview.length))
      this.preview = joined ? `${this.preview}\n${piece}` : piece
    }
    if (this.collect) this.values.push(text.slice(start, end))
    this.lines++
  }

  private dispatch(): void {
    if (this.lines > 0) {
      const e: ParsedEvent = { id: this.id, event: this.type, size: this.size, preview: this.preview }
      if (this.collect) {
        e.data = this.values.join('\n')
        this.values = []
      }
      this.on.onEvent(e)
    }
    this.id = undefined
    this.type = undefined
    this.lines = 0
    this.size = 0
    this.preview = ''
  }
}

const NON_ASCII = /[\u0080-\uffff]/
/** `data:` and `event:` as character codes. */
const DATA = [100, 97, 116, 97, COLON]
const EVENT = [101, 118, 101, 110, 116, COLON]

/** `text` has `codes` from `at`. */
function isPrefix(text: string, at: number, codes: readonly number[]): boolean {
  for (let k = 1; k < codes.length; k++) if (text.charCodeAt(at + k) !== codes[k]) return false
  return true
}
