import { createRequire } from 'node:module'
import type { CookieJar } from 'tough-cookie'
import type { HeaderList } from '../../shared/timeline'

/**
 * tough-cookie (with tldts, its public-suffix list: ~250 KB of code and data built when loaded) is loaded with
 * the first cookie a response sets; most runs and every `flightdeck send` never see one, and paid for it at
 * start-up. A synchronous require, since storing happens inside the exchange's synchronous response handling.
 */
let jarClass: typeof CookieJar | null = null
function newJar(): CookieJar {
  jarClass ??= (createRequire(import.meta.url)('tough-cookie') as { CookieJar: typeof CookieJar }).CookieJar
  return new jarClass()
}

/** A cookie of the jar as scripts see it (`pm.cookies`, `pm.cookies.jar()`). */
export interface JarCookie {
  name: string
  value: string
  domain: string
  path: string
  /** ISO time; absent for a session cookie. */
  expires?: string
  httpOnly: boolean
  secure: boolean
}

/** The engine's cookie jar: what responses set goes with later requests to the same site (when they ask). */
export class EngineCookies {
  private jarOrNull: CookieJar | null = null
  private used = false

  private get jar(): CookieJar {
    this.jarOrNull ??= newJar()
    return this.jarOrNull
  }

  /** Keep the cookies a response to `url` set. */
  store(url: URL, headers: HeaderList): void {
    for (const [k, v] of headers) {
      if (k.length === 10 && k.toLowerCase() === 'set-cookie') {
        this.jar.setCookieSync(v, url.href, { ignoreError: true })
        this.used = true
      }
    }
  }

  /** The jar's cookies that go with a request to `url` (none without loading the jar when nothing was stored). */
  list(url: URL): JarCookie[] {
    if (!this.used) return []
    return this.jar.getCookiesSync(url.href).map((c) => ({
      name: c.key,
      value: c.value,
      domain: c.domain ?? url.hostname,
      path: c.path ?? '/',
      ...(c.expires instanceof Date ? { expires: c.expires.toISOString() } : {}),
      httpOnly: c.httpOnly,
      secure: c.secure,
    }))
  }

  /** Store a cookie for `url` as a response's Set-Cookie would; false when the jar refuses it. */
  set(url: URL, setCookie: string): boolean {
    const stored = this.jar.setCookieSync(setCookie, url.href, { ignoreError: true })
    this.used = true
    return stored !== undefined
  }

  /** Remove the cookies for `url` named `name` (every one of them without a name). */
  async remove(url: URL, name?: string): Promise<void> {
    if (!this.used) return
    for (const c of this.jar.getCookiesSync(url.href))
      if (name === undefined || c.key === name)
        await this.jar.store.removeCookie(c.domain ?? url.hostname, c.path ?? '/', c.key)
  }

  /** Add the jar's cookies for this URL; returns the same list when there are none. */
  withCookies(headers: HeaderList, url: URL): HeaderList {
    // The jar is consulted only once something was stored in it: it costs real time per request otherwise.
    if (!this.used) return headers
    const jarCookies = this.jar.getCookieStringSync(url.href)
    if (!jarCookies) return headers
    const out: HeaderList = [...headers]
    const i = out.findIndex(([k]) => k.toLowerCase() === 'cookie')
    const existing = i >= 0 ? out[i] : undefined
    if (existing) out[i] = [existing[0], `${existing[1]}; ${jarCookies}`]
    else out.push(['cookie', jarCookies])
    return out
  }
}
