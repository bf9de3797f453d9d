import PoolClass from 'undici/lib/dispatcher/pool.js'
import { kClients, kGetDispatcher, kNeedDrain } from 'undici/lib/dispatcher/pool-base.js'
import symbols from 'undici/lib/core/symbols.js'
import type { Pool } from 'undici'
import { poolInternalsPresent } from './undici-internals'

/**
 * An undici Pool that reuses a connection whose request has just ended instead of opening another beside it.
 *
 * undici's HTTP/1.1 client takes a new request on a kept-alive connection only a full event-loop turn after the
 * last answer ended (setImmediate, so a server that closes anyway is seen first); until then the pool counts it
 * busy. A request dispatched in that turn, as the next of a run or a burst right after a burst is, found no
 * free connection and opened a new one: six answered together, the next five opened five more. Here such a
 * request waits in the pool's queue for one of those connections, which takes it on its turn; only requests
 * beyond them open connections. Without the Pool internals this needs (a later undici), it is undici's Pool.
 */

const { kQueued, kSize, kConnected } = symbols
/** The connection's own drain state (0 idle, 1 drain scheduled, 2 busy): not the pool's mark, kNeedDrain above. */
const kClientDrain = symbols.kNeedDrain

type Internals = Record<symbol, unknown>

export class ReusingPool extends PoolClass {
  constructor(origin: string, options: Pool.Options) {
    super(origin, options)
    // A later undici without these internals: its own Pool's choice, said once (undici-internals.ts).
    if (!poolInternalsPresent()) return
    const self = this as unknown as Internals
    const getDispatcher = (self[kGetDispatcher] as () => unknown).bind(this)
    // Queued requests are taken, one each, by the connections settling now; the rest take a connection not yet
    // made (undici makes one ahead when all are busy) or open new ones. This runs twice for every request the
    // pool is given (undici asks again once the chosen connection is busy): one pass over the connections, with
    // no array made. A connection with a request on it, most of them under load, is passed over on its mark and
    // its size alone, each read once; the dearer getters are read only of one that has none.
    self[kGetDispatcher] = () => {
      const clients = self[kClients] as Internals[]
      const queued = Number(self[kQueued] ?? 0)
      let settlingNow = 0
      for (let i = 0; i < clients.length; i++) {
        const c = clients[i] as Internals & { closed: boolean; destroyed: boolean }
        if (c[kNeedDrain]) {
          if ((c[kSize] ?? 0) !== 0) continue
          // Marked busy with no request on it and no drain coming: a request the connection refused before
          // sending (undici: 'invalid content-type header') left the pool's mark, which nothing would clear; it
          // would be waited for without end. Idle, it is free.
          if (c[kClientDrain] === 0) c[kNeedDrain] = false
          else {
            // Its request has just ended: it takes the next one on its turn.
            if (settlingNow <= queued && c[kConnected] === true && !c.closed && !c.destroyed) settlingNow++
            continue
          }
        }
        // An idle connected one is taken itself: undici's choice is the first connection not marked busy, which
        // may be one whose socket was cut (a POST cut mid-body), and it would open a new socket beside this one.
        if (c[kConnected] === true) return c
      }
      return settlingNow > queued ? undefined : getDispatcher()
    }
  }
}
