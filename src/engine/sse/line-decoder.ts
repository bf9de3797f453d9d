import type { DecoderSink, StreamDecoder } from './stream-decoder'
import { groupDigits } from '../../shared/group-digits'

/** `ndjson` streams: one message per line (LF or CRLF; a json-seq RS prefix dropped), empty lines skipped. */
export class LineDecoder implements StreamDecoder {
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
      this.sink.fatal(`A line is longer than the limit of ${groupDigits(this.maxBuffer)} characters`)
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
