import type { AppError } from '../../shared/result'
import { ERROR_BODY_BYTES, ERROR_BODY_WAIT_MS, withBody } from '../streams/error-body'

/**
 * The body of a response that failed a stream (not 2xx, sse-response-policy.ts): not messages, but the detail
 * of the error the connection ends with. Kept up to ERROR_BODY_BYTES (the rest counted and said) and waited
 * for at most ERROR_BODY_WAIT_MS; `onTimeout` then ends the attempt with what came.
 */
export class RefusalBody {
  private readonly chunks: Buffer[] = []
  private kept = 0
  private total = 0
  private readonly timer: ReturnType<typeof setTimeout>

  constructor(
    private readonly error: AppError,
    onTimeout: () => void,
  ) {
    this.timer = setTimeout(onTimeout, ERROR_BODY_WAIT_MS)
  }

  /** Take decoded body bytes; true once enough came to say what went wrong (the rest is not waited for). */
  add(chunk: Buffer): boolean {
    this.total += chunk.length
    if (this.kept < ERROR_BODY_BYTES) {
      const part = chunk.subarray(0, ERROR_BODY_BYTES - this.kept)
      this.chunks.push(part)
      this.kept += part.length
    }
    return this.total > ERROR_BODY_BYTES
  }

  /** The error, with what came of the body (`complete`: the whole body came). */
  errorWithBody(complete: boolean): AppError {
    return withBody(this.error, Buffer.concat(this.chunks), this.total, complete)
  }

  stop(): void {
    clearTimeout(this.timer)
  }
}
