import { fail, ok, type Result } from '../../shared/result'
import type { KeyValue, RequestBody } from '../../shared/request'
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
    const why = unsendable(h.value)
    if (why) return fail('invalid_request', `Header "${name}" has ${why}`)
    out.push([name, h.value])
  }
  return ok(out)
}

/**
 * Why a header value cannot be sent, or undefined. undici and Node refuse these too, but a refused dispatch used to
 * leave a kept-alive connection looking busy (reusing-pool.ts), and their words name no header: so they are refused
 * here, before anything is sent.
 */
function unsendable(value: string): string | undefined {
  if (/[\r\n\0]/.test(value)) return 'a line break or NUL in its value, which HTTP does not allow'
  const other = UNSENDABLE.exec(value)?.[0]
  if (other === undefined) return undefined
  const code = `U+${(other.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
  return `${code} in its value, which an HTTP header cannot carry (only tabs and Latin-1 characters)`
}

/** A text or file body's own Content-Type, sent as a header when none is given, is checked as a header value. */
export function checkBodyContentType(body: RequestBody, headers: HeaderList): Result<void> {
  const type = body.kind === 'text' || body.kind === 'file' ? body.contentType : undefined
  if (!type || headers.some(([name]) => name.toLowerCase() === 'content-type')) return ok(undefined)
  const why = unsendable(type)
  return why ? fail('invalid_request', `The body's Content-Type has ${why}`) : ok(undefined)
}
