import { open, type FileHandle } from 'node:fs/promises'
import type { BodySource } from '../workers/protocol'

/** A stored body as a worker reads it: from the body store's temp file, or from a copy of its bytes. */
export interface StoredBody {
  readonly size: number
  read(offset: number, length: number): Promise<Buffer>
  /**
   * Bytes from `offset` into `into` (as many as fit), returned as a view of it, or of the body's own bytes.
   * Indexing reads through one buffer: a new one per chunk would be garbage outside the heap, which V8
   * collects late and the worker's memory budget would count.
   */
  readInto(offset: number, into: Buffer): Promise<Buffer>
  close(): Promise<void>
}

class FileBody implements StoredBody {
  private handle: Promise<FileHandle> | null = null

  constructor(
    private readonly path: string,
    readonly size: number,
  ) {}

  read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(this.size, offset + length)
    if (end <= offset) return Promise.resolve(Buffer.alloc(0))
    return this.readInto(offset, Buffer.alloc(end - offset))
  }

  async readInto(offset: number, into: Buffer): Promise<Buffer> {
    const n = Math.min(into.length, this.size - offset)
    if (n <= 0) return into.subarray(0, 0)
    this.handle ??= open(this.path, 'r')
    const fh = await this.handle
    const { bytesRead } = await fh.read(into, 0, n, offset)
    return into.subarray(0, bytesRead)
  }

  async close(): Promise<void> {
    const h = this.handle
    this.handle = null
    if (h) await (await h.catch(() => null))?.close().catch(() => undefined)
  }
}

class BytesBody implements StoredBody {
  private readonly bytes: Buffer

  constructor(bytes: Uint8Array) {
    this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get size(): number {
    return this.bytes.length
  }

  read(offset: number, length: number): Promise<Buffer> {
    return Promise.resolve(this.bytes.subarray(offset, Math.min(this.size, offset + length)))
  }

  readInto(offset: number, into: Buffer): Promise<Buffer> {
    return this.read(offset, into.length)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}

export function openBodySource(source: BodySource): StoredBody {
  return 'path' in source ? new FileBody(source.path, source.size) : new BytesBody(source.bytes)
}
