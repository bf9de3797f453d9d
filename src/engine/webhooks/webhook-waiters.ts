import { monotonicMs } from '../clock'
import type { WebhookCut } from './webhook-cuts'
import type { WebhookCall } from './webhook-inbox'

/** A wait for one token's first call; see `WebhookInbox.expect`. */
export interface WebhookExpectation {
  next(timeoutMs: number, signal?: AbortSignal): Promise<{ call: WebhookCall; at: number } | null>
  dispose(): void
  /** The last call for the token that the inbox cut while this listened (too large, too slow, hung up). */
  readonly cut: WebhookCut | undefined
  /**
   * Calls to URLs the inbox did not give out while this listened, and the first one's path: the usual reason a
   * wait ends empty is a service still calling an old URL.
   */
  readonly unknown: { count: number; firstPath: string } | undefined
}

/** Who waits for which token's call: `waitFor` and `expect` of the inbox, and its delivery of each call. */
export class TokenWaiters {
  private readonly byToken = new Map<string, ((call: WebhookCall) => void)[]>()
  private readonly cutsWatched = new Map<string, Set<(cut: WebhookCut) => void>>()
  private readonly unknownWatched = new Set<(path: string) => void>()

  /** Hand `call` to everyone waiting for its token (each wait ends with it). */
  deliver(call: WebhookCall): void {
    const waiting = this.byToken.get(call.token)
    this.byToken.delete(call.token)
    for (const w of waiting ?? []) w(call)
  }

  /** Tell the expectations of the cut's token that a call for it was cut. */
  noteCut(cut: WebhookCut): void {
    if (cut.token === undefined) return
    for (const w of this.cutsWatched.get(cut.token) ?? []) w(cut)
  }

  /** Tell every expectation listening now that a call reached a URL the inbox did not give out. */
  noteUnknown(path: string): void {
    for (const w of this.unknownWatched) w(path)
  }

  /** Resolves with the next call for `token`, or null after `timeoutMs`. */
  waitFor(token: string, timeoutMs: number): Promise<WebhookCall | null> {
    return new Promise((resolve) => {
      const list = this.byToken.get(token) ?? []
      const timer = setTimeout(() => {
        const current = this.byToken.get(token)
        if (current) {
          const rest = current.filter((w) => w !== onCall)
          if (rest.length > 0) this.byToken.set(token, rest)
          else this.byToken.delete(token)
        }
        resolve(null)
      }, timeoutMs)
      const onCall = (call: WebhookCall): void => {
        clearTimeout(timer)
        resolve(call)
      }
      list.push(onCall)
      this.byToken.set(token, list)
    })
  }

  /**
   * Listen for `token`'s first call from now on — before the request carrying the token is sent, so a caller
   * that answers faster than the response is not missed. `next` resolves with that call (at once when it
   * came already) and when it arrived (monotonicMs()), or null after `timeoutMs` or when `signal` aborts.
   * `dispose` stops listening; call it whatever happened.
   */
  expect(token: string): WebhookExpectation {
    let got: { call: WebhookCall; at: number } | null = null
    let wake: (() => void) | null = null
    let lastCut: WebhookCut | undefined
    const onCall = (call: WebhookCall): void => {
      got ??= { call, at: monotonicMs() }
      wake?.()
    }
    const onCut = (cut: WebhookCut): void => {
      lastCut = cut
    }
    let unknown: { count: number; firstPath: string } | undefined
    const onUnknown = (path: string): void => {
      unknown = { count: (unknown?.count ?? 0) + 1, firstPath: unknown?.firstPath ?? path }
    }
    this.unknownWatched.add(onUnknown)
    this.byToken.set(token, [...(this.byToken.get(token) ?? []), onCall])
    const watching = this.cutsWatched.get(token) ?? new Set()
    this.cutsWatched.set(token, watching.add(onCut))
    return {
      get cut() {
        return lastCut
      },
      get unknown() {
        return unknown
      },
      next: (timeoutMs, signal) =>
        new Promise((resolve) => {
          if (got || signal?.aborted) {
            resolve(got)
            return
          }
          const finish = (): void => {
            clearTimeout(timer)
            signal?.removeEventListener('abort', finish)
            wake = null
            resolve(got)
          }
          const timer = setTimeout(finish, timeoutMs)
          signal?.addEventListener('abort', finish, { once: true })
          wake = finish
        }),
      dispose: () => {
        // A wait still pending ends with what it has.
        const w = wake
        wake = null
        w?.()
        watching.delete(onCut)
        this.unknownWatched.delete(onUnknown)
        if (watching.size === 0 && this.cutsWatched.get(token) === watching) this.cutsWatched.delete(token)
        const current = this.byToken.get(token)
        if (!current) return
        const rest = current.filter((w) => w !== onCall)
        if (rest.length > 0) this.byToken.set(token, rest)
        else this.byToken.delete(token)
      },
    }
  }
}
