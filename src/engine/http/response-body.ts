import { formatBytes } from '../../shared/format'
import type { RequestOptions } from '../../shared/request'
import type { HeaderList } from '../../shared/timeline'
import type { BodyStore } from './body-store'
import { makeDecoder, type Decoder } from './decoders'
import { expansionError, isKnownCoding } from './decompression-guard'
import { EngineError } from './errors'
import { groupDigits } from '../../shared/group-digits'
import { UnkeptBody, type ResponseBodyWriter } from './unkept-body'

const MAX_ENCODINGS = 3
/** Shared by the bodies without a Content-Encoding (most): only read. */
const NO_DECODERS: readonly Decoder[] = []

/** What a response body tells its exchange. */
export interface ResponseBodyOwner {
  /** The wire has room again: undici may read on. */
  resume(): void
  /** The body cannot go on (a limit, a bad encoding): the exchange stops undici with `err`. */
  abort(err: Error): void
  /** A decoder failed, possibly after undici delivered its last byte: the exchange fails at once. */
  decoderFailed(err: Error): void
  /** Whether the exchange has ended (then nothing more is stored). */
  finished(): boolean
  /** Bytes received on the wire so far (the decompression-bomb guard compares against them). */
  wireBytes(): number
  /** The decoders have let out their last bytes after `end()` (without a callback) answered false. */
  bodyEnded?(): void
}

/**
 * One response's body on its way to the body store: the Content-Encoding decoders (undone last-first), the
 * body size limit, the decompression-bomb guard, and back-pressure from the store to undici.
 */
export class ResponseBody {
  private writer: ResponseBodyWriter | null = null
  private decoders: readonly Decoder[] = NO_DECODERS
  private decodedBytes = 0
  /** The response's Content-Length, NaN when it has none. */
  declaredLength = NaN

  /** `keep` false: nobody will read the body (a lean exchange's): it is counted, limited and decoded, not kept. */
  constructor(
    private readonly bodies: BodyStore,
    private readonly options: RequestOptions,
    private readonly owner: ResponseBodyOwner,
    private readonly keep = true,
  ) {}

  /** Bytes stored so far. */
  get size(): number {
    return this.writer?.size ?? 0
  }

  /** Whether the body is decoded on its way (then its size on the wire says little about the stored one). */
  get decoding(): boolean {
    return this.decoders.length > 0
  }

  /** Choose decoders and open the body writer. Returns false if the hop already failed. */
  open(headers: HeaderList): boolean {
    const { options, bodies } = this
    let contentType = ''
    let contentLength = NaN
    let contentEncoding = ''
    // One pass over the headers, by index (no iterator): this runs for every response.
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i] as [string, string]
      const k = header[0]
      const v = header[1]
      if (k.length === 12 && k.toLowerCase() === 'content-type') contentType = v
      else if (k.length === 14 && k.toLowerCase() === 'content-length') contentLength = Number(v)
      else if (k.length === 16 && k.toLowerCase() === 'content-encoding') contentEncoding = v
    }
    this.declaredLength = contentLength
    const encodings =
      options.decompress && contentEncoding
        ? contentEncoding
            .split(',')
            .map((s) => s.trim().toLowerCase())
            .filter((s) => s && s !== 'identity')
        : []
    if (encodings.length > MAX_ENCODINGS) {
      this.owner.abort(
        new EngineError(
          'protocol',
          `The response uses ${encodings.length} content encodings; at most ${MAX_ENCODINGS} are decoded`,
        ),
      )
      return false
    }
    if (encodings.length === 0 && Number.isFinite(contentLength) && contentLength > options.maxBodyBytes) {
      this.owner.abort(tooLarge(options.maxBodyBytes))
      return false
    }
    this.writer = this.keep ? bodies.create(contentType) : new UnkeptBody(contentType)
    const known = encodings.every(isKnownCoding)
    if (known && encodings.length > 0) {
      // Content-Encoding lists codings in the order applied; undo them last-first.
      this.decoders = [...encodings].reverse().map((e) => makeDecoder(e))
      for (let i = 0; i < this.decoders.length - 1; i++)
        this.decoders[i]?.pipe(this.decoders[i + 1] as Decoder)
      const first = this.decoders[0] as Decoder
      const last = this.decoders[this.decoders.length - 1] as Decoder
      first.on('drain', () => this.owner.resume())
      last.on('data', (chunk: Buffer) => {
        this.decodedBytes += chunk.length
        // The decompression-bomb guard, shared with event streams (decompression-guard.ts).
        const bomb = expansionError(this.decodedBytes, this.owner.wireBytes(), 'response body')
        if (bomb) {
          this.owner.decoderFailed(bomb)
          return
        }
        if (!this.store(chunk)) {
          last.pause()
          this.writer?.onDrain(() => last.resume())
        }
      })
      for (const d of this.decoders) d.on('error', (e) => this.owner.decoderFailed(e))
    }
    return true
  }

  /** Bytes from the wire; false asks undici to pause. */
  write(chunk: Buffer): boolean {
    const first = this.decoders[0]
    if (first) return first.write(chunk)
    return this.store(chunk)
  }

  /**
   * The wire is done. Without decoders the body ends with it: `done` is called at once and the answer is true.
   * With them, the answer is false and `done` (else the owner's `bodyEnded`) is called once they have let out
   * their last bytes. The exchange passes no callback, so a request makes no closure for it.
   */
  end(done?: () => void): boolean {
    const first = this.decoders[0]
    const last = this.decoders[this.decoders.length - 1]
    if (!first || !last) {
      done?.()
      return true
    }
    last.once('end', done ?? (() => this.owner.bodyEnded?.()))
    first.end()
    return false
  }

  /** The finished body's writer (an empty one when the response had none). */
  finish(): ResponseBodyWriter {
    return this.writer ?? (this.keep ? this.bodies.create('') : new UnkeptBody(''))
  }

  /**
   * A failed or cancelled exchange has no body to show (its event carries none): drop what arrived, memory and
   * temp file, now, and stop the decoders. Returns how many bytes that was, for the event to say so.
   */
  discard(): number {
    for (const d of this.decoders) d.destroy()
    this.decoders = NO_DECODERS
    const writer = this.writer
    if (!writer) return 0
    this.writer = null
    return this.bodies.discard(writer)
  }

  /** Store decoded bytes; false asks undici (or the decoder) to pause. */
  private store(chunk: Buffer): boolean {
    const writer = this.writer
    if (!writer || this.owner.finished()) return false
    if (writer.size + chunk.length > this.options.maxBodyBytes) {
      this.owner.abort(tooLarge(this.options.maxBodyBytes))
      return false
    }
    const ok = writer.write(chunk)
    if (!ok && this.decoders.length === 0) writer.onDrain(() => this.owner.resume())
    return ok
  }
}

function tooLarge(limit: number): EngineError {
  return new EngineError(
    'body_too_large',
    `The response body is larger than the limit of ${limit < 1024 ? `${limit} bytes` : `${formatBytes(limit)} (${groupDigits(limit)} bytes)`}; raise the request's Max body option (maxBodyBytes in a request file, --max-body on the CLI) to read it`,
  )
}
