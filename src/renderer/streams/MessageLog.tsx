import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import { formatBytes } from '../../shared/format'
import type { StreamEntry, StreamFilter } from '../../shared/streams'
import type { StreamMessageKind } from '../../shared/timeline'
import { useAppStore } from '../store/store-context'
import { isFiltered, needsRead } from './log-window'
import { entryPreview, entryType } from './message-format'
import { MessageView } from './MessageView'

const ROW_H = 22
/** While following a busy stream, the tail is read at most this often. */
const FOLLOW_EVERY_MS = 120
const SEARCH_DEBOUNCE_MS = 250

const KIND_CHOICES: { label: string; kinds: StreamMessageKind[] }[] = [
  { label: 'All types', kinds: [] },
  { label: 'Events', kinds: ['event'] },
  { label: 'Text', kinds: ['text', 'line', 'chunk'] },
  { label: 'Binary', kinds: ['binary'] },
  { label: 'Ping / pong', kinds: ['ping', 'pong'] },
  { label: 'Close', kinds: ['close'] },
  { label: 'Comments', kinds: ['comment'] },
  { label: 'Malformed', kinds: ['invalid'] },
]

/**
 * A session's message log: a windowed list (only the rows on screen exist, and the store holds only a window
 * of entries read from the engine by range), filter and search (run in the engine over the whole log), follow
 * the newest message or stay put, jump to latest, and the selected message in full below.
 */
export function MessageLog({ sid, startT }: { sid: string; startT: number }) {
  const view = useAppStore((s) => (s.logView?.sid === sid ? s.logView : null))
  const lastSeq = useAppStore((s) => s.streamLanes[sid]?.lastSeq ?? -1)
  const showLog = useAppStore((s) => s.showLog)
  const readLog = useAppStore((s) => s.readLog)
  const readLogTail = useAppStore((s) => s.readLogTail)
  const setFollow = useAppStore((s) => s.setLogFollow)
  const selectEntry = useAppStore((s) => s.selectLogEntry)
  const scrollRef = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(300)

  useEffect(() => showLog(sid), [sid, showLog])

  const hasView = view !== null
  useLayoutEffect(() => {
    const el = scrollRef.current
    if (!el) return
    const ro = new ResizeObserver(() => setHeight(el.clientHeight))
    ro.observe(el)
    setHeight(el.clientHeight)
    return () => ro.disconnect()
    // The list exists once the view does (the first render, before showLog, has none).
  }, [hasView])

  const filtered = view ? isFiltered(view.filter) : false
  const total = view ? (filtered ? view.total : lastSeq + 1) : 0
  const visibleRows = Math.ceil(height / ROW_H) + 1
  const follow = view?.follow ?? true
  const first = Math.max(0, Math.floor(scrollTop / ROW_H))
  const last = first + visibleRows

  // Follow: keep the newest rows in view and read the tail, at most every FOLLOW_EVERY_MS.
  const lastRead = useRef(0)
  const filterText = view ? JSON.stringify(view.filter) : ''
  useEffect(() => {
    if (!view || !follow) return
    const el = scrollRef.current
    if (el) el.scrollTop = el.scrollHeight
    const wait = Math.max(0, lastRead.current + FOLLOW_EVERY_MS - performance.now())
    const timer = setTimeout(() => {
      lastRead.current = performance.now()
      void readLogTail(visibleRows)
    }, wait)
    return () => clearTimeout(timer)
    // `view` itself changes on every read; what matters is more messages, the filter, or follow turning on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastSeq, follow, filterText, visibleRows, readLogTail, sid])

  // Browsing: read whatever part of the log scrolled into view.
  useEffect(() => {
    if (!view || follow || view.loading) return
    if (needsRead(view, first, last, total)) void readLog(first, last)
  }, [view, follow, first, last, total, readLog])

  if (!view) return null
  const entryAt = (i: number): StreamEntry | undefined => view.entries[i - view.from]
  const rows: number[] = []
  for (let i = first; i < Math.min(total, last + 1); i++) rows.push(i)

  return (
    <div className="stream-log">
      <LogToolbar sid={sid} total={total} filtered={filtered} follow={follow} complete={view.complete} />
      <div
        ref={scrollRef}
        className="stream-log-rows"
        role="grid"
        aria-label="Messages"
        aria-rowcount={total}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget
          setScrollTop(el.scrollTop)
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_H
          if (atBottom !== follow) setFollow(atBottom)
        }}
      >
        <div className="stream-log-spacer" style={{ height: total * ROW_H }}>
          {rows.map((i) => {
            const e = entryAt(i)
            return (
              <div
                key={i}
                role="row"
                aria-rowindex={i + 1}
                className={`stream-log-row dir-${e?.dir ?? 'none'}${e && e.seq === view.selectedSeq ? ' selected' : ''}`}
                style={{ top: i * ROW_H }}
                data-seq={e?.seq}
                onClick={() => e && selectEntry(e.seq === view.selectedSeq ? null : e.seq)}
              >
                {e ? <EntryCells e={e} startT={startT} /> : <span className="muted">…</span>}
              </div>
            )
          })}
        </div>
        {total === 0 ? (
          <p className="muted stream-log-empty">{filtered ? 'No messages match.' : 'No messages yet.'}</p>
        ) : null}
      </div>
      {view.error ? <div className="error-box">{view.error.message}</div> : null}
      {view.selectedSeq !== null ? <MessageView sid={sid} startT={startT} /> : null}
    </div>
  )
}

