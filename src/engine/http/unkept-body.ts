import type { BodyWriter } from './body-store'

/** The id every unkept body carries: the store holds nothing under it, and a read of it says why. */
export const UNKEPT_BODY_ID = 'unkept'

const DONE: Promise<void> = Promise.resolve()

/**
 * The body of a response nobody will read (a lean exchange's, Chain.lean: a run's plain step, in an engine that
 * keeps no records): its bytes are counted as they come, so the body size limit, the decoders and the done event's
 * size are as for a kept one, but nothing is held in memory or written to disk, and the store does not list it. A
 * run of 20,000 requests with a JSON report kept every one of those bodies (spilling them to temp files past the
 * store's memory limit) only to let them go at the end.
 */
export class UnkeptBody {
  readonly id = UNKEPT_BODY_ID
  readonly onDisk = false
  size = 0
  ended = false

  constructor(readonly contentType: string) {}

  write(chunk: Buffer): boolean {
    if (!this.ended) this.size += chunk.length
    return true
  }

  onDrain(callback: () => void): void {
    callback()
  }

  endInMemory(): boolean {
    this.ended = true
    return true
  }

  end(): Promise<void> {
    this.ended = true
    return DONE
  }
}

/** A response's body as its exchange ends it: kept in the store, or only counted. */
export type ResponseBodyWriter = BodyWriter | UnkeptBody
