import { cutReasons, type CutReason } from './webhook-cuts'

/**
 * Calls to URLs the inbox did not give out (an old run's token a service still posts to, a mistyped path): each is
 * answered 404 once read and shown, so a person whose service calls a stale URL sees it. A flood of them must not
 * fill the timeline, nor keep the inbox reading whatever a caller streams at it.
 */

/**
 * Calls to unknown URLs shown one by one; past these, one at each doubling of their count (40, 80, 160 …), so a
 * flood of calls to an old URL shows its size in a handful of rows rather than filling the timeline.
 */
export const UNKNOWN_CALLS_SHOWN = 20
/**
 * How much of such a call's body the inbox reads (and lets go) before answering it. Read so the caller gets its
 * 404 rather than a reset; past this the call is answered and its connection closed, and its row says so.
 */
export const UNKNOWN_BODY_READ = 1024 * 1024
/** The path of a call to an unknown URL is shown up to this many characters (a head may hold 16 KB of it). */
const UNKNOWN_PATH_SHOWN = 300

/**
 * Counts the calls to unknown URLs of one listening session of the inbox. The count starts over when the inbox
 * starts again (stopped and started: a new session, perhaps on another port), not when a URL is minted: each send
 * with `{{$webhook}}` mints one, and a retry storm to an old URL would show twenty more rows a send.
 */
export class UnknownCalls {
  private count = 0

  /** A new listening session: the first calls are shown one by one again. */
  reset(): void {
    this.count = 0
  }

  /** Counts a call: its number in this session, and whether it gets a row (the first 20, then each doubling). */
  next(): { count: number; shown: boolean } {
    const count = ++this.count
    return { count, shown: count <= UNKNOWN_CALLS_SHOWN || (count & (count - 1)) === 0 }
  }
}

/** The path and query a call to an unknown URL named, each cut at UNKNOWN_PATH_SHOWN characters. */
export function unknownTarget(url: string): { path: string; query: string } {
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  const query = q === -1 ? '' : url.slice(q + 1)
  return { path: clip(path, UNKNOWN_PATH_SHOWN), query: clip(query, UNKNOWN_PATH_SHOWN) }
}

/**
 * Why such a call's row is there: refused (404) as an unknown URL, and, when it did not end as a whole call, how it
 * ended, with that answer: its body passed what the inbox reads (still 404), or it was cut as any call is.
 */
export function unknownReason(count: number, ended?: CutReason): CutReason {
  return cutReasons.unknownToken(count, UNKNOWN_CALLS_SHOWN, ended)
}

/** How a call to an unknown URL whose body passed UNKNOWN_BODY_READ ended: answered 404, then closed. */
export function unreadBody(): CutReason {
  return cutReasons.unreadBody(UNKNOWN_BODY_READ)
}

/**
 * Why a call whose head never came whole has its row: as node:http gave up on it, and, past the first few, how many
 * such calls there have been (they get rows as calls to unknown URLs do: anyone may send the inbox garbage).
 */
export function unreadHeadReason(why: CutReason, count: number): CutReason {
  if (count <= UNKNOWN_CALLS_SHOWN) return why
  return {
    ...why,
    reason: `${why.reason}; ${count.toLocaleString('en-US')} calls whose head the inbox could not read so far (past the first ${UNKNOWN_CALLS_SHOWN}, one is shown each time the count doubles)`,
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}
