import { createRequire } from 'node:module'
import type { Cookie, CookieJar, MemoryCookieStore } from 'tough-cookie'
import {
  MAX_NAME_CHARS,
  MAX_REASON_CHARS,
  MAX_REFUSED_LISTED,
  type CookieJarNote,
  type RefusedCookie,
} from '../../shared/cookie-jar-note'
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

/**
 * What a browser keeps, the jar keeps: a cookie whose name and value together pass 4096 bytes is refused (RFC
 * 6265 6.1 asks for at least that much; Chrome and Firefox refuse more), and a domain keeps at most 180 cookies
 * (Chrome's number; the oldest goes when a new one comes). Without them a server that set 5,000 cookies made
 * every later request to it carry a 130 KB Cookie header, which servers answer with 431, for the rest of the
 * session; a 1 MB cookie went with every request too.
 */
export const MAX_COOKIE_BYTES = 4096
export const MAX_COOKIES_PER_DOMAIN = 180

/** What one response's Set-Cookie headers did to the jar. */
export interface StoredCookies {
  stored: number
  /** Refused as too large (name and value past MAX_COOKIE_BYTES). */
  tooLarge: number
  /** Older cookies of a full domain that went to make room. */
  evicted: number
  /** The domain they went from (the latest, when several). */
  evictedDomain?: string
  /** The first MAX_REFUSED_LISTED refused (too large or against the cookie rules), and how many in all. */
  refused: RefusedCookie[]
  refusedCount: number
}

const noneStored = (): StoredCookies => ({ stored: 0, tooLarge: 0, evicted: 0, refused: [], refusedCount: 0 })
/** What a response that set no cookie stored (shared: never changed). */
const NONE_STORED: Readonly<StoredCookies> = Object.freeze(noneStored())

/** What a response's event carries when the jar refused or let go of a cookie; undefined when it kept them all. */
export function cookieJarNote(r: StoredCookies): CookieJarNote | undefined {
  if (r.refusedCount === 0 && r.evicted === 0) return undefined
  return {
    refused: r.refused,
    moreRefused: r.refusedCount - r.refused.length,
    evicted: r.evicted,
    ...(r.evictedDomain !== undefined ? { evictedDomain: r.evictedDomain } : {}),
    domainLimit: MAX_COOKIES_PER_DOMAIN,
  }
}

function refuse(result: StoredCookies, setCookie: string, why: Omit<RefusedCookie, 'name'>): void {
  result.refusedCount++
  if (result.refused.length >= MAX_REFUSED_LISTED) return
  const eq = setCookie.indexOf('=')
  const semi = setCookie.indexOf(';')
  const end = eq === -1 ? (semi === -1 ? setCookie.length : semi) : semi === -1 ? eq : Math.min(eq, semi)
  const name = setCookie.slice(0, Math.min(end, MAX_NAME_CHARS + 1)).trim()
  result.refused.push({
    name: name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS - 1)}…` : name,
    ...why,
  })
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

  /** Keep the cookies a response to `url` set, within a browser's limits; says what it kept and let go. */
  store(url: URL, headers: HeaderList): StoredCookies {
    // Most responses set none: they share one empty answer, read only (nothing is made for them).
    let result: StoredCookies | null = null
    for (let i = 0; i < headers.length; i++) {
      const [k, v] = headers[i] as readonly [string, string]
      if (k.length === 10 && k.toLowerCase() === 'set-cookie') {
        result ??= noneStored()
        if (this.keep(url, v, result)) result.stored++
      }
    }
    return result ?? NONE_STORED
  }

  private keep(url: URL, setCookie: string, result: StoredCookies): boolean {
    const end = setCookie.indexOf(';')
    // Name and value (the text before the first `;`) measured in bytes, as browsers measure them.
    const bytes = Buffer.byteLength(end === -1 ? setCookie : setCookie.slice(0, end))
    if (bytes > MAX_COOKIE_BYTES) {
      result.tooLarge++
      refuse(result, setCookie, { bytes, limit: MAX_COOKIE_BYTES })
      return false
    }
    let cookie: Cookie | undefined
    try {
      cookie = this.jar.setCookieSync(setCookie, url.href)
    } catch (err) {
      // tough-cookie throws with its reason (a domain that is not the host's, a public suffix, a parse failure).
      const reason = err instanceof Error ? err.message : String(err)
      refuse(result, setCookie, { reason: reason.slice(0, MAX_REASON_CHARS) })
      return false
    }
    this.used = true
    if (!cookie) {
      // Refused without a reason: the rules of the __Secure- and __Host- name prefixes.
      refuse(result, setCookie, {
        reason: 'its name prefix asks for Secure (and __Host- for Path=/, no Domain)',
      })
      return false
    }
    if (cookie.domain) {
      const evicted = this.makeRoom(cookie.domain)
      if (evicted > 0) {
        result.evicted += evicted
        result.evictedDomain = cookie.domain
      }
    }
    return true
  }

  /** Past MAX_COOKIES_PER_DOMAIN on `domain`, its oldest cookies go; how many went. */
  private makeRoom(domain: string): number {
    const store = this.jar.store as MemoryCookieStore
    const byPath = store.idx[domain]
    if (!byPath) return 0
    const all: Cookie[] = []
    for (const keys of Object.values(byPath)) for (const c of Object.values(keys)) all.push(c)
    if (all.length <= MAX_COOKIES_PER_DOMAIN) return 0
    all.sort((a, b) => (a.creationIndex ?? 0) - (b.creationIndex ?? 0))
    const gone = all.slice(0, all.length - MAX_COOKIES_PER_DOMAIN)
    for (const c of gone) if (c.path) delete byPath[c.path]?.[c.key]
    return gone.length
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
    return this.keep(url, setCookie, noneStored())
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
