import { useMemo, useState } from 'react'
import { closeCodeText } from '../../shared/streams'
import { useAppStore } from '../store/store-context'
import { fromRequestMessages } from './saved-messages'
import type { WsSendKind } from './ws-send-slice'

const KINDS: { id: WsSendKind; label: string; placeholder: string }[] = [
  { id: 'text', label: 'Text', placeholder: 'A text message — Ctrl+Enter sends' },
  { id: 'json', label: 'JSON', placeholder: '{"type": "subscribe"} — checked before it is sent' },
  { id: 'hex', label: 'Hex', placeholder: 'de ad be ef — binary, as hex digits' },
  { id: 'base64', label: 'Base64', placeholder: '3q2+7w== — binary, as base64' },
  { id: 'file', label: 'File', placeholder: 'Path of a file to send as one binary message' },
]

const EMPTY: readonly never[] = []

/**
 * Compose and send WebSocket messages, keep saved ones (in the saved request's file, or per URL for an ad-hoc
 * session), ping, and close with a code and reason.
 */
export function WsSendBox({ sid, url, open }: { sid: string; url: string; open: boolean }) {
  const draft = useAppStore((s) => s.wsDraft)
  const error = useAppStore((s) => s.wsError)
  const origin = useAppStore((s) => s.streamOrigins[sid])
  const savedPath = origin?.path ?? null
  // The request's messages as its tab holds them now (edited, unsaved included); null when its tab is closed.
  const tabMessages = useAppStore((s) =>
    savedPath === null
      ? null
      : (s.tabs.find((t) => t.dir === origin?.dir && t.path === savedPath)?.extras.messages ?? null),
  )
  const local = useAppStore((s) => s.savedMessages[url] ?? EMPTY)
  const saved = useMemo(
    () => (savedPath === null ? local : fromRequestMessages(tabMessages ?? origin?.messages ?? EMPTY)),
    [savedPath, local, tabMessages, origin],
  )
  const editable = savedPath === null || tabMessages !== null
  const setDraft = useAppStore((s) => s.setWsDraft)
  const send = useAppStore((s) => s.sendWs)
  const ping = useAppStore((s) => s.pingWs)
  const close = useAppStore((s) => s.closeWs)
  const save = useAppStore((s) => s.saveWsMessage)
  const remove = useAppStore((s) => s.removeSavedMessage)
  const use = useAppStore((s) => s.useSavedMessage)
  const [name, setName] = useState('')
  const kind = KINDS.find((k) => k.id === draft.kind) ?? KINDS[0]

  return (
    <div className="ws-send">
      <div className="segmented" role="radiogroup" aria-label="Message type">
        {KINDS.map((k) => (
          <label key={k.id} className={k.id === draft.kind ? 'segment active' : 'segment'}>
            <input
              type="radio"
              name={`ws-kind-${sid}`}
              value={k.id}
              checked={k.id === draft.kind}
              onChange={() => setDraft({ kind: k.id })}
            />
            {k.label}
          </label>
        ))}
      </div>
      <textarea
        className="ws-message-input mono"
        aria-label="Message to send"
        rows={draft.kind === 'file' ? 1 : 4}
        spellCheck={false}
        placeholder={kind?.placeholder}
        value={draft.data}
        onChange={(e) => setDraft({ data: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault()
            e.stopPropagation()
            void send(sid)
          }
        }}
      />
      <div className="ws-send-actions">
        <button type="button" className="primary-button" disabled={!open} onClick={() => void send(sid)}>
          Send
        </button>
        <button type="button" className="secondary-button" disabled={!open} onClick={() => void ping(sid)}>
          Ping
        </button>
        <span className="grow" />
        <input
          className="ws-save-name"
          aria-label="Name for the saved message"
          placeholder="Name (optional)"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button
          type="button"
          className="secondary-button"
          disabled={draft.data === '' || !editable}
          title={
            savedPath === null
              ? 'Kept for this URL in this browser'
              : editable
                ? `Kept in ${savedPath} (save the request to write it)`
                : `Open ${savedPath} to change its saved messages`
          }
          onClick={() => {
            save(sid, url, name)
            setName('')
          }}
        >
          Save message
        </button>
      </div>
      {error ? <div className="error-box">{error.message}</div> : null}
      {/* Worded as the Publish / Emit boxes word their saved lists; the note says where the list is kept. */}
      <div className="ws-saved-head">
        <h4 className="ws-saved-title">
          {saved.length > 0 ? `Saved messages (${saved.length})` : 'No saved messages'}
        </h4>
        <span className="muted small">
          {savedPath === null
            ? 'kept for this URL in this browser'
            : `in ${savedPath}${editable ? '' : ' (open it to change them)'}`}
        </span>
      </div>
      {saved.length > 0 ? (
        <ul className="ws-saved" aria-label="Saved messages">
          {saved.map((m) => (
            <li key={m.id}>
              <button type="button" className="ws-saved-use" title={m.data} onClick={() => use(m)}>
                <span className="kind">{m.kind}</span> {m.name}
              </button>
              <button
                type="button"
                className="icon-button"
                aria-label={`Send saved message ${m.name}`}
                title="Send now"
                disabled={!open}
                onClick={() => {
                  use(m)
                  void send(sid)
                }}
              >
                ➤
              </button>
              <button
                type="button"
                className="icon-button"
                aria-label={`Delete saved message ${m.name}`}
                disabled={!editable}
                onClick={() => remove(sid, url, m.id)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="ws-close">
        <label>
          Close code
          <input
            type="number"
            className="num"
            min={1000}
            max={4999}
            value={draft.closeCode}
            onChange={(e) => setDraft({ closeCode: Number(e.target.value) || 1000 })}
          />
        </label>
        <span className="muted small">{closeCodeText(draft.closeCode)}</span>
        <input
          aria-label="Close reason"
          placeholder="Reason (optional)"
          maxLength={123}
          value={draft.closeReason}
          onChange={(e) => setDraft({ closeReason: e.target.value })}
        />
        <button type="button" className="secondary-button" disabled={!open} onClick={() => void close(sid)}>
          Close with code
        </button>
      </div>
    </div>
  )
}
