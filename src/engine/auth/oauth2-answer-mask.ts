/**
 * A token endpoint's answer as the timeline keeps it: the token request's row shows what the endpoint said (type,
 * scope, expiry, an error) with each token masked as Get token shows it, never the token itself. The token that
 * later rides in a request's Authorization header is the engine's alone; its answer's row must not hand it out
 * either, nor a HAR export of that row.
 */

/** The answer's fields that are credentials (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3). */
const TOKEN_FIELDS = new Set(['access_token', 'refresh_token', 'id_token'])

/** Enough of a token to tell two apart, never enough to use: its first and last 4 characters, or only its length. */
export function maskedToken(token: string): string {
  if (token.length < 24) return `${token.length} characters`
  return `${token.slice(0, 4)}…${token.slice(-4)} (${token.length} characters)`
}

/**
 * `text` (the endpoint's answer, JSON or, as some servers answer, form-encoded) with every token field's value
 * masked; null when it holds none, so an answer without tokens is kept byte for byte.
 */
export function maskedTokenAnswer(text: string): string | null {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return maskedFormAnswer(text)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null
  let masked = false
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(data)) {
    const hide = TOKEN_FIELDS.has(k) && typeof v === 'string'
    masked ||= hide
    Object.defineProperty(out, k, {
      value: hide ? maskedToken(v) : v,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return masked ? JSON.stringify(out, null, 2) : null
}

const FORM_TOKEN = /(^|&)(access_token|refresh_token|id_token)=([^&]*)/g

function maskedFormAnswer(text: string): string | null {
  if (!FORM_TOKEN.test(text)) return null
  FORM_TOKEN.lastIndex = 0
  return text.replace(FORM_TOKEN, (_m, lead: string, name: string, value: string) => {
    let token = value
    try {
      token = decodeURIComponent(value.replace(/\+/g, ' '))
    } catch {
      // kept as sent
    }
    return `${lead}${name}=${encodeURIComponent(maskedToken(token))}`
  })
}
