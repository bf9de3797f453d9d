import { cookieJarLines } from '../../shared/cookie-jar-note'
import type { SessionRow } from '../timeline/session-row'

/**
 * What the cookie jar refused or let go of from this response's Set-Cookie headers ("Set-Cookie "session"
 * refused: 5,012 bytes, over 4,096"): shown where the response and its cookies are, so a login whose cookie
 * was not kept says so instead of failing later for no visible reason.
 */
export function CookieJarNotice({ row }: { row: SessionRow }) {
  const note = row.response?.cookieJar
  if (!note) return null
  return (
    <div
      className="note-box cookie-jar-note"
      role="note"
      aria-label="Cookies not kept"
      data-testid="cookie-jar-note"
    >
      {cookieJarLines(note).map((line, i) => (
        <div key={i}>{line}</div>
      ))}
      <div className="muted small">Later requests go without them, as a browser&apos;s would.</div>
    </div>
  )
}
