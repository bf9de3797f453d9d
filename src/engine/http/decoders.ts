import { Transform } from 'node:stream'

/** The content decoders an exchange pipes a response body through (Content-Encoding, undone last-first). */

export type Decoder = Transform

export function makeDecoder(encoding: string): Decoder {
  // node:zlib loads with the first compressed body, not with the engine (a CLI start that gets none).
  const { createBrotliDecompress, createGunzip } = process.getBuiltinModule('node:zlib')
  if (encoding === 'br') return createBrotliDecompress()
  if (encoding === 'deflate') return new DeflateDecoder()
  return createGunzip()
}

/**
 * "deflate" should be zlib-wrapped (RFC 9110), but some servers send raw deflate. Look at the first byte and
 * pick the right inflater, as browsers do.
 */
class DeflateDecoder extends Transform {
  private inner: Transform | null = null

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (!this.inner) {
      const zlibWrapped = chunk.length > 0 && ((chunk[0] ?? 0) & 0x0f) === 8
      const zlib = process.getBuiltinModule('node:zlib')
      const inner = zlibWrapped ? zlib.createInflate() : zlib.createInflateRaw()
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
}
