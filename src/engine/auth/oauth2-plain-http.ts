import { isIP } from 'node:net'

/**
 * A token URL on plain `http://` to a host that is not loopback: the token request goes (internal setups use
 * `http://keycloak:8080`), but its form (client secret, password, code, refresh token) and the answer's tokens
 * crossed the network unencrypted, and the row and the CLI say so.
 *
 * Loopback is judged on the host as written in the URL, before anything is sent: `localhost`, a `*.localhost`
 * name, an address in 127.0.0.0/8, `::1` (or 127.0.0.0/8 mapped into IPv6). A name that only this machine's
 * hosts file points at 127.0.0.1 is not: the collection that names it is shared, and on a colleague's machine or
 * in CI the same name crosses the network. `0.0.0.0` is not loopback either (it names no host; where a system
 * connects it to this one, that is the system's choice, not the URL's).
 */

export const PLAIN_HTTP_NOTICE =
  'token URL is plain http to a non-loopback host: the client secret crossed the network unencrypted'

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1).toLowerCase() : hostname.toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) {
    if (host === '::1') return true
    // WHATWG URL writes a mapped address in hex: [::ffff:127.0.0.1] is ::ffff:7f00:1.
    const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(host)
    return mapped !== null && parseInt(mapped[1] ?? '0', 16) >> 8 === 127
  }
  return false
}

/** The notice for a token request to `tokenUrl`, or null when it is https or loopback (or not a URL). */
export function plainHttpNotice(tokenUrl: string): string | null {
  let url: URL
  try {
    url = new URL(tokenUrl)
  } catch {
    return null
  }
  return url.protocol === 'http:' && !isLoopbackHost(url.hostname) ? PLAIN_HTTP_NOTICE : null
}
