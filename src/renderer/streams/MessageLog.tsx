import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { formatBytes } from '../../shared/format'
import { groupDigits } from '../../shared/group-digits'
import { streamLogCutText } from '../../shared/stream-log-cut'
import type { StreamEntry } from '../../shared/streams'
import { bidiVisible, VisibleControls } from '../app/VisibleControls'
import { useAppStore } from '../store/store-context'
import { parseFieldPath, type PathStep } from './assemble'
import { assembledPiece, pieceLine } from './assembled-preview'
import type { StreamAttempt } from './lane-attempts'
import {
  LogRows,
  separatorParts,
  separatorRows,
  separatorsOf,
  separatorText,
  type LogSeparator,
} from './log-rows'
import { isFiltered, MAX_SCAN_ASKS, needsRead } from './log-window'
import { LogToolbar } from './LogToolbar'
import { entryPreview, entryType } from './message-format'
import { MessageView } from './MessageView'

const ROW_H = 22
/** While following a busy stream, the tail is read at most this often. */
const FOLLOW_EVERY_MS = 120
const NO_ATTEMPTS: readonly StreamAttempt[] = []

/**
 * A session's message log: a windowed list (only the rows on screen exist, and the store holds only a window
 * of entries read from the engine by range), filter and search (run in the engine over the whole log), follow
 * the newest message or stay put, jump to latest, and the selected message in full below. Unfiltered, a
 * separator row stands before each reconnect's messages (log-rows.ts); while the Assemble view has a field
 * path, the data column shows the piece it extracts from each message.
 */
