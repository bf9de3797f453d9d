import type { SessionRow } from '../timeline/session-row'
import { CookieJarNotice } from './CookieJarNotice'
import { requestCookies, responseCookies, type CookieLine } from './cookies'

/** Cookies sent with the request and set by the response. */
export function CookiesPanel({ row }: { row: SessionRow }) {
  const sent = row.sent ? requestCookies(row.sent.headers) : []
  const set = row.response ? responseCookies(row.response.headers) : []
  return (
    <div className="cookies-panel">
      <h3 className="section-title">Set by the response</h3>
      <CookieJarNotice row={row} />
      <CookieTable label="Response cookies" cookies={set} attrs />
      <h3 className="section-title">Sent with the request</h3>
      <CookieTable label="Request cookies" cookies={sent} attrs={false} />
    </div>
  )
}

function CookieTable({ label, cookies, attrs }: { label: string; cookies: CookieLine[]; attrs: boolean }) {
  if (cookies.length === 0) return <p className="muted small">None.</p>
  return (
    <table className="header-table mono" aria-label={label}>
      <tbody>
        {cookies.map((c, i) => (
          <tr key={i}>
            <th scope="row">
              <span className="header-name">{c.name}</span>
            </th>
            <td>
              {c.value}
              {attrs && c.attributes.length > 0 ? (
                <div className="muted small">
                  {c.attributes.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(' · ')}
                </div>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
