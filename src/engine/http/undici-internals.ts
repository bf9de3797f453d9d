import { kAddClient, kClients, kGetDispatcher, kNeedDrain } from 'undici/lib/dispatcher/pool-base.js'
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
const POOL_SYMBOLS = ['kQueued', 'kSize', 'kConnected', 'kNeedDrain', 'kClient']

export interface UndiciInsides {
  symbols: Record<string, unknown>
  poolBase: Record<string, unknown>
  connectH2: unknown
}

const installed: UndiciInsides = {
  symbols,
  poolBase: { kClients, kGetDispatcher, kNeedDrain, kAddClient },
  connectH2,
}

/** What ReusingPool needs and this undici lacks, by name (empty when all is there). */
export function missingForPools(insides: UndiciInsides = installed): string[] {
  const missing = POOL_SYMBOLS.filter((k) => typeof insides.symbols[k] !== 'symbol').map(
    (k) => `core/symbols ${k}`,
  )
  for (const k of ['kClients', 'kGetDispatcher', 'kNeedDrain', 'kAddClient'])
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

/**
 * What the HTTP/2 connection-header guard (h2-connection-headers.ts) needs and this undici lacks, by name: the
 * session on its socket under `kHTTP2Session` (client-h2's connectH2 puts it there), and, in `clientH2Source`
 * (client-h2.js's text, when it can be read: a test reads it, a bundle has no such file), the `sendHeaders`
 * channel published with the socket before writeH2 hands a request's headers to `session.request`. One missing,
 * a Proxy-Connection or TE typed over HTTP/2 throws out of undici again, uncaught.
 */
export function missingForConnectionHeaders(
  insides: UndiciInsides = installed,
  clientH2Source: string | null = null,
): string[] {
  const missing: string[] = []
  const { kHTTP2Session } = insides.symbols
  if (typeof kHTTP2Session !== 'symbol') missing.push('core/symbols kHTTP2Session')
  const connect =
    typeof insides.connectH2 === 'function' ? Function.prototype.toString.call(insides.connectH2) : ''
  if (!/\bsocket\w*\s*\[\s*kHTTP2Session\w*\s*\]\s*=\s*session\w*\b/.test(connect))
    missing.push("dispatcher/client-h2's connectH2 setting socket[kHTTP2Session]")
  if (clientH2Source !== null && !sendHeadersBeforeRequest(clientH2Source))
    missing.push(
      "dispatcher/client-h2's writeH2 publishing sendHeaders with the socket before session.request",
    )
  return missing
}

/** In writeH2's text: the `sendHeaders` publish names the socket, and comes before every later `session.request(`. */
function sendHeadersBeforeRequest(source: string): boolean {
  const start = source.indexOf('function writeH2')
  if (start < 0) return false
  const next = source.indexOf('\nfunction ', start + 1)
  const body = source.slice(start, next < 0 ? undefined : next)
  const publish = /channels\.sendHeaders\.publish\(\{[^}]*\bsocket\b[^}]*\}\)/.exec(body)
  if (!publish) return false
  // The request's own stream is made after the publish (CONNECT's, made earlier, carries no typed header).
  return body.indexOf('session.request(', publish.index) > publish.index
}

const warned = new Set<string>()

/** Says once per part that it falls back, and why. */
export function warnFallback(part: 'pools' | 'h2' | 'h2-headers', missing: readonly string[]): void {
  if (missing.length === 0 || warned.has(part)) return
  warned.add(part)
  const what =
    part === 'pools'
      ? 'HTTP/1.1 pools open a connection for a request sent as others end (undici Pool as is)'
      : part === 'h2'
        ? 'HTTP/2 requests go one stream a connection (not shared)'
        : 'a connection-specific header (Proxy-Connection, TE) typed over HTTP/2 is not left off, and fails the request'
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

let h2Headers: string[] | null = null

/** Whether the HTTP/2 connection-header guard can find a socket's session; warns once when it cannot. */
export function connectionHeaderInternalsPresent(): boolean {
  h2Headers ??= missingForConnectionHeaders()
  warnFallback('h2-headers', h2Headers)
  return h2Headers.length === 0
}

/** Whether HTTP/2 connections may be shared; warns once when they may not. */
export function h2InternalsPresent(): boolean {
  h2 ??= missingForH2()
  warnFallback('h2', h2)
  return h2.length === 0
}
