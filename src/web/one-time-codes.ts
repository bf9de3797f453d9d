import { randomBytes } from 'node:crypto'

/**
 * Random codes that each work once and expire: the launch code handed to the browser opener (its command line
 * is visible to every local user in `ps`, so it must be useless once the browser has used it) and the download
 * tickets (a plain link cannot carry the socket's credential). Bounded: at most `max` live codes; minting past
 * that is refused with a reason, never by silently dropping an older code someone is about to use.
 */

export interface OneTimeCodeOptions {
  /** How long a code lives after it is minted. */
  ttlMs: number
  /** Live codes at most. */
  max: number
  /** Injectable clock (ms), so expiry is tested without waiting. */
  now?: () => number
}

export type MintResult = { ok: true; code: string } | { ok: false; reason: string }

export class OneTimeCodes<T> {
  private readonly live = new Map<string, { value: T; expires: number }>()
  private readonly now: () => number

  constructor(private readonly options: OneTimeCodeOptions) {
    this.now = options.now ?? Date.now
  }

  mint(value: T): MintResult {
    this.sweep()
    if (this.live.size >= this.options.max) {
      return {
        ok: false,
        reason: `${this.options.max} are already waiting to be used (each is valid for ${Math.round(this.options.ttlMs / 1000)} s)`,
      }
    }
    // 256 bits, base64url: valid in a URL query and in a WebSocket subprotocol name.
    const code = randomBytes(32).toString('base64url')
    this.live.set(code, { value, expires: this.now() + this.options.ttlMs })
    return { ok: true, code }
  }

  /** Whether the code would be accepted now, without using it up. */
  peek(code: string): boolean {
    const entry = this.live.get(code)
    return entry !== undefined && entry.expires > this.now()
  }

  /** The code's value, once: the code is gone afterwards, whatever the answer. */
  take(code: string): T | null {
    const entry = this.live.get(code)
    this.live.delete(code)
    return entry !== undefined && entry.expires > this.now() ? entry.value : null
  }

  get size(): number {
    this.sweep()
    return this.live.size
  }

  private sweep(): void {
    const now = this.now()
    for (const [code, entry] of this.live) if (entry.expires <= now) this.live.delete(code)
  }
}
