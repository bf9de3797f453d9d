/**
 * The authorization code sign-ins an engine awaits, by token key, so a person can end one (Cancel beside Get
 * token) instead of waiting out its timeout. Cancelling closes the loopback listener at once: its port refuses
 * connections, and the wait ends with "the sign-in was cancelled". A cancel that comes while the listener is
 * still being set up is kept, and ends the sign-in as soon as it is listening, before any page is opened.
 * A run's Cancel ends the sign-ins its requests wait for the same way (`endWith`).
 */

export interface SignInWait {
  /** The listener is up: `close` ends the wait. True when a cancel already came (the caller closes it). */
  listening(close: () => void): boolean
  /** The redirect came or the wait ended: there is nothing left to cancel. */
  done(): void
}

export class SignInWaits {
  private readonly waits = new Map<string, { close: (() => void) | null; cancelled: boolean }>()
  /** Keys whose token fetch was cancelled before its sign-in began (during a refresh): it begins cancelled. */
  private readonly ending = new Set<string>()
  /** The token fetches each signal already ends: one abort listener per fetch, however many requests wait. */
  private readonly watched = new WeakMap<AbortSignal, Set<Promise<unknown>>>()

  /** A sign-in for `key` begins (concurrent sends of one key share one: see OAuth2Tokens.inflight). */
  begin(key: string): SignInWait {
    const wait = { close: null as (() => void) | null, cancelled: this.ending.has(key) }
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

  /**
   * When `signal` aborts before `fetch` (the token fetch of `key`) has settled, the sign-in it waits for ends, or
   * begins ended if it is not yet awaited. Every request of a run waits with the run's signal: its Cancel ends the
   * sign-in, and so ends it for whatever else waits for the same token (a Get token of that auth).
   */
  endWith(signal: AbortSignal, key: string, fetch: Promise<unknown>): void {
    let fetches = this.watched.get(signal)
    if (fetches?.has(fetch)) return
    if (!fetches) this.watched.set(signal, (fetches = new Set()))
    fetches.add(fetch)
    let settled = false
    const end = (): void => {
      if (settled) return
      this.ending.add(key)
      this.cancel(key)
    }
    if (signal.aborted) end()
    else signal.addEventListener('abort', end, { once: true })
    const done = (): void => {
      settled = true
      signal.removeEventListener('abort', end)
      fetches.delete(fetch)
      this.ending.delete(key)
    }
    fetch.then(done, done)
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
