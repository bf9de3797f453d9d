import type { CancelledEvent, DoneEvent, ErrorEvent } from '../../shared/timeline'
import type { Chain, ExchangeResult } from './chain'

/** Settled requests remembered for a late `waitFor` (the CLI and tests wait before they settle). */
export const KEEP_SETTLED = 256

/**
 * How a request's chain ends for those who wait on it: its result is fixed once, its waiters are told, and the
 * newest KEEP_SETTLED settled chains stay findable by any of their session ids (a ring), so a `waitFor` that
 * comes just after the end still gets the result; older ones are forgotten, keeping memory bounded however
 * many requests a process sends. A lean chain (Chain.lean) that had waiters is forgotten once they are told.
 */
export class SettledChains {
  private readonly ring: (Chain | undefined)[] = new Array<Chain | undefined>(KEEP_SETTLED)
  private count = 0

  /** `bySid`: the engine's map of every hop's session id to its chain, which forgetting a chain trims. */
  constructor(private readonly bySid: Map<string, Chain>) {}

  settle(chain: Chain, final: DoneEvent | ErrorEvent | CancelledEvent): void {
    if (chain.settled) return
    if (chain.totalTimer) clearTimeout(chain.totalTimer)
    chain.totalTimer = null
    chain.settled = {
      sids: chain.sids,
      events: chain.events,
      final,
      sentBody: chain.plan.body,
      headers: chain.headers,
      traceId: chain.traceId,
      resent: chain.resent,
    }
    const waiters = chain.waiters
    chain.waiters = null
    if (typeof waiters === 'function') waiters(chain.settled)
    else if (waiters) for (const w of waiters) w(chain.settled)
    if (chain.lean && waiters !== null) {
      // Its one reader has its result (Chain.lean): nobody looks it up again, so it is forgotten now rather than
      // held through the next KEEP_SETTLED requests, which kept each one alive across a young-generation GC.
      for (const s of chain.sids) this.bySid.delete(s)
      return
    }
    const slot = this.count++ % KEEP_SETTLED
    const old = this.ring[slot]
    this.ring[slot] = chain
    if (old) {
      for (const s of old.sids) this.bySid.delete(s)
    }
  }
}

/** Resolves when the chain has settled (at once if it has). */
export function waitForChain(chain: Chain): Promise<ExchangeResult> {
  if (chain.settled) return Promise.resolve(chain.settled)
  return new Promise((resolve) => {
    const w = chain.waiters
    chain.waiters = w === null ? resolve : Array.isArray(w) ? [...w, resolve] : [w, resolve]
  })
}
