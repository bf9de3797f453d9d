import { mkdtempSync, rmSync } from 'node:fs'
import { open, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { BodyChunk } from '../../shared/contract'
import { fail, ok, type Result } from '../../shared/result'
import { Fifo } from '../fifo'
import { makeTempDir } from '../temp-files'
import { UNKEPT_BODY_ID, type ResponseBodyWriter } from './unkept-body'

/**
 * Response bodies live here, not in the UI. A body stays in memory up to `memoryLimit` bytes (and while the
 * store's total stays under `totalMemoryLimit`); past that it spills to a temp file, so a 2 GB response costs
 * disk, not heap. Readers fetch by id and byte range, also while the body is still arriving.
 */

export interface BodyStoreOptions {
  /** Spill files go in a folder made here; by default in this process's engine temp folder (temp-files.ts). */
  tempDir?: string
  memoryLimit?: number
  totalMemoryLimit?: number
  /** Pending disk writes past this many bytes ask the producer to pause. */
  highWaterMark?: number
  /** Finished bodies kept at most; past it the oldest are released (as many as the HAR session records). */
  maxBodies?: number
}

export const DEFAULT_MAX_BODIES = 20_000

/**
 * Limits for one body, lower than the store's: a producer that may run many at once (the webhook inbox's callers)
 * keeps each one's memory small. Larger values than the store's are ignored.
 */
export interface BodyWriteLimits {
  /** A body past this many bytes is kept on disk instead. */
  memoryLimit?: number
  /** Pending disk writes past this many bytes ask this producer to pause. */
  highWaterMark?: number
}

const EMPTY: Buffer[] = []
/** What letting go of a body that was only in memory returns: nothing is left to wait for. */
const DONE: Promise<void> = Promise.resolve()

/** Bytes of bodies moved to shared memory (see `location`): V8 counts them in no heap figure of its own. */
let sharedBytes = 0

export function sharedBodyBytes(): number {
  return sharedBytes
}

export class BodyWriter {
  size = 0
  private chunks: Buffer[] = []
  private memory: Buffer | null = null
  private file: FileHandle | null = null
  private filePath: string | null = null
  private opening: Promise<void> | null = null
  /** The tail of the serial disk-write chain; null until the body spills. */
  private writing: Promise<void> | null = null
  private pendingBytes = 0
  private drainWaiters: (() => void)[] | null = null
  private failed: Error | null = null
  ended = false
  /** The most bytes this body keeps in memory; past it, it is on disk. */
  readonly memoryLimit: number
  /** Pending disk writes past this many bytes ask the producer to pause. */
  readonly highWaterMark: number

  constructor(
    readonly id: string,
    readonly contentType: string,
    private readonly store: BodyStore,
    limits: BodyWriteLimits = {},
  ) {
    this.memoryLimit = Math.min(limits.memoryLimit ?? Infinity, store.memoryLimit)
    this.highWaterMark = Math.min(limits.highWaterMark ?? Infinity, store.highWaterMark)
  }

  get onDisk(): boolean {
    return this.filePath !== null
  }

  /** Append a chunk. Returns false when the producer should wait for `onDrain` before writing more. */
  write(chunk: Buffer): boolean {
    if (this.ended || this.failed) return true
    this.size += chunk.length
    if (!this.filePath && this.store.mayKeepInMemory(this, chunk.length)) {
      // undici hands out views into the socket's read buffer; keeping a small view would pin the whole
      // buffer for as long as the body lives, so copy anything that is much smaller than its backing store.
      this.chunks.push(chunk.byteLength * 2 < chunk.buffer.byteLength ? Buffer.from(chunk) : chunk)
      return true
    }
    if (!this.filePath) this.spill()
    // Likewise for a queued disk write: a slow disk keeps megabytes of small views queued, each pinning a
    // buffer undici may have grown to megabytes (a body sent as many small chunks took 850 MB for 20 MB).
    this.enqueueDiskWrite(chunk.byteLength * 2 < chunk.buffer.byteLength ? Buffer.from(chunk) : chunk)
    return this.pendingBytes < this.highWaterMark
  }

  /** A producer paused on `onDrain` and waits for the pending disk writes to fall below half the high-water mark. */
  get producerWaiting(): boolean {
    return this.drainWaiters !== null
  }

  onDrain(callback: () => void): void {
    if (this.pendingBytes < this.highWaterMark) callback()
    else (this.drainWaiters ??= []).push(callback)
  }

  /** End a body that never left memory, synchronously. Returns false if it is on disk: use `end()`. */
  endInMemory(): boolean {
    if (this.filePath) return false
    this.ended = true
    this.memory = this.chunks.length === 1 ? (this.chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(this.chunks)
    this.chunks = EMPTY
    return true
  }

  /**
   * A finished body kept in memory, rewritten in place by `edit` (which sees its bytes and answers the new ones):
   * a token endpoint's answer with its tokens masked before anything reads it (auth/oauth2-tokens.ts). False,
   * and nothing changed, when the body is on disk, not finished, or already handed to another thread.
   */
  rewriteInMemory(edit: (bytes: Buffer) => Buffer): boolean {
    if (this.filePath || !this.ended || !this.memory || this.memory.buffer instanceof SharedArrayBuffer)
      return false
    const next = edit(this.memory)
    if (next.length < this.memory.length) this.store.releaseMemory(this.memory.length - next.length)
    this.memory = next
    this.size = next.length
    return true
  }

  /** Resolves once every byte is readable; rejects if the temp file could not be written. */
  async end(): Promise<void> {
    this.ended = true
    await this.writing
    if (this.failed) throw this.failed
    if (!this.filePath) {
      this.memory =
        this.chunks.length === 1 ? (this.chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(this.chunks)
      this.chunks = []
    }
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(this.size, offset + length)
    if (end <= offset) return Buffer.alloc(0)
    if (!this.filePath) {
      const all = this.memory ?? Buffer.concat(this.chunks)
      return all.subarray(offset, end)
    }
    // Wait for the bytes we want to be on disk. Writes are serial, so waiting for the current tail suffices.
    await this.writing
    if (!this.file) throw this.failed ?? new Error('body file is closed')
    const buf = Buffer.alloc(end - offset)
    const { bytesRead } = await this.file.read(buf, 0, buf.length, offset)
    return buf.subarray(0, bytesRead)
  }

  /**
   * Where a finished body's bytes are, for a reader on another thread: its temp file, or its bytes in shared
   * memory (moved there on first ask and kept there, so a worker reads them without a copy of its own).
   */
  location(): { path: string } | { bytes: Buffer } {
    if (this.filePath) return { path: this.filePath }
    const bytes = this.memory ?? Buffer.concat(this.chunks)
    if (bytes.buffer instanceof SharedArrayBuffer) return { bytes }
    const shared = Buffer.from(new SharedArrayBuffer(bytes.length))
    bytes.copy(shared)
    if (this.memory) {
      this.memory = shared
      sharedBytes += shared.length
    }
    return { bytes: shared }
  }

  private spill(): void {
    const path = join(this.store.dir(), `${this.id}.body`)
    this.filePath = path
    const earlier = this.chunks
    this.chunks = []
    this.store.releaseMemory(earlier.reduce((n, c) => n + c.length, 0))
    this.opening = open(path, 'w+').then((fh) => {
      this.file = fh
    })
    this.writing = this.opening.catch((e: unknown) => {
      this.failed = e instanceof Error ? e : new Error(String(e))
    })
    for (const c of earlier) this.enqueueDiskWrite(c)
  }

  private enqueueDiskWrite(chunk: Buffer): void {
    this.pendingBytes += chunk.length
    this.writing = (this.writing ?? Promise.resolve()).then(async () => {
      if (this.failed || !this.file) return
      try {
        await this.file.write(chunk, 0, chunk.length, null)
      } catch (e) {
        this.failed = e instanceof Error ? e : new Error(String(e))
      } finally {
        this.pendingBytes -= chunk.length
        if (this.pendingBytes <= this.highWaterMark / 2 && this.drainWaiters) {
          const waiters = this.drainWaiters
          this.drainWaiters = null
          for (const w of waiters) w()
        }
      }
    })
  }

  /**
   * Let go of the body: its memory, and its temp file (closed, then removed: nobody can read it any more). A body
   * that never reached disk (most) is let go of at once, with no promise of its own: a run lets go of one a request.
   */
  dispose(): Promise<void> {
    this.store.releaseMemory(this.chunks.reduce((n, c) => n + c.length, 0) + (this.memory?.length ?? 0))
    this.chunks = EMPTY
    if (this.memory?.buffer instanceof SharedArrayBuffer) sharedBytes -= this.memory.length
    this.memory = null
    // Writes queued after this point are dropped (write() checks `ended`); the chain already queued finishes.
    this.ended = true
    // No file path, no spill: no write chain, no file handle, nothing on disk.
    return this.filePath === null ? DONE : this.removeFile(this.filePath)
  }

  private async removeFile(path: string): Promise<void> {
    await this.writing
    await this.file?.close().catch(() => undefined)
    this.file = null
    await rm(path, { force: true }).catch(() => undefined)
  }
}

export class BodyStore {
  private readonly bodies = new Map<string, BodyWriter>()
  /** Creation order, for releasing the oldest (see Fifo). */
  private readonly order = new Fifo<string>()
  readonly memoryLimit: number
  private readonly totalMemoryLimit: number
  readonly highWaterMark: number
  private readonly baseDir: string | undefined
  private tempDir: string | null = null
  private memoryUsed = 0
  private nextId = 1
  private readonly maxBodies: number

  constructor(options: BodyStoreOptions = {}) {
    this.memoryLimit = options.memoryLimit ?? 8 * 1024 * 1024
    this.totalMemoryLimit = options.totalMemoryLimit ?? 512 * 1024 * 1024
    this.highWaterMark = options.highWaterMark ?? 4 * 1024 * 1024
    this.baseDir = options.tempDir
    this.maxBodies = options.maxBodies ?? DEFAULT_MAX_BODIES
  }

  /** A new body; `limits` may lower the store's memory limit and high-water mark for this one. */
  create(contentType: string, limits?: BodyWriteLimits): BodyWriter {
    const id = `b${this.nextId++}`
    const writer = new BodyWriter(id, contentType, this, limits)
    this.bodies.set(id, writer)
    this.order.push(id)
    if (this.bodies.size > this.maxBodies) this.releaseOldest()
    // Bodies deleted early leave their ids in `order`: past twice the limit the front ones go (a live one back in
    // line), a few per new body, so `order` stays bounded too.
    for (let i = 0; i < 4 && this.order.size > this.maxBodies * 2; i++) {
      const front = this.order.shift()
      if (front !== undefined && this.bodies.has(front)) this.order.push(front)
    }
    return writer
  }

  /** Let go of the oldest finished body (one still being written, e.g. a long download, stays). */
  private releaseOldest(): void {
    for (let scanned = 0; scanned < 256 && this.order.size > 0; scanned++) {
      const id = this.order.shift() as string
      const w = this.bodies.get(id)
      if (!w) continue // deleted already
      if (!w.ended) {
        // Still being written (a long download): it goes to the back of the line.
        this.order.push(id)
        continue
      }
      this.bodies.delete(id)
      void w.dispose()
      return
    }
  }

  get(id: string): BodyWriter | undefined {
    return this.bodies.get(id)
  }

  mayKeepInMemory(writer: BodyWriter, extra: number): boolean {
    if (writer.size > writer.memoryLimit || this.memoryUsed + extra > this.totalMemoryLimit) return false
    this.memoryUsed += extra
    return true
  }

  releaseMemory(bytes: number): void {
    this.memoryUsed = Math.max(0, this.memoryUsed - bytes)
  }

  dir(): string {
    this.tempDir ??= this.baseDir
      ? mkdtempSync(join(this.baseDir, 'flightdeck-bodies-'))
      : makeTempDir('bodies-')
    return this.tempDir
  }

  async read(
    id: string,
    offset: number,
    length: number,
    encoding: 'utf8' | 'base64',
  ): Promise<Result<BodyChunk>> {
    const writer = this.bodies.get(id)
    if (!writer && id === UNKEPT_BODY_ID)
      return fail(
        'not_found',
        'This response body was not kept: its run reads no bodies and keeps no records',
      )
    if (!writer) {
      const n = /^b(\d+)$/.exec(id)?.[1]
      return n !== undefined && Number(n) < this.nextId
        ? fail(
            'not_found',
            `This response body is no longer kept: Flightdeck keeps the last ${this.maxBodies.toLocaleString('en-US')} bodies`,
          )
        : fail('not_found', `No body with id ${id}`)
    }
    let data: Buffer
    try {
      data = await writer.read(offset, length)
    } catch (e) {
      return fail('file', 'Could not read the stored body', e instanceof Error ? e.message : String(e))
    }
    if (encoding === 'utf8' && offset + data.length < writer.size) data = data.subarray(0, utf8Boundary(data))
    return ok({
      bodyId: id,
      offset,
      encoding,
      data: data.toString(encoding),
      length: data.length,
      total: writer.size,
    })
  }

  delete(id: string): Promise<void> {
    const writer = this.bodies.get(id)
    if (!writer) return DONE
    this.bodies.delete(id)
    return writer.dispose()
  }

  /**
   * Drop the partial body of an exchange that failed or was cancelled: nothing can show it (the timeline's
   * error carries no body), so its memory and temp file go now rather than when the store is disposed. A
   * never-ending body cut at the limit would otherwise leave a file the size of the limit behind.
   * Returns the bytes that were received.
   */
  discard(writer: ResponseBodyWriter): number {
    const size = writer.size
    if (!(writer instanceof BodyWriter)) return size
    this.bodies.delete(writer.id)
    void writer.dispose()
    return size
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.bodies.values()].map((b) => b.dispose()))
    this.bodies.clear()
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true })
    this.tempDir = null
  }
}

/** Length of the longest prefix of `buf` that does not end inside a UTF-8 sequence. */
export function utf8Boundary(buf: Buffer): number {
  const n = buf.length
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = buf[n - back] ?? 0
    if ((byte & 0xc0) === 0x80) continue // continuation byte: keep looking for the lead byte
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return need > back ? n - back : n
  }
  return n
}