export function MessageLog({
  sid,
  startT,
  emptyHint,
}: {
  sid: string
  startT: number
  /** Said in an empty, unfiltered log after "No messages yet" (where to send one from). */
  emptyHint?: ReactNode
}) {
  const view = useAppStore((s) => (s.logView?.sid === sid ? s.logView : null))
  const lastSeq = useAppStore((s) => s.streamLanes[sid]?.lastSeq ?? -1)
  const laneNotKept = useAppStore((s) => s.streamLanes[sid]?.notKept ?? 0)
  const attempts = useAppStore((s) => s.streamLanes[sid]?.attempts ?? NO_ATTEMPTS)
  const sse = useAppStore((s) => s.timeline.rows[sid]?.queued.kind === 'sse')
  // MQTT topics and Socket.IO events name their messages: a wider name column.
  const named = useAppStore((s) => {
    const kind = s.timeline.rows[sid]?.queued.kind
    return kind === 'mqtt' || kind === 'socketio'
  })
  const assemblePath = useAppStore((s) => (s.assembled?.sid === sid ? s.assembled.path : null))
  const [wholeMessages, setWholeMessages] = useState(false)
  const steps = useMemo(() => (assemblePath ? parseFieldPath(assemblePath) : null), [assemblePath])
  const pieces = wholeMessages ? null : steps
  const showLog = useAppStore((s) => s.showLog)
  const readLog = useAppStore((s) => s.readLog)
  const readLogTail = useAppStore((s) => s.readLogTail)
  const continueScan = useAppStore((s) => s.continueLogScan)
  const setFollow = useAppStore((s) => s.setLogFollow)
  const selectEntry = useAppStore((s) => s.selectLogEntry)
  const scrollRef = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(300)
  const [width, setWidth] = useState(400)

  useEffect(() => showLog(sid), [sid, showLog])

  const hasView = view !== null
  useLayoutEffect(() => {
    const el = scrollRef.current
    if (!el) return
    const measure = (): void => {
      setHeight(el.clientHeight)
      setWidth(el.clientWidth)
    }
    const ro = new ResizeObserver(measure)
    ro.observe(el)
    measure()
    return () => ro.disconnect()
    // The list exists once the view does (the first render, before showLog, has none).
  }, [hasView])

  const filtered = view ? isFiltered(view.filter) : false
  const separators = useMemo(() => separatorsOf(attempts), [attempts])
  // With a filter on, rows are the engine's matches only: reconnects are not marked there.
  // A reconnect's words wrap in a narrow pane: its separator takes the rows they need (the longest one's).
  const sepRows = useMemo(() => separatorRows(separators, sse, width), [separators, sse, width])
  const rowMap = useMemo(
    () => new LogRows(filtered ? [] : separators, lastSeq + 1, sepRows),
    [filtered, separators, lastSeq, sepRows],
  )
  const messages = view ? (filtered ? view.total : lastSeq + 1) : 0
  const total = view ? (filtered ? view.total : rowMap.total) : 0
  // A log that was cut ends with one line saying how many messages it did not keep, and why: the last row.
  const notKept = Math.max(view?.dropped ?? 0, laneNotKept)
  const rowCount = total + (notKept > 0 ? 1 : 0)
  // Its words may take two lines in a narrow pane: the list keeps room for both below the last message.
  const listHeight = (total + (notKept > 0 ? 2 : 0)) * ROW_H
  const visibleRows = Math.ceil(height / ROW_H) + 1
  const follow = view?.follow ?? true
  const firstRow = Math.max(0, Math.floor(scrollTop / ROW_H))
  const lastRow = firstRow + visibleRows
  // The messages those rows show (rows and messages are the same when filtered).
  const range = filtered ? { first: firstRow, last: lastRow } : rowMap.messageRange(firstRow, lastRow)
  const first = range.first
  const last = Math.max(range.first, range.last)

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
    // `view` itself changes on every read; what matters is more rows, the filter, or follow turning on; and
    // messages not kept, which move no seq: the tail read again brings the cut's count and words.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastSeq, laneNotKept, total, follow, filterText, visibleRows, readLogTail, sid])

  // Browsing: read whatever part of the log scrolled into view.
  useEffect(() => {
    if (!view || follow || view.loading) return
    if (needsRead(view, first, last, messages)) void readLog(first, last)
  }, [view, follow, first, last, messages, readLog])

  if (!view) return null
  const entryAt = (i: number): StreamEntry | undefined => view.entries[i - view.from]
  const rows: number[] = []
  for (let i = firstRow; i < Math.min(rowCount, lastRow + 1); i++) rows.push(i)

  return (
    <div className={named ? 'stream-log named' : 'stream-log'}>
      <LogToolbar
        sid={sid}
        total={messages}
        all={lastSeq + 1}
        filtered={filtered}
        follow={follow}
        complete={view.complete}
        scanned={view.scanned}
      />
      {view.scanPaused && !view.complete ? (
        <div className="stream-log-pieces muted small" data-testid="log-scan-paused">
          The search paused after {MAX_SCAN_ASKS} reads of the log, before its end.
          {view.scanned !== null
            ? ` It looked at the first ${groupDigits(view.scanned)} of ${groupDigits(Math.max(lastSeq + 1, view.scanned))} messages; the matches shown are among those.`
            : null}
          <button type="button" className="link-button" onClick={() => void continueScan(visibleRows)}>
            Search on
          </button>
        </div>
      ) : null}
      {steps && assemblePath ? (
        <div className="stream-log-pieces muted small">
          {wholeMessages ? 'Whole messages' : `Data column: ${assemblePath} of each message (Assemble)`}
          <button type="button" className="link-button" onClick={() => setWholeMessages(!wholeMessages)}>
            {wholeMessages ? `Show ${assemblePath}` : 'Show whole messages'}
          </button>
        </div>
      ) : null}
      <div
        ref={scrollRef}
        className="stream-log-rows"
        role="grid"
        aria-label="Messages"
        aria-rowcount={rowCount}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget
          setScrollTop(el.scrollTop)
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_H
          if (atBottom !== follow) setFollow(atBottom)
        }}
      >
        <div className="stream-log-spacer" style={{ height: listHeight }}>
          {rows.map((i) => {
            if (i === total)
              return <CutRow key={i} row={i} text={streamLogCutText(notKept, view.cut ?? undefined)} />
            const at = filtered ? null : rowMap.at(i)
            if (at?.kind === 'separator')
              // Drawn once, from its first row (or from the first row in view, when that one is scrolled past).
              return at.start === i || i === firstRow ? (
                <SeparatorRow
                  key={at.start}
                  row={at.start}
                  rows={sepRows}
                  separator={at.separator}
                  sse={sse}
                />
              ) : null
            const e = entryAt(at ? at.seq : i)
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
                {e ? <EntryCells e={e} startT={startT} pieces={pieces} /> : <span className="muted">…</span>}
              </div>
            )
          })}
        </div>
        {rowCount === 0 ? (
          <p className="muted stream-log-empty">
            {filtered ? (
              'No messages match.'
            ) : emptyHint ? (
              <>No messages yet: {emptyHint}</>
            ) : (
              'No messages yet.'
            )}
          </p>
        ) : null}
      </div>
      {view.error ? <div className="error-box">{view.error.message}</div> : null}
      {view.selectedSeq !== null ? <MessageView sid={sid} startT={startT} /> : null}
    </div>
  )
}

