import type { RequestOptions } from '../../shared/request'
import { isObj } from './plan'

/**
 * Postman's `protocolProfileBehavior`: settings a collection, a folder or a request sets for how its requests go
 * out. Postman's runner merges them from the collection down (a request's own win), so each request gets the
 * merged settings as its own options: Flightdeck folders have no options.
 */

export type Profile = Readonly<Record<string, unknown>>

/** The settings below `parent` with `own` (a level's `protocolProfileBehavior`) laid over them. */
export function mergeProfile(parent: Profile, own: unknown): Profile {
  return isObj(own) ? { ...parent, ...own } : parent
}

/** The settings Flightdeck has no twin for, each with the value Postman uses when it is not set. */
const UNSUPPORTED: Readonly<Record<string, unknown>> = {
  followOriginalHttpMethod: false,
  followAuthorizationHeader: false,
  removeRefererHeaderOnRedirect: false,
  disableUrlEncoding: false,
  insecureHTTPParser: false,
}

const MAPPED = new Set(['followRedirects', 'maxRedirects', 'disableCookies'])

/**
 * Postman's automatic headers that Flightdeck adds too and can leave out (RequestOptions.omitDefaultHeaders): a
 * body's Content-Type, and the Cache-Control an SSE request sends.
 */
const OMITTABLE = ['user-agent', 'accept', 'accept-encoding', 'content-type', 'cache-control'] as const
type Omittable = (typeof OMITTABLE)[number]
/** Postman's automatic headers Flightdeck never adds: switching them off there changes nothing here. */
const NEVER_SENT = new Set(['postman-token'])

/** The automatic headers a `disabledSystemHeaders` map switches off (`{"user-agent": true}`), lower-cased. */
function switchedOff(value: unknown): string[] {
  if (!isObj(value)) return []
  return Object.entries(value)
    .filter(([, on]) => on === true)
    .map(([name]) => name.toLowerCase())
    .slice(0, 32)
}

function isOmittable(name: string): name is Omittable {
  return (OMITTABLE as readonly string[]).includes(name)
}

const MAX_REDIRECTS = 100

/** A setting written out with nothing in it (`disabledSystemHeaders: {}`, `tlsDisabledProtocols: []`). */
function isUnset(value: unknown): boolean {
  if (value === false || value === null || value === undefined) return true
  if (Array.isArray(value)) return value.length === 0
  return isObj(value) && Object.keys(value).length === 0
}

/**
 * What a level's own `protocolProfileBehavior` sets that Flightdeck does not send the same way: named once, at
 * the level that sets it (its requests inherit it).
 */
export function reportProfile(own: unknown, where: string, report: (line: string) => void): void {
  if (!isObj(own)) return
  for (const [key, value] of Object.entries(own)) {
    if (MAPPED.has(key) || key === 'disableBodyPruning') continue
    if (key === 'disabledSystemHeaders') {
      const kept = switchedOff(value).filter((h) => !isOmittable(h) && !NEVER_SENT.has(h))
      if (kept.length > 0)
        report(
          `${where}: Postman's automatic ${kept.map((h) => h.slice(0, 40)).join(', ')} ${kept.length === 1 ? 'header is' : 'headers are'} switched off there, but Flightdeck sends ${kept.length === 1 ? 'it' : 'them'} as the connection and the body need (User-Agent, Accept, Accept-Encoding, Content-Type and Cache-Control are left out as in Postman)`,
        )
      continue
    }
    if (key === 'strictSSL') {
      if (value === false)
        report(
          `${where}: Postman's "strictSSL: false": certificates are not checked for its requests, as Postman sends them (Insecure is on in their Options; turn it off to check them)`,
        )
      continue
    }
    if (key in UNSUPPORTED) {
      if (value !== UNSUPPORTED[key])
        report(`${where}: Postman setting "${key}" is not supported; requests go out as without it`)
      continue
    }
    if (isUnset(value)) continue
    report(`${where}: Postman setting "${key.slice(0, 60)}" is not supported; left out`)
  }
  const max = own['maxRedirects']
  if (max === undefined) return
  if (typeof max !== 'number' || !Number.isFinite(max) || max < 0)
    report(`${where}: maxRedirects ${JSON.stringify(max).slice(0, 40)} is not a count; left out`)
  else if (max > MAX_REDIRECTS)
    report(`${where}: maxRedirects ${max} is past Flightdeck's ${MAX_REDIRECTS}; ${MAX_REDIRECTS} kept`)
}

/** A request's options from its merged settings (those they set; the rest stay Flightdeck's defaults). */
export function profileOptions(profile: Profile): Partial<RequestOptions> {
  const out: Partial<RequestOptions> = {}
  if (profile['followRedirects'] === false) out.followRedirects = false
  const max = profile['maxRedirects']
  if (typeof max === 'number' && Number.isFinite(max) && max >= 0)
    out.maxRedirects = Math.min(MAX_REDIRECTS, Math.floor(max))
  if (profile['disableCookies'] === true) out.cookies = false
  // Postman checks certificates unless strictSSL is false; a request's own `true` under a folder's `false` checks.
  if (profile['strictSSL'] === false) out.insecure = true
  const omit = OMITTABLE.filter((h) => switchedOff(profile['disabledSystemHeaders']).includes(h))
  if (omit.length > 0) out.omitDefaultHeaders = omit
  return out
}

/** Whether a GET's (HEAD's…) body goes out: Postman prunes it unless disableBodyPruning is on. */
export function keepsBody(profile: Profile): boolean {
  return profile['disableBodyPruning'] === true
}
