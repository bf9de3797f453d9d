import type { Result } from '../../shared/result'
import { isSecretField, REDACTED } from '../secret-fields'

/**
 * OAuth error texts name URLs (the sign-in page to open, an authorization URL that would not parse). What a
 * person typed into those URLs must not be repeated in an error that goes to the timeline, a log or a terminal:
 * a `user:password@` is dropped (the link still opens, and credentials in it are refused anyway), and a
 * credential in the query (client_secret, code_verifier, a password or token: the names a HAR export redacts)
 * reads [redacted].
 */

/** Anything that starts like a URL, up to the first space or quote. */
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*/gi

export function redactUrlsIn(text: string): string {
  return text.replace(URL_LIKE, redactUrl)
}

function redactUrl(raw: string): string {
  const scheme = raw.indexOf('://') + 3
  const authorityEnd = firstOf(raw, '/?#', scheme)
  const at = raw.lastIndexOf('@', authorityEnd - 1)
  const withoutUser = at >= scheme ? raw.slice(0, scheme) + raw.slice(at + 1) : raw
  const q = withoutUser.indexOf('?')
  if (q === -1) return withoutUser
  const hash = withoutUser.indexOf('#', q)
  const end = hash === -1 ? withoutUser.length : hash
  const query = withoutUser
    .slice(q + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      const name = eq === -1 ? pair : pair.slice(0, eq)
      return eq !== -1 && isSecretField(decodedName(name)) ? `${name}=${REDACTED}` : pair
    })
    .join('&')
  return withoutUser.slice(0, q + 1) + query + withoutUser.slice(end)
}

function firstOf(s: string, chars: string, from: number): number {
  for (let i = from; i < s.length; i++) if (chars.includes(s[i] ?? '')) return i
  return s.length
}

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '))
  } catch {
    return name
  }
}

/** A failed result's message, detail and sign-in link with their URLs redacted; a success as it is. */
export function redactedFailure<T>(r: Result<T>): Result<T> {
  if (r.ok) return r
  const error = { ...r.error, message: redactUrlsIn(r.error.message) }
  if (error.detail !== undefined) error.detail = redactUrlsIn(error.detail)
  if (error.signIn !== undefined) error.signIn = { ...error.signIn, url: redactUrlsIn(error.signIn.url) }
  return { ok: false, error }
}
