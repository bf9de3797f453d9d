import { randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * The browser host's access rules, pure so they are tested directly. Three independent checks:
 *
 * - Token: a fresh 256-bit secret per launch, only ever printed to the terminal that started the host. It
 *   arrives once as `?token=` and is then kept in an HttpOnly, SameSite=Strict cookie. Any other local user or
 *   web page cannot guess it, so cannot load the app or reach the API.
 * - Host: only `127.0.0.1:PORT` / `localhost:PORT`. A DNS-rebinding page (evil.example resolving to 127.0.0.1)
 *   sends its own name in Host, so it is refused even before the token matters.
 * - Origin (WebSocket only): browsers do not apply the same-origin policy to WebSocket handshakes, so a page
 *   on another origin could open one and ride the cookie (cross-site WebSocket hijacking). The handshake must
 *   come from our own origin.
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

/** Cookies are scoped by host, not port: naming the cookie by port keeps two hosts on one machine apart. */
export function tokenCookieName(port: number): string {
  return `flightdeck_token_${port}`
}

export function tokenCookie(port: number, token: string): string {
  return `${tokenCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  if (!header) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (name && !out.has(name)) out.set(name, value)
  }
  return out
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
  cookie: string | undefined
}

export type TokenSource = 'query' | 'cookie'
export type Verdict = { ok: true; via: TokenSource } | { ok: false; status: 403 | 400; reason: string }

const NO_TOKEN = 'Missing or wrong token: open the full URL that `npm run web` printed (Flightdeck: ...).'

/** Token from the query string or the cookie. A wrong token in the query is refused even with a good cookie. */
export function checkToken(facts: RequestFacts, token: string, port: number): Verdict {
  let query: string | null
  try {
    query = new URL(facts.url, 'http://127.0.0.1').searchParams.get('token')
  } catch {
    return { ok: false, status: 400, reason: 'Malformed request target.' }
  }
  if (query !== null) {
    return tokensEqual(token, query)
      ? { ok: true, via: 'query' }
      : { ok: false, status: 403, reason: NO_TOKEN }
  }
  const cookie = parseCookies(facts.cookie).get(tokenCookieName(port))
  return tokensEqual(token, cookie)
    ? { ok: true, via: 'cookie' }
    : { ok: false, status: 403, reason: NO_TOKEN }
}

/** Plain HTTP requests for the app's files: Host, then token. */
export function authorizeRequest(facts: RequestFacts, token: string, port: number): Verdict {
  if (!isAllowedHost(facts.host, port)) {
    return { ok: false, status: 403, reason: `Host must be 127.0.0.1:${port} or localhost:${port}.` }
  }
  return checkToken(facts, token, port)
}

/** The API WebSocket handshake: Host, Origin, then token. */
export function authorizeUpgrade(facts: RequestFacts, token: string, port: number): Verdict {
  if (!isAllowedHost(facts.host, port)) {
    return { ok: false, status: 403, reason: `Host must be 127.0.0.1:${port} or localhost:${port}.` }
  }
  if (!isAllowedOrigin(facts.origin, port)) {
    return {
      ok: false,
      status: 403,
      reason: 'Origin must be this Flightdeck host; cross-origin WebSockets are refused.',
    }
  }
  return checkToken(facts, token, port)
}
