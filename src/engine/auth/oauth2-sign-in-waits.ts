/**
 * The authorization code sign-ins an engine awaits, by token key, so a person can end one (Cancel beside Get
 * token) instead of waiting out its timeout. Cancelling closes the loopback listener at once: its port refuses
 * connections, and the wait ends with "the sign-in was cancelled". A cancel that comes while the listener is
 * still being set up is kept, and ends the sign-in as soon as it is listening, before any page is opened.
 */

export interface SignInWait {
  /** The listener is up: `close` ends the wait. True when a cancel already came (the caller closes it). */
  listening(close: () => void): boolean
  /** The redirect came or the wait ended: there is nothing left to cancel. */
  done(): void
}

export class SignInWaits {
  private readonly waits = new Map<string, { close: (() => void) | null; cancelled: boolean }>()

  /** A sign-in for `key` begins (concurrent sends of one key share one: see OAuth2Tokens.inflight). */
  begin(key: string): SignInWait {
    const wait = { close: null as (() => void) | null, cancelled: false }
    this.waits.set(key, wait)
    return {
      listening: (close) => {
        wait.close = close
        return wait.cancelled
      },
      done: () => {
        if (this.waits.get(key) === wait) this.waits.delete(key)
      },
    }
  }

  /** End every sign-in awaited; false when none is. */
  cancelAll(): boolean {
    const keys = [...this.waits.keys()]
    for (const key of keys) this.cancel(key)
    return keys.length > 0
  }

  /** End the sign-in awaited for `key`; false when none is awaited. */
  cancel(key: string): boolean {
    const wait = this.waits.get(key)
    if (wait === undefined) return false
    this.waits.delete(key)
    wait.cancelled = true
    wait.close?.()
    return true
  }
}
