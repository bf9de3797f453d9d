import type { Transform } from 'node:stream'
import { makeDecoder } from '../http/decoders'
import { expansionError } from '../http/decompression-guard'

/** Where a stream's decoded bytes go, and what it is told when decoding stops or may go on. */
export interface InflaterSink {
  /** Decoded bytes, within the decompression-bomb guard's bounds. */
  data(chunk: Buffer): void
  /** The decoder took in what it was given: the connection may be read again. */
  drain(): void
  /** The coding is broken, or the guard stopped it (decompression_bomb). */
  fail(error: Error): void
}

/**
 * The content coding of an endless stream undone as its bytes come, every decoded byte checked by the
 * decompression-bomb guard against the bytes that came over the wire (decompression-guard.ts).
 */
export class StreamInflater {
  private readonly decoder: Transform
  private wire = 0
  private decoded = 0

  constructor(encoding: string, sink: InflaterSink, live: () => boolean) {
    this.decoder = makeDecoder(encoding)
    this.decoder.on('data', (chunk: Buffer) => {
      // A connection let go, or one already failed, decodes into nothing.
      if (!live()) return
      this.decoded += chunk.length
      const bomb = expansionError(this.decoded, this.wire, 'event stream')
      if (bomb) sink.fail(bomb)
      else sink.data(chunk)
    })
    this.decoder.on('drain', () => sink.drain())
    this.decoder.on('error', (e) => sink.fail(e))
  }

  /** Bytes off the wire; false when the decoder wants no more until it drains. */
  write(chunk: Buffer): boolean {
    this.wire += chunk.length
    return this.decoder.write(chunk)
  }

  /** The wire ended: `then` runs once everything decoded has been handed on. */
  end(then: () => void): void {
    this.decoder.once('end', then)
    this.decoder.end()
    this.decoder.resume()
  }

  destroy(): void {
    this.decoder.destroy()
  }
}
