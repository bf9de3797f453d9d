import type { JarCookie } from '../http/engine-cookies'
import type { HttpEngine } from '../http/http-engine'

/**
 * `pm.cookies.jar()` on the engine's thread: a script's cookie operation, done on the engine's own jar (the one
 * whose cookies later requests of the run or the app send). Only http and https URLs; a name and a value are
 * text of bounded size, so a script cannot fill the jar with megabytes.
 */

export type CookieOp =
  | { op: 'get'; url: string; name: string }
  | { op: 'getAll'; url: string }
  | {
      op: 'set'
      url: string
      cookie: {
        name: string
        value: string
        path?: string
        domain?: string
        expires?: string
        httpOnly?: boolean
        secure?: boolean
      }
    }
  | { op: 'unset'; url: string; name: string }
  | { op: 'clear'; url: string }

export interface CookieReply {
  error?: string
  value?: unknown
}

/** Longest cookie name plus value a script may set (browsers keep about this much per cookie). */
const MAX_COOKIE_CHARS = 4096

function jarUrl(text: string): URL | string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return `pm.cookies.jar(): "${text.slice(0, 200)}" is not a URL`
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `pm.cookies.jar(): only http and https URLs have cookies; ${url.protocol} refused`
  return url
}

/** The Set-Cookie line for a cookie a script sets (its attributes checked: no `;` smuggled into one). */
function setCookieLine(c: Extract<CookieOp, { op: 'set' }>['cookie']): string | null {
  const parts = [`${c.name}=${c.value}`]
  if (c.path !== undefined) parts.push(`Path=${c.path}`)
  if (c.domain !== undefined) parts.push(`Domain=${c.domain}`)
  if (c.expires !== undefined) parts.push(`Expires=${new Date(c.expires).toUTCString()}`)
  if (c.httpOnly === true) parts.push('HttpOnly')
  if (c.secure === true) parts.push('Secure')
  const fields = [c.name, c.value, c.path ?? '', c.domain ?? '']
  return fields.some((f) => /[;\r\n]/.test(f)) ? null : parts.join('; ')
}

export async function cookieOp(http: HttpEngine, op: CookieOp): Promise<CookieReply> {
  const url = jarUrl(String(op.url))
  if (typeof url === 'string') return { error: url }
  const jar = http.cookies
  switch (op.op) {
    case 'getAll':
      return { value: jar.list(url) }
    case 'get':
      return { value: jar.list(url).find((c: JarCookie) => c.name === op.name)?.value ?? null }
    case 'set': {
      const c = op.cookie
      if (typeof c.name !== 'string' || c.name === '' || typeof c.value !== 'string')
        return { error: 'pm.cookies.jar().set: a cookie needs a name and a value' }
      if (c.name.length + c.value.length > MAX_COOKIE_CHARS)
        return {
          error: `pm.cookies.jar().set: the cookie "${c.name.slice(0, 100)}" is over ${MAX_COOKIE_CHARS} characters (${c.name.length + c.value.length})`,
        }
      const line = setCookieLine(c)
      if (line === null)
        return { error: 'pm.cookies.jar().set: a name, value, path or domain with ";" or a line break' }
      if (!jar.set(url, line))
        return { error: `pm.cookies.jar().set: the jar refused the cookie "${c.name}" for ${url.host}` }
      return { value: jar.list(url).find((x) => x.name === c.name) ?? null }
    }
    case 'unset':
      await jar.remove(url, op.name)
      return {}
    case 'clear':
      await jar.remove(url)
      return {}
  }
  return { error: 'pm.cookies.jar(): unknown operation' }
}
