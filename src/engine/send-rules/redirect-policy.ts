import type { RequestBody } from '../../shared/request'
import type { HeaderList } from '../../shared/timeline'
import { credentialsForOrigin } from './credentials'

/**
 * Where a redirect leads and what the next hop sends, for every kind of send (an HTTP request, an SSE open):
 * the method rewrite browsers do, the body dropped with it, credentials kept to their origin, and the bound on
 * the chain, which tells a loop from a long chain.
 */

export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/** The headers that describe a body: they go when a redirect drops the body. */
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding'])

export function isFollowableRedirect(status: number, headers: HeaderList): boolean {
  return REDIRECT_STATUSES.has(status) && headers.some(([k]) => k.toLowerCase() === 'location')
}

/** The method of the next hop, as fetch and browsers rewrite it. */
export function redirectMethod(method: string, status: number): string {
  if (status === 303 && method !== 'HEAD') return 'GET'
  if ((status === 301 || status === 302) && method === 'POST') return 'GET'
  return method
}

/** One hop of a send: what it asked for. */
export interface RedirectHop {
  method: string
  url: URL
  headers: HeaderList
  body: RequestBody
}

/** The hops a chain has made: `visited` holds `METHOD url` of each hop that redirected. */
export interface RedirectTrail {
  visited: string[]
  /** Redirects followed so far. */
  followed: number
}

export type RedirectRefusal = {
  code: 'invalid_url' | 'too_many_redirects' | 'redirect_loop'
  message: string
}

export type RedirectStep = { ok: true; hop: RedirectHop } | { ok: false; error: RedirectRefusal }

export function newRedirectTrail(): RedirectTrail {
  return { visited: [], followed: 0 }
}

/**
 * The hop a redirect from `hop` (answered `status` with `location`) leads to, or why the chain stops there.
 * Records `hop` in `trail`; the caller counts the hop it makes (`trail.followed`) once it makes it.
 */
export function followRedirect(
  hop: RedirectHop,
  status: number,
  location: string,
  trail: RedirectTrail,
  maxRedirects: number,
  credentialHeaders: readonly string[] = [],
): RedirectStep {
  let next: URL
  try {
    next = new URL(location, hop.url)
  } catch {
    return refuse('invalid_url', `The server redirected to an invalid URL: ${location}`)
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:')
    return refuse('invalid_url', `The server redirected to an unsupported URL: ${next.href}`)
  trail.visited.push(`${hop.method} ${hop.url.href}`)
  const method = redirectMethod(hop.method, status)
  if (trail.followed >= maxRedirects) {
    // Past the bound, a chain that comes back to a hop it made is a loop: say so, it is the likelier fix.
    const loop = trail.visited.includes(`${method} ${next.href}`)
    return loop
      ? refuse(
          'redirect_loop',
          `Redirect loop: stopped after ${maxRedirects} redirects (${next.pathname} was already visited)`,
        )
      : refuse('too_many_redirects', `Too many redirects: stopped after ${maxRedirects}`)
  }
  let { headers, body } = hop
  if (method !== hop.method) {
    body = { kind: 'none' }
    headers = headers.filter(([k]) => !BODY_HEADERS.has(k.toLowerCase()))
  }
  headers = credentialsForOrigin(headers, hop.url.origin, next.origin, credentialHeaders)
  return { ok: true, hop: { method, url: next, headers, body } }
}

function refuse(code: RedirectRefusal['code'], message: string): RedirectStep {
  return { ok: false, error: { code, message } }
}
