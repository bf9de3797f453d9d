import { useEffect } from 'react'
import { formatBytes } from '../../shared/format'
import { closeCodeText } from '../../shared/streams'
import { useAppStore } from '../store/store-context'
import { base64ToBytes, entryType, hexDump, prettyJson } from './message-format'

const HEX_BYTES = 4096

/** The selected message in full: its facts, and its data as pretty JSON, text, or a hex dump for binary. */
export function MessageView({ sid, startT }: { sid: string; startT: number }) {
  const entry = useAppStore((s) => {
    const v = s.logView
    if (!v || v.sid !== sid || v.selectedSeq === null) return undefined
    return v.entries.find((e) => e.seq === v.selectedSeq)
  })
  const data = useAppStore((s) => s.messageData)
  const loadData = useAppStore((s) => s.loadMessageData)
  const close = useAppStore((s) => s.selectLogEntry)
  const needsFull = entry !== undefined && (entry.truncated || entry.encoding === 'base64')

  useEffect(() => {
    if (entry && needsFull) void loadData(sid, entry.seq)
  }, [entry, needsFull, loadData, sid])

  if (!entry) return null
  const full = data && data.sid === sid && data.seq === entry.seq ? data : null
  let body: string
  let hex = false
  if (entry.encoding === 'base64') {
    const bytes = full
      ? base64ToBytes(full.base64.slice(0, Math.ceil(HEX_BYTES / 3) * 4))
      : base64ToBytes(entry.data)
    body = hexDump(bytes, 0, HEX_BYTES)
    hex = true
  } else {
    const text = full && entry.truncated ? new TextDecoder().decode(base64ToBytes(full.base64)) : entry.data
    body = prettyJson(text) ?? text
  }

  return (
    <section className="message-view" aria-label="Message">
      <div className="message-view-head">
        <span className={`c-dir dir-${entry.dir}`}>{entry.dir === 'in' ? '↓ Received' : '↑ Sent'}</span>
        <span className="kind">{entryType(entry)}</span>
        <span className="muted num">+{((entry.t - startT) / 1000).toFixed(3)} s</span>
        <span className="muted num">{formatBytes(entry.size)}</span>
        <span className="muted">#{entry.seq}</span>
        {entry.id !== undefined ? <span className="muted">id {entry.id}</span> : null}
        {entry.code !== undefined ? <span>{closeCodeText(entry.code)}</span> : null}
        <span className="grow" />
        <button type="button" className="icon-button" aria-label="Close message" onClick={() => close(null)}>
          ×
        </button>
      </div>
      <pre className={hex ? 'message-body hex' : 'message-body'} aria-label="Message data">
        {body}
      </pre>
      {hex && entry.size > HEX_BYTES ? (
        <p className="muted small">
          First {formatBytes(HEX_BYTES)} of {formatBytes(entry.size)} shown.
        </p>
      ) : null}
      {full?.error ? <div className="error-box">{full.error.message}</div> : null}
    </section>
  )
}
