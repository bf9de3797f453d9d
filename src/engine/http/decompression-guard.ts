import { Transform } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib'
import { EngineError } from './errors'

/**
 * What every decoded HTTP body goes through, a whole response or an endless event stream: the content codings
 * Flightdeck undoes, and the decompression-bomb guard. Once the decoded bytes pass DECODE_FLOOR they may be at
 * most MAX_EXPANSION times the bytes that came over the wire. Real compressed responses and streams stay far
 * below 100:1 at that size; a gzip of zeros runs at about 1000:1, and nested or brotli codings at far more.
 * Without the guard a few MB on the wire become GB in memory or on disk in seconds.
 */
export const DECODE_FLOOR = 64 * 1024 * 1024
export const MAX_EXPANSION = 100

/** The codings `createContentDecoder` undoes. */
export function isKnownCoding(coding: string): boolean {
  return coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate' || coding === 'br'
}

/** A decoder for one content coding (lower case, one of `isKnownCoding`'s). */
export function createContentDecoder(coding: string): Transform {
  if (coding === 'br') return createBrotliDecompress()
  if (coding === 'deflate') return new DeflateDecoder()
  return createGunzip()
}

/**
 * The guard's verdict on `decoded` bytes out of `wire` bytes: null while within bounds, else the error that
 * stops decoding, saying how far it got. `what` names the thing decoded ("response body", "event stream").
 */
export function expansionError(decoded: number, wire: number, what: string): EngineError | null {
  if (decoded <= DECODE_FLOOR || decoded <= wire * MAX_EXPANSION) return null
  return new EngineError(
    'decompression_bomb',
    `The ${what} expands to more than ${MAX_EXPANSION} times its compressed size (${decoded} bytes from ${wire}); Flightdeck stopped decoding it`,
  )
}

/**
 * "deflate" should be zlib-wrapped (RFC 9110), but some servers send raw deflate. Look at the first byte and
 * pick the right inflater, as browsers do.
 */
export class DeflateDecoder extends Transform {
  private inner: Transform | null = null

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (!this.inner) {
      const zlibWrapped = chunk.length > 0 && ((chunk[0] ?? 0) & 0x0f) === 8
      const inner = zlibWrapped ? createInflate() : createInflateRaw()
      this.inner = inner
      inner.on('data', (d: Buffer) => this.push(d))
      inner.on('error', (e) => this.destroy(e))
    }
    if (this.inner.write(chunk)) done()
    else this.inner.once('drain', () => done())
  }

  override _flush(done: (err?: Error | null) => void): void {
    if (!this.inner) {
      done()
      return
    }
    this.inner.once('end', () => done())
    this.inner.end()
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.inner?.destroy()
    done(err)
  }
}
