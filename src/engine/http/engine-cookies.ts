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
