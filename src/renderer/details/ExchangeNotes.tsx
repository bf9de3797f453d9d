import { formatBytes, formatMs } from '../../shared/format'
import { parseLinkHeader, type LinkEntry } from '../../shared/link-header'
import type { HeaderList } from '../../shared/timeline'
import type { InformationalMark, InformationalSummary, SessionRow } from '../timeline/session-row'
import { groupDigits } from '../../shared/group-digits'

/**
 * What happened around the response that is not the response: interim (1xx) responses before it (103 Early
 * Hints with their Link headers), and a partial body that was discarded when the exchange failed or was
 * cancelled.
 */
export function ExchangeNotes({ row }: { row: SessionRow }) {
  const term = row.terminal
  const discarded =
    term && (term.type === 'error' || term.type === 'cancelled') ? term.partialBodyBytes : undefined
  if (!row.informational && discarded === undefined) return null
  return (
    <>
      {row.informational ? <InterimResponses row={row} info={row.informational} /> : null}
      {discarded !== undefined ? (
        <div className="note-box" data-testid="partial-body">
          Partial body ({formatBytes(discarded)}) discarded: a body that did not arrive whole is not kept.
        </div>
      ) : null}
    </>
  )
}

/** The first few kept with their headers, at their time from the start; the rest counted. */
function InterimResponses({ row, info }: { row: SessionRow; info: InformationalSummary }) {
  const waiting = row.status === null && row.terminal === undefined
  const more = info.count - info.kept.length
  return (
    <div className="note-box interim" data-testid="interim-responses">
      <div>
        {interimSummary(info)} {waiting ? 'so far; still waiting for the response' : 'before the response'}
      </div>
      <ul className="interim-list">
        {info.kept.map((m, i) => (
          <li key={i}>
            <span className="muted num">+{formatMs(m.t - row.queued.t)}</span> {m.status} {m.statusText}
            <MarkHeaders mark={m} />
            {m.note ? <div className="muted small">({m.note})</div> : null}
          </li>
        ))}
      </ul>
      {more > 0 ? (
        <div className="muted small">
          … and {groupDigits(more)} more, counted only (their headers are not kept); the last at +
          {formatMs(info.lastT - row.queued.t)}
        </div>
      ) : null}
    </div>
  )
}

/** Links a mark's table lists; past it they are counted. */
const MAX_LINKS_SHOWN = 32

/** A mark's Link headers as a table (URL, rel, as), its other headers as they came. */
function MarkHeaders({ mark }: { mark: InformationalMark }) {
  const links: LinkEntry[] = []
  const other: HeaderList = []
  let more = 0
  for (const [k, v] of mark.headers) {
    if (k.toLowerCase() !== 'link') {
      other.push([k, v])
      continue
    }
    const parsed = parseLinkHeader(v, MAX_LINKS_SHOWN - links.length)
    links.push(...parsed.links)
    more += parsed.more
    // A Link value that is not a `<url>; ...` list is shown as it came.
    if (parsed.invalid > 0) other.push([k, v])
  }
  return (
    <>
      {links.length > 0 ? (
        <table className="link-table" aria-label={`Links of ${mark.status} ${mark.statusText}`.trimEnd()}>
          <thead>
            <tr>
              <th>Link</th>
              <th>rel</th>
              <th>as</th>
            </tr>
          </thead>
          <tbody>
            {links.map((l, i) => (
              <tr key={i} data-link={l.url}>
                <td className="mono">{l.url}</td>
                <td>{l.rel}</td>
                <td>{l.as}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {more > 0 ? <div className="muted small">… and {more} more links</div> : null}
      {other.map(([k, v], j) => (
        <div key={j} className="mono small">
          {k}: {v}
        </div>
      ))}
    </>
  )
}

/** "103 Early Hints ×2,500", or "3 informational responses (102, 103)" when the statuses differ. */
export function interimSummary(info: InformationalSummary): string {
  const statuses = [...new Set([...info.kept.map((m) => m.status), info.status])]
  const times = info.count === 1 ? '' : ` ×${groupDigits(info.count)}`
  if (statuses.length === 1) return `${info.status} ${info.statusText}`.trimEnd() + times
  return `${groupDigits(info.count)} informational responses (${statuses.join(', ')})`
}
