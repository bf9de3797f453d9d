import type { HeaderList } from '../../shared/timeline'
import type { SessionRow } from '../timeline/session-row'
import { useAppStore } from '../store/store-context'
import { VisibleControls } from '../app/VisibleControls'
import { CopyNote } from './CopyNote'

/** Request headers as the engine sent them, and the response headers as received. */
export function HeadersPanel({ row }: { row: SessionRow }) {
  return (
    <div className="headers-panel">
      <CopyNote bodyId="headers" />
      <h3 className="section-title">Response headers</h3>
      {row.response ? (
        <HeaderTable label="Response headers" headers={row.response.headers} />
      ) : (
        <p className="muted small">No response yet.</p>
      )}
      <h3 className="section-title">Request headers</h3>
      {row.sent?.note !== undefined ? (
        <p className="field-warning" role="note">
          {row.sent.note}
        </p>
      ) : null}
      {row.sent ? (
        <HeaderTable label="Request headers" headers={pseudoFirst(row.sent.headers)} />
      ) : (
        <p className="muted small">Not sent yet.</p>
      )}
    </div>
  )
}

/**
 * HTTP/2's pseudo-headers (`:method`, `:path`…) in front, where the wire has them (RFC 9113 §8.3: before every
 * other field); the engine's list has them after the request's own, which reads as a malformed request.
 */
function pseudoFirst(headers: HeaderList): HeaderList {
  return [...headers.filter(([n]) => n.startsWith(':')), ...headers.filter(([n]) => !n.startsWith(':'))]
}

function HeaderTable({ label, headers }: { label: string; headers: HeaderList }) {
  const copyText = useAppStore((s) => s.copyText)
  if (headers.length === 0) return <p className="muted small">None.</p>
  return (
    <table className="header-table mono" aria-label={label}>
      <tbody>
        {headers.map(([name, value], i) => (
          <tr key={i}>
            <th scope="row">
              <span className="header-name">
                <VisibleControls text={name} />
              </span>
            </th>
            <td>
              <VisibleControls text={value} />
            </td>
            <td className="header-copy">
              <button
                type="button"
                className="link-button small"
                aria-label={`Copy ${name}`}
                title={`Copy the value of ${name}`}
                onClick={() => void copyText(value, `the value of ${name}`, 'headers')}
              >
                Copy
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
