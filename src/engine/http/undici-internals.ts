import { kClients, kGetDispatcher, kNeedDrain } from 'undici/lib/dispatcher/pool-base.js'
import connectH2 from 'undici/lib/dispatcher/client-h2.js'
import symbols from 'undici/lib/core/symbols.js'

/**
 * The parts of undici's insides the engine leans on: undici 7 exports none of them, so a later undici may rename
 * or drop any without a word. `ReusingPool` (reusing-pool.ts) chooses a pool's connection through Pool's
 * dispatcher getter; HTTP/2 sharing (h2-graceful-goaway.ts) reads a Client's connection state and swaps undici's
 * GOAWAY listener. Checked here, once, at their first use: the symbols, Pool's getter and the listener's name in
 * client-h2's source; one missing, its whole part falls back to undici's own behaviour (a connection a request
 * beside settling ones; one HTTP/2 stream a connection). Checked on each HTTP/2 connection as it is shared
 * (h2-graceful-goaway.ts): its context's `busy` and `write` and the listener on its session; one missing, that
 * connection alone carries one stream at a time. Either way a process warning names what is missing, once for
 * each part (warnFallback), instead of the engine reading `undefined` and misbehaving. `kUrl` is read unchecked:
 * only for the host an error names, which says "The server" without it; nothing falls back, no warning.
 */

/** The name of undici 7's GOAWAY listener on the HTTP/2 sessions it makes (h2-graceful-goaway.ts swaps it). */
export const UNDICI_GOAWAY_LISTENER = 'onHttp2SessionGoAway'

const H2_SYMBOLS = ['kHTTP2Session', 'kHTTPContext', 'kSocket', 'kRunning', 'kSize', 'kMaxConcurrentStreams']
const POOL_SYMBOLS = ['kQueued', 'kSize', 'kConnected', 'kNeedDrain']

export interface UndiciInsides {
  symbols: Record<string, unknown>
  poolBase: Record<string, unknown>
  connectH2: unknown
}

const installed: UndiciInsides = {
  symbols,
  poolBase: { kClients, kGetDispatcher, kNeedDrain },
  connectH2,
}

/** What ReusingPool needs and this undici lacks, by name (empty when all is there). */
export function missingForPools(insides: UndiciInsides = installed): string[] {
  const missing = POOL_SYMBOLS.filter((k) => typeof insides.symbols[k] !== 'symbol').map(
    (k) => `core/symbols ${k}`,
  )
  for (const k of ['kClients', 'kGetDispatcher', 'kNeedDrain'])
    if (typeof insides.poolBase[k] !== 'symbol') missing.push(`dispatcher/pool-base ${k}`)
  return missing
}

/** What HTTP/2 sharing needs and this undici lacks, by name (empty when all is there). */
export function missingForH2(insides: UndiciInsides = installed): string[] {
  const missing = H2_SYMBOLS.filter((k) => typeof insides.symbols[k] !== 'symbol').map(
    (k) => `core/symbols ${k}`,
  )
  const source =
    typeof insides.connectH2 === 'function' ? Function.prototype.toString.call(insides.connectH2) : ''
  if (!new RegExp(`['"]goaway['"]\\s*,\\s*${UNDICI_GOAWAY_LISTENER}\\b`).test(source))
    missing.push(`dispatcher/client-h2's GOAWAY listener ${UNDICI_GOAWAY_LISTENER}`)
  return missing
}

const warned = new Set<string>()

/** Says once per part that it falls back, and why. */
export function warnFallback(part: 'pools' | 'h2', missing: readonly string[]): void {
  if (missing.length === 0 || warned.has(part)) return
  warned.add(part)
  const what =
    part === 'pools'
      ? 'HTTP/1.1 pools open a connection for a request sent as others end (undici Pool as is)'
      : 'HTTP/2 requests go one stream a connection (not shared)'
  process.emitWarning(`undici's internals changed (missing: ${missing.join(', ')}): ${what}`, {
    code: 'FLIGHTDECK_UNDICI_INTERNALS',
  })
}

let pools: string[] | null = null
let h2: string[] | null = null

/** Whether ReusingPool may choose connections itself; warns once when it may not. */
export function poolInternalsPresent(): boolean {
  pools ??= missingForPools()
  warnFallback('pools', pools)
  return pools.length === 0
}

/** Whether HTTP/2 connections may be shared; warns once when they may not. */
export function h2InternalsPresent(): boolean {
  h2 ??= missingForH2()
  warnFallback('h2', h2)
  return h2.length === 0
}
