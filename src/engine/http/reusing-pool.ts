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

/**
 * A connection whose request has just ended and that takes the next one on its turn. Its size is read first: a
 * connection with a request on it (most, under load) is ruled out by it alone, before the dearer getters.
 */
function settling(client: unknown): boolean {
  const c = client as Internals & { closed: boolean; destroyed: boolean }
  return (
    Boolean(c[kNeedDrain]) &&
    Number(c[kSize] ?? 0) === 0 &&
    c[kConnected] === true &&
    !c.closed &&
    !c.destroyed
  )
}

export class ReusingPool extends PoolClass {
  constructor(origin: string, options: Pool.Options) {
    super(origin, options)
    // A later undici without these internals: its own Pool's choice, said once (undici-internals.ts).
    if (!poolInternalsPresent()) return
    const self = this as unknown as Internals
    const getDispatcher = (self[kGetDispatcher] as () => unknown).bind(this)
    // Queued requests are taken, one each, by the connections settling now; the rest take a connection not yet
    // made (undici makes one ahead when all are busy) or open new ones. This runs for every request the pool is
    // given: one pass over the connections, with no array made, a busy one checked for settling only while the
    // count can still change the answer.
    self[kGetDispatcher] = () => {
      const clients = self[kClients] as Internals[]
      const queued = Number(self[kQueued] ?? 0)
      let settlingNow = 0
      for (let i = 0; i < clients.length; i++) {
        const c = clients[i] as Internals
        // A request the connection refused before sending (undici: 'invalid content-type header') left the pool's
        // mark on it, but the connection, idle, will send no drain to clear it: it would be waited for without end.
        if (c[kNeedDrain] && c[kClientDrain] === 0 && Number(c[kSize] ?? 0) === 0) c[kNeedDrain] = false
        // An idle connected one is taken itself: undici's choice is the first connection not marked busy, which
        // may be one whose socket was cut (a POST cut mid-body), and it would open a new socket beside this one.
        if (!c[kNeedDrain]) {
          if (c[kConnected] === true) return c
        } else if (settlingNow <= queued && settling(c)) settlingNow++
      }
      return settlingNow > queued ? undefined : getDispatcher()
    }
  }
}
