import { groupDigits } from './group-digits'
/**
 * What the engine's cookie jar did with a response's Set-Cookie headers when it did not simply keep them all:
 * cookies it refused (too large, or against the cookie rules) and older cookies it let go to make room. It
 * travels on the response's `response-headers` event, so the exchange's details and the CLI show it where the
 * Set-Cookie header is: a person whose login cookie was refused sees why.
 */
export interface CookieJarNote {
  /** The first MAX_REFUSED_LISTED refused, in the order they came. */
  refused: RefusedCookie[]
  /** Refused past those listed. */
  moreRefused: number
  /** Older cookies that went to make room: a domain keeps `domainLimit` at most. */
  evicted: number
  evictedDomain?: string
  domainLimit: number
}

export interface RefusedCookie {
  /** The cookie's name, clipped to MAX_NAME_CHARS. */
  name: string
  /** Name and value in bytes, with the limit they passed; absent when refused for another reason. */
  bytes?: number
  limit?: number
  /** Why, in the cookie library's words, when not for its size. */
  reason?: string
}

export const MAX_REFUSED_LISTED = 8
export const MAX_NAME_CHARS = 64
export const MAX_REASON_CHARS = 160

/** One line per thing the jar did, for the details pane and the CLI. */
export function cookieJarLines(note: CookieJarNote): string[] {
  const lines: string[] = []
  for (const c of note.refused) {
    const why =
      c.bytes !== undefined && c.limit !== undefined
        ? `${formatCount(c.bytes)} bytes, over ${formatCount(c.limit)}`
        : (c.reason ?? 'against the cookie rules')
    lines.push(`Set-Cookie "${c.name}" refused: ${why}`)
  }
  if (note.moreRefused > 0) lines.push(`… and ${formatCount(note.moreRefused)} more Set-Cookie refused`)
  if (note.evicted > 0) {
    const of = note.evictedDomain ? ` of ${note.evictedDomain}` : ''
    const n = note.evicted === 1 ? 'An older cookie' : `${formatCount(note.evicted)} older cookies`
    lines.push(`${n}${of} let go to make room: a domain keeps ${formatCount(note.domainLimit)} at most`)
  }
  return lines
}

/** 5012 as `5,012`, the same in every locale (the CLI's and the page's). */
function formatCount(n: number): string {
  return groupDigits(n)
}
