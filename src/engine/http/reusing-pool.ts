import type { Socket } from 'node:net'
import PoolClass from 'undici/lib/dispatcher/pool.js'
import { kAddClient, kClients, kGetDispatcher, kNeedDrain } from 'undici/lib/dispatcher/pool-base.js'
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

const { kQueued, kSize, kConnected, kClient } = symbols
/** The connection's own drain state (0 idle, 1 drain scheduled, 2 busy): not the pool's mark, kNeedDrain above. */
const kClientDrain = symbols.kNeedDrain
/** Pool's handler of a connection's 'drain' (not exported: found by its name; without it, every choice scans). */
const kOnDrain = Object.getOwnPropertySymbols(Object.getPrototypeOf(PoolClass.prototype) as object).find(
  (s) => s.description === 'onDrain',
)
/** A connection counted as settling now: it will take one queued request on its turn. */
const kSettling = Symbol('settling')
/** The ReusingPool a connection belongs to, for `noteAnswered`. */
const kOwner = Symbol('reusingPool')

type Internals = Record<symbol, unknown>
type Connection = Internals & {
  closed: boolean
  destroyed: boolean
  on(event: 'connect' | 'disconnect' | 'connectionError', listener: () => void): Connection
}

/**
 * A request was answered on `socket`: its connection settles now (it takes the next request on its turn). Tells
 * the pool, which then need not look through all its connections to find it (an exchange calls this as its
 * response ends; a connection not told of is found by the full look, as before).
 */
export function noteAnswered(socket: Socket | undefined): void {
  const connection = (socket as unknown as Internals | undefined)?.[kClient] as Internals | undefined
  const pool = connection?.[kOwner] as ReusingPool | undefined
  pool?.answered.push(connection as Connection)
}

/** Whether the connection's request has just ended and it will take a queued one on its turn. */
function settlingNow(c: Connection): boolean {
  return (
    c[kNeedDrain] === true &&
    (c[kSize] ?? 0) === 0 &&
    c[kClientDrain] !== 0 &&
    c[kConnected] === true &&
    !c.closed &&
    !c.destroyed
  )
}

export class ReusingPool extends PoolClass {
  /** Connections told of (`noteAnswered`) since the pool last chose: checked, then counted as settling. */
  readonly answered: Connection[] = []

  constructor(origin: string, options: Pool.Options) {
    super(origin, options)
    // A later undici without these internals: its own Pool's choice, said once (undici-internals.ts).
    if (!poolInternalsPresent()) return
    const self = this as unknown as Internals
    const getDispatcher = (self[kGetDispatcher] as () => unknown).bind(this)
    const addClient = (self[kAddClient] as (c: Connection) => unknown).bind(this)
    /** Connections marked settling (kSettling), each seen settling when marked and not drained or cut since. */
    let settling = 0
    /** The marks can be trusted: no connection was cut or refused since the last full look. */
    let trusted = false
    /** No connected connection is free (unmarked, or marked with nothing on it) as of the last full look. */
    let noneFree = false
    const unmark = (c: Connection): void => {
      if (c[kSettling] !== true) return
      c[kSettling] = false
      settling--
    }
    const distrust = (): void => {
      trusted = false
    }
    const mayBeFree = (): void => {
      noneFree = false
    }
    self[kAddClient] = (c: Connection) => {
      c[kOwner] = this
      c[kSettling] = false
      noneFree = false
      c.on('disconnect', distrust).on('connectionError', distrust).on('connect', mayBeFree)
      return addClient(c)
    }
    if (kOnDrain) {
      type OnDrain = (c: Connection, origin: unknown, targets: unknown) => unknown
      const onDrain = (self[kOnDrain] as OnDrain).bind(this)
      self[kOnDrain] = (c: Connection, origin: unknown, targets: unknown) => {
        // It settled: it takes a queued request (or none is left, and it is free).
        unmark(c)
        const r = onDrain(c, origin, targets)
        if (c[kNeedDrain] !== true || (c[kSize] ?? 0) === 0) noneFree = false
        return r
      }
    }
    // Queued requests are taken, one each, by the connections settling now; the rest take a connection not yet
    // made (undici makes one ahead when all are busy) or open new ones. This runs for every request the pool is
    // given. When no connection is free and the connections marked settling outnumber the queue, the request
    // waits for them: the connections just answered (`noteAnswered`) are checked and marked, not all of them.
    // Otherwise one pass over all of them decides and marks again.
    self[kGetDispatcher] = () => {
      const queued = Number(self[kQueued] ?? 0)
      const answered = this.answered
      for (let i = 0; i < answered.length; i++) {
        const c = answered[i] as Connection
        if (c[kSettling] !== true && settlingNow(c)) {
          c[kSettling] = true
          settling++
        }
      }
      answered.length = 0
      if (kOnDrain && trusted && noneFree && settling > queued) return undefined
      return chooseByLook(queued)
    }
    const chooseByLook = (queued: number): unknown => {
      const clients = self[kClients] as Connection[]
      settling = 0
      let free = false
      let chosen: Connection | undefined
      for (let i = 0; i < clients.length; i++) {
        const c = clients[i] as Connection
        if (c[kNeedDrain]) {
          if ((c[kSize] ?? 0) !== 0) {
            c[kSettling] = false
            continue
          }
          // Marked busy with no request on it and no drain coming: a request the connection refused before
          // sending (undici: 'invalid content-type header') left the pool's mark, which nothing would clear; it
          // would be waited for without end. Idle, it is free.
          if (c[kClientDrain] === 0) c[kNeedDrain] = false
          else {
            // Its request has just ended: it takes the next one on its turn.
            const now = settlingNow(c)
            c[kSettling] = now
            if (now) settling++
            continue
          }
        }
        c[kSettling] = false
        // An idle connected one is taken itself: undici's choice is the first connection not marked busy, which
        // may be one whose socket was cut (a POST cut mid-body), and it would open a new socket beside this one.
        // One not connected is left to undici's choice (below), which a queued request never comes to.
        if (c[kConnected] !== true) continue
        free = true
        chosen ??= c
      }
      noneFree = !free
      trusted = true
      if (chosen !== undefined) {
        // It is given a request now: the next choice looks again.
        noneFree = false
        return chosen
      }
      if (settling > queued) return undefined
      // undici's choice may make a connection (marked when added) or take a free one: the next choice looks again.
      noneFree = false
      return getDispatcher()
    }
  }
}
