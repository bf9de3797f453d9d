import { fail, ok, type Result } from '../../shared/result'
import type { KeyValue } from '../../shared/request'
import type { HeaderList } from '../../shared/timeline'

/** Checks every session kind (HTTP, SSE, WebSocket) runs on what a person typed, before anything is sent. */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const HAS_SCHEME = /^[a-zA-Z][a-zA-Z\d+.-]*:\/\//
/** What undici and Node refuse in a header value (their rule): a C0 control but tab, DEL, or a character past U+00FF. */
const UNSENDABLE = /[^\t\x20-\x7e\x80-\xff]/u

/**
 * Parse a URL a person typed; `schemes` are the ones allowed, and the first is assumed when none is given
 * (like other API clients, "example.com/path" means http).
 */
export function parseTargetUrl(raw: string, schemes: readonly string[]): Result<URL> {
  const text = raw.trim()
  if (!text) return fail('invalid_url', 'Enter a URL to send the request to')
  const withScheme = HAS_SCHEME.test(text) ? text : `${schemes[0] ?? 'http'}://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return fail('invalid_url', `Invalid URL: ${text.slice(0, 200)}`)
  }
  const scheme = url.protocol.slice(0, -1)
  if (!schemes.includes(scheme)) {
    return fail('invalid_url', `Unsupported URL scheme ${url.protocol} (use ${schemes.join(' or ')})`)
  }
  if (!url.hostname) return fail('invalid_url', `Invalid URL: no host in ${text.slice(0, 200)}`)
  return ok(url)
}

/** Enabled headers as a list, refusing names that are not tokens and values with CR, LF or NUL. */
export function checkHeaderList(list: readonly KeyValue[]): Result<HeaderList> {
  const out: HeaderList = []
  for (const h of list) {
    if (!h.enabled) continue
    const name = h.name.trim()
    if (!name) continue
    if (!HEADER_NAME.test(name))
      return fail('invalid_request', `Header name "${name.slice(0, 100)}" is not a valid HTTP token`)
    if (/[\r\n\0]/.test(h.value)) {
      return fail(
        'invalid_request',
        `Header "${name}" has a line break or NUL in its value, which HTTP does not allow`,
      )
    }
    // undici and Node refuse these too, but a refused dispatch left a kept-alive connection looking busy, and the
    // next request to the origin waited on it without end: so they are refused here, in words.
    const other = UNSENDABLE.exec(h.value)?.[0]
    if (other !== undefined) {
      const code = `U+${(other.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
      return fail(
        'invalid_request',
        `Header "${name}" has ${code} in its value, which an HTTP header cannot carry (only tabs and Latin-1 characters)`,
      )
    }
    out.push([name, h.value])
  }
  return ok(out)
}