function EntryCells({ e, startT }: { e: StreamEntry; startT: number }) {
  return (
    <>
      <span role="gridcell" className="c-t num">
        {((e.t - startT) / 1000).toFixed(3)}s
      </span>
      <span role="gridcell" className={`c-dir dir-${e.dir}`} title={e.dir === 'in' ? 'Received' : 'Sent'}>
        {e.dir === 'in' ? '↓' : '↑'}
      </span>
      <span role="gridcell" className={`c-type kind-${e.kind}`}>
        {entryType(e)}
      </span>
      <span role="gridcell" className="c-size num">
        {formatBytes(e.size)}
      </span>
      <span role="gridcell" className="c-data mono">
        {entryPreview(e)}
      </span>
    </>
  )
}

function LogToolbar({
  sid,
  total,
  filtered,
  follow,
  complete,
}: {
  sid: string
  total: number
  filtered: boolean
  follow: boolean
  complete: boolean
}) {
  const filter = useAppStore((s) => s.logView?.filter)
  const setFilter = useAppStore((s) => s.setLogFilter)
  const setFollow = useAppStore((s) => s.setLogFollow)
  const lane = useAppStore((s) => s.streamLanes[sid])
  const [text, setText] = useState(filter?.text ?? '')

  useEffect(() => {
    const timer = setTimeout(() => {
      if ((filter?.text ?? '') !== text) setFilter({ ...filter, text })
    }, SEARCH_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [text, filter, setFilter])

  const kindsKey = (filter?.kinds ?? []).join(',')
  const patch = (p: Partial<StreamFilter>): void => setFilter({ ...filter, ...p })

  return (
    <div className="stream-log-toolbar">
      <input
        className="stream-search mono"
        type="search"
        placeholder="Search messages"
        aria-label="Search messages"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <select
        aria-label="Direction"
        value={filter?.dir ?? ''}
        onChange={(e) => {
          const v = e.target.value
          patch({ dir: v === 'in' || v === 'out' ? v : undefined })
        }}
      >
        <option value="">Both ways</option>
        <option value="in">Received</option>
        <option value="out">Sent</option>
      </select>
      <select
        aria-label="Message type"
        value={kindsKey}
        onChange={(e) =>
          patch({ kinds: KIND_CHOICES.find((k) => k.kinds.join(',') === e.target.value)?.kinds ?? [] })
        }
      >
        {KIND_CHOICES.map((k) => (
          <option key={k.label} value={k.kinds.join(',')}>
            {k.label}
          </option>
        ))}
      </select>
      <span className="stream-count muted num" aria-live="polite">
        {filtered
          ? `${total.toLocaleString()} match${total === 1 ? '' : 'es'}${complete ? '' : '…'}`
          : `${total.toLocaleString()} messages`}
        {lane ? ` · ↓ ${formatBytes(lane.bytesIn)} · ↑ ${formatBytes(lane.bytesOut)}` : ''}
      </span>
      <span className="grow" />
      {follow ? (
        <button
          type="button"
          className="secondary-button"
          onClick={() => setFollow(false)}
          title="Stop following new messages"
        >
          Pause auto-scroll
        </button>
      ) : (
        <button type="button" className="secondary-button" onClick={() => setFollow(true)}>
          Jump to latest
        </button>
      )}
    </div>
  )
}
