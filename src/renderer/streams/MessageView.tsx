import { useEffect, useState } from 'react'
import { formatBytes } from '../../shared/format'
import { closeCodeText } from '../../shared/streams'
import { useAppStore } from '../store/store-context'
import { downloadParts, windowLabel, windowText } from './message-data'
import { base64ToBytes, entryType, hexDump, prettyJson } from './message-format'
import { MESSAGE_VIEW_BYTES } from './message-data-slice'

const HEX_BYTES = 4096

/**
 * The selected message: its facts, and its data as pretty JSON, text, or a hex dump for binary. A message
 * larger than the view reads is shown a window at a time, saying which part ("Showing the first 512 KB of
 * 5.0 MB"), with the next and previous windows and a way to save it whole.
 */
export function MessageView({ sid, startT }: { sid: string; startT: number }) {
  const entry = useAppStore((s) => {
    const v = s.logView
    if (!v || v.sid !== sid || v.selectedSeq === null) return undefined
    return v.entries.find((e) => e.seq === v.selectedSeq)
  })
  const data = useAppStore((s) => s.messageData)
  const loadData = useAppStore((s) => s.loadMessageData)
  const readWhole = useAppStore((s) => s.readWholeMessage)
  const close = useAppStore((s) => s.selectLogEntry)
  // What the last save said, for the message it was about.
  const [saved, setSaved] = useState<{ seq: number; text: string } | null>(null)
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
    body = hexDump(bytes, full?.offset ?? 0, HEX_BYTES)
    hex = true
  } else if (full && entry.truncated) {
    const bytes = base64ToBytes(full.base64)
    const text = windowText(bytes, full.offset > 0, full.offset + full.length < full.total)
    body = prettyJson(text) ?? text
  } else {
    body = prettyJson(entry.data) ?? entry.data
  }
  // The part of a message larger than one read that is on screen.
  const windowed = full !== null && full.total > MESSAGE_VIEW_BYTES && !full.error
  const save = async (): Promise<void> => {
    const seq = entry.seq
    setSaved({ seq, text: 'Reading the message…' })
    const parts = await readWhole(sid, seq)
    const binary = entry.encoding === 'base64'
    const text = parts.ok
      ? `Saved ${formatBytes(downloadParts(parts.value, `${sid}-message-${seq}.${binary ? 'bin' : 'txt'}`, binary))}`
      : `Could not save: ${parts.error.message}`
    setSaved({ seq, text })
  }
  const saveNote = saved?.seq === entry.seq ? saved.text : null

  return (
    <section className="message-view" aria-label="Message">
      <div className="message-view-head">
        <span className={`c-dir dir-${entry.dir}`}>{entry.dir === 'in' ? '↓ Received' : '↑ Sent'}</span>
        <span className="kind">{entryType(entry)}</span>
        <span className="muted num">+{((entry.t - startT) / 1000).toFixed(3)} s</span>
        <span className="muted num">{formatBytes(entry.size)}</span>
        <span className="muted">#{entry.seq}</span>
        {entry.id !== undefined ? <span className="muted entry-id">id {entry.id}</span> : null}
        {entry.code !== undefined ? <span>{closeCodeText(entry.code)}</span> : null}
        <span className="grow" />
        <button type="button" className="icon-button" aria-label="Close message" onClick={() => close(null)}>
          ×
        </button>
      </div>
      {windowed && !hex ? (
        <div className="message-window muted small" role="status" aria-label="Part shown">
          <span>{windowLabel(full.offset, full.length, full.total)}</span>
          <button
            type="button"
            className="link-button"
            disabled={full.offset === 0}
            onClick={() => void loadData(sid, entry.seq, Math.max(0, full.offset - MESSAGE_VIEW_BYTES))}
          >
            Previous {formatBytes(MESSAGE_VIEW_BYTES)}
          </button>
          <button
            type="button"
            className="link-button"
            disabled={full.offset + full.length >= full.total}
            onClick={() => void loadData(sid, entry.seq, full.offset + full.length)}
          >
            Next {formatBytes(MESSAGE_VIEW_BYTES)}
          </button>
          <button type="button" className="link-button" onClick={() => void save()}>
            Save whole message…
          </button>
        </div>
      ) : null}
      <pre className={hex ? 'message-body hex' : 'message-body'} aria-label="Message data">
        {body}
      </pre>
      {hex && entry.size > HEX_BYTES ? (
        <p className="muted small">
          First {formatBytes(HEX_BYTES)} of {formatBytes(entry.size)} shown.{' '}
          <button type="button" className="link-button" onClick={() => void save()}>
            Save whole message…
          </button>
        </p>
      ) : null}
      {saveNote !== null ? <p className="muted small">{saveNote}</p> : null}
      {full?.error ? <div className="error-box">{full.error.message}</div> : null}
    </section>
  )
}