/** The log's cut: how many messages it did not keep, and which limit it reached. */
function CutRow({ row, text }: { row: number; text: string }) {
  return (
    <div
      role="row"
      aria-rowindex={row + 1}
      className="stream-log-row stream-log-cut"
      style={{ top: row * ROW_H }}
      data-testid="log-cut"
    >
      <span role="gridcell" className="cut-text" title={text}>
        {text}
      </span>
    </div>
  )
}

/**
 * The outcome as the line shows it: without a closing parenthetical explanation (the row's title and the
 * Handshake tab keep it whole), so at 1024 px the outcome itself is read whole before the line is cut.
 */
function briefOutcome(outcome: string): string {
  const at = outcome.indexOf(' (')
  return at > 0 && outcome.endsWith(')') ? outcome.slice(0, at) : outcome
}

function SeparatorRow({
  row,
  rows,
  separator,
  sse,
}: {
  row: number
  rows: number
  separator: LogSeparator
  sse: boolean
}) {
  const a = separator.attempt
  const { head, outcome, rest } = separatorParts(a, sse)
  const why = a.ended && outcome !== null && a.openedAt !== null ? ` (${a.ended.reason})` : ''
  return (
    <div
      role="row"
      aria-rowindex={row + 1}
      className={`stream-log-row stream-log-sep${outcome ? ' sep-outcome' : ''}`}
      style={{ top: row * ROW_H, height: rows * ROW_H }}
      data-attempt={a.n}
    >
      <span role="gridcell" className="sep-text" title={`${separatorText(a, sse)}${why}`}>
        <span className="sep-rule" aria-hidden="true" />
        <span
          className="sep-words"
          style={{ WebkitLineClamp: Math.max(1, Math.floor((rows * ROW_H - 4) / 15)) }}
        >
          {head}
          {outcome ? <span className="sep-result"> · {briefOutcome(outcome)}</span> : null}
          {rest ? ` · ${rest}` : ''}
        </span>
        <span className="sep-rule" aria-hidden="true" />
      </span>
    </div>
  )
}

function EntryCells({
  e,
  startT,
  pieces,
}: {
  e: StreamEntry
  startT: number
  pieces: readonly PathStep[] | null
}) {
  const piece = pieces ? assembledPiece(e, pieces) : null
  return (
    <>
      <span role="gridcell" className="c-t num">
        {((e.t - startT) / 1000).toFixed(3)}s
      </span>
      <span role="gridcell" className={`c-dir dir-${e.dir}`} title={e.dir === 'in' ? 'Received' : 'Sent'}>
        {e.dir === 'in' ? '↓' : '↑'}
      </span>
      <span
        role="gridcell"
        className={`c-type kind-${e.kind}`}
        title={bidiVisible(entryType(e))}
        // Its name is the whole name: the cut pieces are laid out apart, which reads as two words.
        aria-label={entryType(e)}
      >
        <EntryName name={entryType(e)} />
      </span>
      <span role="gridcell" className="c-size num">
        {formatBytes(e.size)}
      </span>
      {piece !== null ? (
        <span role="gridcell" className="c-data mono piece">
          <VisibleControls text={pieceLine(piece)} />
        </span>
      ) : (
        <span role="gridcell" className={`c-data mono${pieces ? ' envelope' : ''}`}>
          <VisibleControls text={entryPreview(e)} />
        </span>
      )}
    </>
  )
}

/**
 * A topic or event name that may be longer than its column, cut in its middle as MQTT Explorer does: the start
 * (plant/…) and the last level whole (vibration), which is what tells a filtered log's rows apart; when even the
 * last level is too long, it is cut at its start. The whole name is the cell's title.
 */
function EntryName({ name }: { name: string }) {
  const cut = name.lastIndexOf('/', name.length - 2)
  const head = cut > 0 ? name.slice(0, cut + 1) : ''
  return (
    <>
      {head ? (
        <span className="name-head">
          <VisibleControls text={head} />
        </span>
      ) : null}
      <span className="name-tail">
        <span dir="ltr">
          <VisibleControls text={head ? name.slice(cut + 1) : name} />
        </span>
      </span>
    </>
  )
}
