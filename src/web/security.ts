import { randomBytes, timingSafeEqual } from 'node:crypto'
import {
  WEB_API_PROTOCOL,
  WEB_LAUNCH_PROTOCOL_PREFIX,
  WEB_TOKEN_PROTOCOL_PREFIX,
} from '../shared/web-host-wire'

/**
 * The browser host's access rules, pure so they are tested directly.
 *
 * - Token: a fresh 256-bit secret per launch, printed only to the terminal that started the host. The page
 *   reads it from its address once (`?token=`), keeps it in memory and in the tab's sessionStorage (per origin,
 *   so per port), and offers it in the API socket's handshake (`Sec-WebSocket-Protocol`). There is no cookie:
 *   cookies are scoped by host, not port, so every other server on 127.0.0.1 the browser visits would get it.
 * - Launch code: the URL handed to the browser opener carries a single-use code that expires, never the token
 *   (an opener's command line is visible to every local user). The page trades it for the token over the socket.
 * - What needs the token: the API socket, and body downloads (through single-use tickets asked for over it).
 *   The page and its static files hold no secret, so they are served to any loopback client that names us
 *   in Host; that is what lets a reload work without a cookie.
 * - Host: only `127.0.0.1:PORT` / `localhost:PORT`. A DNS-rebinding page (evil.example resolving to 127.0.0.1)
 *   sends its own name in Host, so it is refused before anything else.
 * - Origin (WebSocket only): browsers do not apply the same-origin policy to WebSocket handshakes, so the
 *   handshake must come from our own origin.
 */

export function createToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Constant-time comparison, so response timing does not leak how much of a guess was right. */
export function tokensEqual(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(given, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The origins (scheme://host:port) this host answers as. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
}

export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false
  const host = hostHeader.toLowerCase()
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`
}

export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  return typeof origin === 'string' && ownOrigins(port).includes(origin.toLowerCase())
}

export interface RequestFacts {
  /** The request target as sent (path and query). */
  url: string
  host: string | undefined
  origin: string | undefined
  /** The `Sec-WebSocket-Protocol` header as sent (WebSocket handshakes only). */
  protocols?: string | undefined
}

/** What the host knows and can check; launch codes are looked up (and used up) through these two. */
export interface Credentials {
  token: string
  port: number
  /** Whether a launch code is live, without using it up (the page request). */
  launchIsLive(code: string): boolean
  /** Uses a launch code up; true if it was live (the socket handshake). */
  takeLaunch(code: string): boolean
}

export type Verdict =
  { ok: true; via: 'none' | 'token' | 'launch' } | { ok: false; status: 403 | 400; reason: string }

function noCredential(port: number): string {
  return (
    'Missing or wrong token: open the full URL that `npm run web` printed ' +
    `(Flightdeck: http://127.0.0.1:${port}/?token=...).`
  )
}

function usedLaunch(port: number): string {
  return (
    'This launch link was already used or has expired (it works once, within a minute): open the URL printed ' +
    `in the terminal that started Flightdeck (Flightdeck: http://127.0.0.1:${port}/?token=...).`
  )
}

function badHost(port: number): Verdict {
  return { ok: false, status: 403, reason: `Host must be 127.0.0.1:${port} or localhost:${port}.` }
}

function query(url: string): URLSearchParams | null {
  try {
    return new URL(url, 'http://127.0.0.1').searchParams
  } catch {
    return null
  }
}

/** The credentials a handshake offers in `Sec-WebSocket-Protocol`, besides our own protocol name. */
export function offeredCredentials(header: string | undefined): { token?: string; launch?: string } {
  const out: { token?: string; launch?: string } = {}
  for (const raw of (header ?? '').split(',')) {
    const item = raw.trim()
    if (item.startsWith(WEB_TOKEN_PROTOCOL_PREFIX) && out.token === undefined)
      out.token = item.slice(WEB_TOKEN_PROTOCOL_PREFIX.length)
    else if (item.startsWith(WEB_LAUNCH_PROTOCOL_PREFIX) && out.launch === undefined)
      out.launch = item.slice(WEB_LAUNCH_PROTOCOL_PREFIX.length)
  }
  return out
}

/** The subprotocol to answer a handshake with: ours, if offered (a browser fails the socket otherwise). */
export function chooseProtocol(offered: Set<string>): string | false {
  return offered.has(WEB_API_PROTOCOL) ? WEB_API_PROTOCOL : false
}

/**
 * Plain HTTP requests for the page and its files: Host only, since they hold no secret. A `?token=` or
 * `?launch=` that is present must still be right, so a stale link says so instead of opening a dead app.
 */
export function authorizeRequest(facts: RequestFacts, creds: Credentials): Verdict {
  if (!isAllowedHost(facts.host, creds.port)) return badHost(creds.port)
  const params = query(facts.url)
  if (!params) return { ok: false, status: 400, reason: 'Malformed request target.' }
  const token = params.get('token')
  if (token !== null && !tokensEqual(creds.token, token))
    return { ok: false, status: 403, reason: noCredential(creds.port) }
  const launch = params.get('launch')
  if (token === null && launch !== null && !creds.launchIsLive(launch))
    return { ok: false, status: 403, reason: usedLaunch(creds.port) }
  return { ok: true, via: 'none' }
}

/**
 * The API WebSocket handshake: Host, Origin, then a credential: the token (in the subprotocol list, or as
 * `?token=` for scripts and tests) or a launch code (in the subprotocol list), which this uses up.
 */
export function authorizeUpgrade(facts: RequestFacts, creds: Credentials): Verdict {
  if (!isAllowedHost(facts.host, creds.port)) return badHost(creds.port)
  if (!isAllowedOrigin(facts.origin, creds.port)) {
    return {
      ok: false,
      status: 403,
      reason: 'Origin must be this Flightdeck host; cross-origin WebSockets are refused.',
    }
  }
  const params = query(facts.url)
  if (!params) return { ok: false, status: 400, reason: 'Malformed request target.' }
  const offered = offeredCredentials(facts.protocols)
  const token = offered.token ?? params.get('token')
  if (token !== null) {
    return tokensEqual(creds.token, token)
      ? { ok: true, via: 'token' }
      : { ok: false, status: 403, reason: noCredential(creds.port) }
  }
  if (offered.launch !== undefined) {
    return creds.takeLaunch(offered.launch)
      ? { ok: true, via: 'launch' }
      : { ok: false, status: 403, reason: usedLaunch(creds.port) }
  }
  return { ok: false, status: 403, reason: noCredential(creds.port) }
}
