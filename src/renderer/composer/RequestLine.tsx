import { MAX_SEND_COUNT } from '../../shared/constants'
import { groupDigits } from '../../shared/group-digits'
import { looksLikeCurl } from '../../shared/draft-schemas'
import { HTTP_METHODS } from '../../shared/constants'
import { NumberField } from '../app/NumberField'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import { StreamModeSelect } from '../streams/StreamCompose'
import { isConnectKind, selectTabLiveSession } from '../streams/tab-session'

/**
 * Method, URL, Send, and "Send ×N". The form's submit (Enter in the URL) sends once. A WebSocket, MQTT or
 * Socket.IO request's button says what it does: Connect, then Disconnect while the session it opened lives
 * (its messages are sent from the details pane's Send, Publish or Emit).
 */
export function RequestLine() {
  const method = useActiveDraft((d) => d.method)
  const url = useActiveDraft((d) => d.url)
  const count = useAppStore((s) => s.sendCount)
  const setMethod = useAppStore((s) => s.setMethod)
  const setUrl = useAppStore((s) => s.setUrl)
  const setSendCount = useAppStore((s) => s.setSendCount)
  const send = useAppStore((s) => s.send)
  const pasteCurl = useAppStore((s) => s.pasteCurl)
  const mode = useActiveDraft((d) => d.kind)
  const live = useAppStore(selectTabLiveSession)
  const cancel = useAppStore((s) => s.cancel)

  return (
    <form
      className="request-line"
      onSubmit={(e) => {
        e.preventDefault()
        void send(1)
      }}
    >
      <StreamModeSelect />
      {mode === 'graphql' || mode === 'grpc' || mode === 'mqtt' || mode === 'socketio' ? null : mode ===
        'ws' ? (
        // A WebSocket always opens with a GET upgrade: there is no method to choose.
        <span className="method-fixed method-get mono" title="A WebSocket opens with a GET upgrade request">
          GET
        </span>
      ) : (
        <select
          className={`method-select method-${method.toLowerCase()}`}
          aria-label="Method"
          value={method}
          onChange={(e) => setMethod(e.target.value)}
        >
          {HTTP_METHODS.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      )}
      <input
        className="url-input mono"
        aria-label="URL"
        type="text"
        placeholder={
          mode === 'grpc'
            ? 'localhost:50051 — the server as host:port (grpc:// plaintext, grpcs:// TLS)'
            : mode === 'mqtt'
              ? 'mqtt://localhost:1883 — mqtts:// TLS, ws:// or wss:// WebSocket'
              : mode === 'socketio'
                ? 'http://localhost:3000 — https:// TLS; namespace in Connection'
                : 'https://example.com/api — Ctrl+Enter sends'
        }
        value={url}
        spellCheck={false}
        autoComplete="off"
        autoFocus
        onChange={(e) => setUrl(e.target.value)}
        onPaste={(e) => {
          // A whole curl command pasted into the URL becomes the request, as in other API clients.
          const text = e.clipboardData.getData('text/plain')
          if (!looksLikeCurl(text)) return
          e.preventDefault()
          void pasteCurl(text)
        }}
      />
      {live !== null ? (
        <button
          type="button"
          className="primary-button"
          title="Close the session this tab opened"
          onClick={() => void cancel(live)}
        >
          Disconnect
        </button>
      ) : isConnectKind(mode) ? (
        <button type="submit" className="primary-button" title="Connect (Ctrl/Cmd+Enter)">
          Connect
        </button>
      ) : (
        <button type="submit" className="primary-button" title="Send (Ctrl/Cmd+Enter)">
          {mode === 'grpc' ? 'Invoke' : 'Send'}
        </button>
      )}
      {mode === 'http' ? (
        <div className="burst" role="group" aria-label="Send many">
          <NumberField
            className="count-input"
            aria-label="Count"
            min={1}
            max={MAX_SEND_COUNT}
            value={count}
            onValue={setSendCount}
          />
          <button
            type="button"
            className="secondary-button"
            onClick={() => void send(count)}
            title={`Fire ${groupDigits(count)} copies at once`}
          >
            Send ×{groupDigits(count)}
          </button>
        </div>
      ) : null}
    </form>
  )
}
