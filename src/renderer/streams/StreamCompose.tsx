import { useState } from 'react'
import type { RequestKind } from '../../shared/collection'
import { splitProtocols, sseReconnectFor } from '../composer/composer-draft'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'

const MODES: { id: RequestKind; label: string }[] = [
  { id: 'http', label: 'HTTP' },
  { id: 'sse', label: 'SSE' },
  { id: 'ws', label: 'WebSocket' },
  { id: 'grpc', label: 'gRPC' },
  { id: 'graphql', label: 'GraphQL' },
  { id: 'mqtt', label: 'MQTT' },
  { id: 'socketio', label: 'Socket.IO' },
]

/** The composer's mode: an HTTP request, an SSE stream (any streamed response), or a WebSocket. */
export function StreamModeSelect() {
  const mode = useActiveDraft((d) => d.kind)
  const setMode = useAppStore((s) => s.setKind)
  const setMethod = useAppStore((s) => s.setMethod)
  const method = useActiveDraft((d) => d.method)
  return (
    <select
      className={`mode-select mode-${mode}`}
      aria-label="Session type"
      title="What Send opens: an HTTP request, an SSE stream or a WebSocket"
      value={mode}
      onChange={(e) => {
        const kind = e.target.value as RequestKind
        setMode(kind)
        // GraphQL goes by POST unless GET is chosen in its own bar (a new tab's GET is no choice).
        if (kind === 'graphql' && method.trim().toUpperCase() === 'GET') setMethod('POST')
      }}
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
  const mode = useActiveDraft((d) => d.kind)
  const o = useAppStore((s) => s.streamCompose)
  const set = useAppStore((s) => s.setStreamCompose)
  const setReconnect = useAppStore((s) => s.setSseReconnect)
  const method = useActiveDraft((d) => d.method.trim().toUpperCase() || 'GET')
  const reconnect = useActiveDraft(sseReconnectFor)
  // MQTT and Socket.IO: their connection fields are the composer's Connection tab.
  if (mode === 'http' || mode === 'graphql' || mode === 'grpc' || mode === 'mqtt' || mode === 'socketio')
    return null
  if (mode === 'sse') {
    return (
      <div className="stream-compose" role="group" aria-label="SSE options">
        <label>
          <input type="checkbox" checked={reconnect} onChange={(e) => setReconnect(e.target.checked)} />
          Reconnect
        </label>
        {method !== 'GET' ? (
          <span className="muted small" data-testid="reconnect-note">
            {reconnect
              ? `On for ${method}: each reconnect sends it again`
              : `Off for ${method}: a reconnect would send it again`}
          </span>
        ) : null}
        <label title="Reconnects in a row that fail or bring no message, after the first connection: 5 gives up on the sixth failed attempt">
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
          retries
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
        {/* Short, so the bar stays one line at 1024 px and the composer's tabs keep their room; a method other
            than GET has its note above instead, which says the request is sent again. */}
        {method === 'GET' ? (
          <span className="muted small" title="Method, headers and body come from the request below.">
            Method, headers, body: below
          </span>
        ) : null}
      </div>
    )
  }
  return (
    <div className="stream-compose" role="group" aria-label="WebSocket options">
      <SubprotocolsField />
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

/**
 * The subprotocols as typed. The tab's draft keeps them as a list; the field keeps the text while it still
 * reads as that list, so a separator being typed ("chat.v2, ") is not swallowed. A list that changes from
 * elsewhere (another tab, a reload from disk) shows as written.
 */
function SubprotocolsField() {
  const tabId = useAppStore((s) => s.activeTabId)
  const protocols = useActiveDraft((d) => d.protocols)
  const setProtocols = useAppStore((s) => s.setProtocols)
  const [typed, setTyped] = useState({ tabId, text: protocols.join(', ') })
  const shown =
    typed.tabId === tabId && sameList(splitProtocols(typed.text), protocols)
      ? typed.text
      : protocols.join(', ')
  return (
    <label>
      Subprotocols
      <input
        className="mono"
        aria-label="Subprotocols"
        placeholder="chat.v2, json"
        value={shown}
        spellCheck={false}
        onChange={(e) => {
          setTyped({ tabId, text: e.target.value })
          setProtocols(splitProtocols(e.target.value))
        }}
      />
    </label>
  )
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
