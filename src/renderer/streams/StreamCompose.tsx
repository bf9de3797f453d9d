import { useAppStore } from '../store/store-context'
import { sseReconnectFor, type ComposeMode } from './streams-slice'

const MODES: { id: ComposeMode; label: string }[] = [
  { id: 'http', label: 'HTTP' },
  { id: 'sse', label: 'SSE' },
  { id: 'ws', label: 'WebSocket' },
]

/** The composer's mode: an HTTP request, an SSE stream (any streamed response), or a WebSocket. */
export function StreamModeSelect() {
  const mode = useAppStore((s) => s.composeMode)
  const setMode = useAppStore((s) => s.setComposeMode)
  return (
    <select
      className={`mode-select mode-${mode}`}
      aria-label="Session type"
      title="What Send opens: an HTTP request, an SSE stream or a WebSocket"
      value={mode}
      onChange={(e) => setMode(e.target.value as ComposeMode)}
    >
      {MODES.map((m) => (
        <option key={m.id} value={m.id}>
          {m.label}
        </option>
      ))}
    </select>
  )
}

/** Options for the stream the composer opens (nothing in HTTP mode). */
export function StreamComposeBar() {
  const mode = useAppStore((s) => s.composeMode)
  const o = useAppStore((s) => s.streamCompose)
  const set = useAppStore((s) => s.setStreamCompose)
  const setReconnect = useAppStore((s) => s.setSseReconnect)
  const method = useAppStore((s) => s.composer.method.trim().toUpperCase() || 'GET')
  const tabId = useAppStore((s) => s.activeTabId)
  if (mode === 'http') return null
  if (mode === 'sse') {
    const reconnect = sseReconnectFor(o, tabId, method)
    return (
      <div className="stream-compose" role="group" aria-label="SSE options">
        <label>
          <input type="checkbox" checked={reconnect} onChange={(e) => setReconnect(e.target.checked)} />
          Reconnect
        </label>
        {method !== 'GET' ? (
          <span className="muted small" data-testid="reconnect-note">
            {reconnect
              ? `On for this ${method}: every reconnect sends it again`
              : `Off for ${method} unless you turn it on: a reconnect sends the request again`}
          </span>
        ) : null}
        <label>
          Give up after
          <input
            type="number"
            className="num"
            min={0}
            max={1000}
            value={o.sseMaxRetries}
            disabled={!reconnect}
            onChange={(e) =>
              set({ sseMaxRetries: Math.max(0, Math.min(1000, Math.round(Number(e.target.value) || 0))) })
            }
          />
          failures
        </label>
        <label>
          Read as
          <select
            value={o.sseMode}
            onChange={(e) => {
              const v = e.target.value
              if (v === 'auto' || v === 'sse' || v === 'ndjson' || v === 'chunks') set({ sseMode: v })
            }}
          >
            <option value="auto">by Content-Type</option>
            <option value="sse">event stream</option>
            <option value="ndjson">NDJSON lines</option>
            <option value="chunks">raw chunks</option>
          </select>
        </label>
        <span className="muted small">Method, headers and body come from the request below.</span>
      </div>
    )
  }
  return (
    <div className="stream-compose" role="group" aria-label="WebSocket options">
      <label>
        Subprotocols
        <input
          className="mono"
          aria-label="Subprotocols"
          placeholder="chat.v2, json"
          value={o.wsProtocols}
          spellCheck={false}
          onChange={(e) => set({ wsProtocols: e.target.value })}
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={o.wsReconnect}
          onChange={(e) => set({ wsReconnect: e.target.checked })}
        />
        Reconnect with backoff
      </label>
      <label>
        Max message
        <input
          type="number"
          className="num"
          min={1}
          max={2048}
          value={o.wsMaxMessageMb}
          onChange={(e) => set({ wsMaxMessageMb: Math.max(1, Math.min(2048, Number(e.target.value) || 1)) })}
        />
        MB
      </label>
    </div>
  )
}
