import { cookieJarLines } from '../../shared/cookie-jar-note'
import type { SessionRow } from '../timeline/session-row'
import { useAppStore } from '../store/store-context'

/** Redirects a request may follow (the engine's maxRedirects is at most 100). */
const MAX_HOPS = 100

/**
 * What the cookie jar refused or let go of from this response's Set-Cookie headers ("Set-Cookie "session"
 * refused: 5,012 bytes, over 4,096"), and from the redirects that led to it (a login's cookie often comes with
 * its 302), each named by its URL: shown where the response and its cookies are, so a login whose cookie was
 * not kept says so instead of failing later for no visible reason.
 */
export function CookieJarNotice({ row }: { row: SessionRow }) {
  // A string, so the selector's result compares equal while nothing changed.
  const earlier = useAppStore((s) => earlierHopLines(s.timeline.rows, row))
  const note = row.response?.cookieJar
  if (!note && earlier === '') return null
  const lines = [...(earlier === '' ? [] : earlier.split('\n')), ...(note ? cookieJarLines(note) : [])]
  return (
    <div
      className="note-box cookie-jar-note"
      role="note"
      aria-label="Cookies not kept"
      data-testid="cookie-jar-note"
    >
      {lines.map((line, i) => (
        <div key={i}>{line}</div>
      ))}
      <div className="muted small">Later requests go without them, as a browser&apos;s would.</div>
    </div>
  )
}

/** The cookie notes of the redirect hops before `row`, first hop first, one line each. */
function earlierHopLines(rows: Readonly<Record<string, SessionRow>>, row: SessionRow): string {
  const lines: string[] = []
  let at = row
  for (let i = 0; i < MAX_HOPS && at.queued.hop > 0 && at.queued.initiator !== undefined; i++) {
    const before = rows[at.queued.initiator]
    if (!before) break
    const note = before.response?.cookieJar
    if (note) lines.unshift(...cookieJarLines(note).map((line) => `${line} (at ${before.queued.url})`))
    at = before
  }
  return lines.join('\n')
}
