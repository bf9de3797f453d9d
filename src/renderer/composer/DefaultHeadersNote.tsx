import type { RequestKind } from '../../shared/collection'
import { selectActiveTab } from '../tabs/active-draft'
import type { DefaultHeaderName } from '../tabs/tabs-slice'
import { useActiveDraft } from '../tabs/use-active-draft'
import { useAppStore } from '../store/store-context'

const SHOWN: Record<DefaultHeaderName, string> = {
  'user-agent': 'User-Agent',
  accept: 'Accept',
  'accept-encoding': 'Accept-Encoding',
  'content-type': 'Content-Type',
  'cache-control': 'Cache-Control',
}

/** The default headers each kind of request sends, which it may leave out (docs/collections.md). */
const OFFERED: Partial<Record<RequestKind, readonly DefaultHeaderName[]>> = {
  http: ['user-agent', 'accept', 'accept-encoding', 'content-type'],
  graphql: ['user-agent', 'accept', 'accept-encoding', 'content-type'],
  sse: ['user-agent', 'accept', 'cache-control'],
  // The upgrade's (a Socket.IO session's polls too): the only header of their own the engine adds.
  ws: ['user-agent'],
  socketio: ['user-agent'],
}

const NONE: readonly DefaultHeaderName[] = []

/**
 * Under the Headers table: the default headers the request leaves out (its file's `omitDefaultHeaders`, as a
 * Postman import's disabled system headers), each with Put back, and a choice to leave one out. Saved with the
 * request; Send and Copy as read them from it.
 */
export function DefaultHeadersNote() {
  const kind = useActiveDraft((d) => d.kind)
  const left = useAppStore((s) => selectActiveTab(s)?.baseOptions.omitDefaultHeaders ?? NONE)
  const setLeft = useAppStore((s) => s.setOmitDefaultHeaders)
  const offered = OFFERED[kind]
  if (!offered && left.length === 0) return null
  const more = (offered ?? NONE).filter((h) => !left.includes(h))
  return (
    <div className="kv-actions default-headers" role="group" aria-label="Default headers left out">
      {left.length > 0 ? (
        <span className="small" role="note">
          Left out: {left.map((h) => SHOWN[h]).join(', ')}
        </span>
      ) : null}
      {left.map((h) => (
        <button
          key={h}
          type="button"
          className="link-button small"
          title={`Send Flightdeck's ${SHOWN[h]} again when no header of that name is typed`}
          onClick={() => setLeft(left.filter((x) => x !== h))}
        >
          Put back {SHOWN[h]}
        </button>
      ))}
      {more.length > 0 ? (
        <select
          className="field-input small"
          aria-label="Leave out a default header"
          title="Send none of this header Flightdeck adds when the request types none"
          value=""
          onChange={(e) => {
            const h = e.target.value as DefaultHeaderName | ''
            if (h !== '') setLeft([...left, h])
          }}
        >
          <option value="">Leave out a default header…</option>
          {more.map((h) => (
            <option key={h} value={h}>
              {SHOWN[h]}
            </option>
          ))}
        </select>
      ) : null}
    </div>
  )
}
