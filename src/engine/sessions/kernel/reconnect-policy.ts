import type { AppError } from '../../../shared/result'

/** Reconnects over a session's whole life, whatever else happens: a bound on the loop. */
export const MAX_ATTEMPTS = 100_000

export interface ReconnectRules {
  /** Reconnect at all (the person's choice; off means one attempt). */
  enabled: boolean
  /** Failed attempts in a row tolerated: one more and the session gives up. */
  maxRetries: number
  /**
   * What clears the count of failures in a row. `open`: a connection that opens (WebSocket, where opening is
   * the handshake's success). `message`: an attempt that delivered a message (SSE, where a server may accept a
   * stream and end it at once, over and over, and that must count as failing).
   */
  resetOn: 'open' | 'message'
  /**
   * The wait before the next attempt, given the failed attempts in a row so far (0 after an attempt that
   * cleared the count).
   */
  delayMs(failures: number): number
}

/**
 * The reconnect policy shared by every long-lived session: count the attempts and the failures in a row, say
 * whether another attempt is made and after how long, and word the error of a session that gave up.
 */
export class ReconnectPolicy {
  /** The current attempt's number: 0 for the first connection, then 1, 2, … for reconnects. */
  attempt = 0
  /** Failed attempts in a row (see `ReconnectRules.resetOn`). */
  failures = 0

  constructor(private readonly rules: ReconnectRules) {}

  opened(): void {
    if (this.rules.resetOn === 'open') this.failures = 0
  }

  /** An attempt ended: count it, and say whether the session reconnects. */
  ended(delivered: number, reconnectable: boolean): boolean {
    this.failures = this.failuresAfter(delivered)
    return this.retries(this.failures, reconnectable)
  }

  /** What `ended` would answer for an attempt ending now, without counting it. */
  wouldRetry(delivered: number, reconnectable: boolean): boolean {
    return this.retries(this.failuresAfter(delivered), reconnectable)
  }

  private failuresAfter(delivered: number): number {
    return this.rules.resetOn === 'message' && delivered > 0 ? 0 : this.failures + 1
  }

  private retries(failures: number, reconnectable: boolean): boolean {
    return (
      this.rules.enabled && reconnectable && failures <= this.rules.maxRetries && this.attempt < MAX_ATTEMPTS
    )
  }

  /** Move on to the next attempt; its number and the wait before it. */
  next(): { attempt: number; delayMs: number } {
    this.attempt++
    return { attempt: this.attempt, delayMs: this.rules.delayMs(this.failures) }
  }

  /**
   * How a session that is not reconnected ends: `null` for done, else its error. A session that gave up (reconnects
   * were made and the last of the tolerated failures is past) fails and says so, even when its last attempt
   * ended without an error of its own (an SSE server that accepts and ends the stream, over and over, without a
   * message): a person should not wonder why it stopped trying, nor read a give-up as a success.
   */
  endError(error: AppError | undefined, reason: string, reconnectable: boolean): AppError | null {
    const gaveUp =
      this.rules.enabled && reconnectable && this.attempt > 0 && this.failures > this.rules.maxRetries
    if (!gaveUp) return error ?? null
    const n = this.failures
    if (error)
      return {
        ...error,
        message: `Gave up after ${attempts(n, 'failed connection')} in a row: ${error.message}`,
      }
    const what =
      this.rules.resetOn === 'message'
        ? `${attempts(n, 'connection')} in a row that brought no message`
        : `${attempts(n, 'failed connection')} in a row`
    return { code: 'reconnect_limit', message: `Gave up after ${what}: ${reason}` }
  }
}

function attempts(n: number, kind: string): string {
  return `${n} ${kind} attempt${n === 1 ? '' : 's'}`
}
