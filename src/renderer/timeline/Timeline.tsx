import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react'
import { flushSync } from 'react-dom'
import { useAppStore, useAppStoreApi, useLiveClockApi } from '../store/store-context'
import { layoutColumns } from './columns'
import { endScrollTop, followRange, rowsAt, scrollTopToShow, tailRoom } from './follow-range'
import { rowSlotKeeper } from './row-slots'
import { TableHeader } from './TableHeader'
import { GroupRow, rowDomId, TimelineRow } from './TimelineRow'
import { TimelineToolbar } from './TimelineToolbar'
import { stepSelection } from './table-view'
import {
  fitAllView,
  followView,
  freezeView,
  panView,
  resolveWindow,
  timelineExtent,
  zoomView,
} from './time-view'
import { useTableView } from './use-table-view'
import { useWantedHeight } from './use-wanted-height'
import { Waterfall } from './Waterfall'
import { useActiveDraft } from '../tabs/use-active-draft'
import { isConnectKind } from '../streams/tab-session'
import { HEADER_HEIGHT, ROW_HEIGHT } from './waterfall-paint'

/** Rows rendered above and below the ones on screen, so a scroll of a few rows finds them laid out. */
const OVERSCAN = 12

/**
 * The live timeline: a virtualised table of sessions (only the rows on screen are in the DOM) with the
 * waterfall painted on a canvas over its last column, a concurrency strip and time ticks above it. The grid's
 * rows are exactly the sessions (plus group headers when grouping), named "GET <url> 200" for screen readers
 * and tests.
 *
 * `toolbarExtras` takes controls from other modules (HAR import and export); `children` renders inside the
 * panel below the table (other lanes, overlays).
 */
export function Timeline({ toolbarExtras, children }: { toolbarExtras?: ReactNode; children?: ReactNode }) {
  const { items, rowCount, orderVersion } = useTableView()
  const restoring = useAppStore((s) => s.replayedSessions === null)
  const selectedSid = useAppStore((s) => s.selectedSid)
  const following = useAppStore((s) => s.timeView.follow)
  const visibleColumns = useAppStore((s) => s.visibleColumns)
  const columnWidths = useAppStore((s) => s.columnWidths)
  const store = useAppStoreApi()
  const clock = useLiveClockApi()
  const sectionRef = useRef<HTMLElement>(null)
  const frameRef = useRef<HTMLDivElement>(null)
  const scrollRef = useRef<HTMLDivElement>(null)
  const [size, setSize] = useState({ width: 800, height: 300 })
  /** scrollTop we set ourselves: a scroll event landing there is not the person scrolling away. */
  const ownScroll = useRef<number | null>(null)

  useLayoutEffect(() => {
    const el = scrollRef.current
    if (!el) return
    const measure = (): void => setSize({ width: el.clientWidth, height: el.clientHeight })
    measure()
    const ro = new ResizeObserver(measure)
    ro.observe(el)
    return () => ro.disconnect()
  }, [])

  const layout = useMemo(
    () => layoutColumns(visibleColumns, columnWidths, size.width),
    [visibleColumns, columnWidths, size.width],
  )
  const template = useMemo(
    () => `${layout.columns.map((c) => `${c.width}px`).join(' ')} ${layout.waterfallWidth}px 44px`,
    [layout],
  )

  // The rows rendered: those at the scroll offset (from the last scroll event) and OVERSCAN on each side, or
  // while following the bottom ones (follow-range.ts). Rows are one height, so this is arithmetic on the offset.
  const viewportHeight = size.height
  const [scrollTop, setScrollTop] = useState(0)
  const range = rowsAt(scrollTop, viewportHeight, items.length, ROW_HEIGHT, OVERSCAN)
  const rendered = range ? followRange(range, following, viewportHeight, ROW_HEIGHT) : []
  // Which slot (React key) each rendered row takes: the rows that stay keep theirs, the rows arriving take the
  // slots of the rows that left (row-slots.ts).
  const [slotKeeper] = useState(rowSlotKeeper)
  const slots = slotKeeper.assign(rendered)

  // Follow live: keep the newest rows in view while following. The scroll is made in the next animation frame
  // (or by the waterfall's paint, if that runs first in the frame, so the bars are drawn where the rows are),
  // not in the commit: setting scrollTop lays the page out, and in the commit that meant a layout for every
  // batch, inside the task that applied it. In the frame it is the frame's own layout. The rows at the bottom
  // are rendered by the commit (followRange), so the frame that scrolls there shows them.
  const followTop = useRef<number | null>(null)
  const applyFollow = useCallback((): void => {
    const el = scrollRef.current
    const top = followTop.current
    followTop.current = null
    if (!el || top === null) return
    if (Math.abs(el.scrollTop - top) > 1) {
      ownScroll.current = top
      el.scrollTop = top
    }
  }, [])
  useLayoutEffect(() => {
    if (!following || items.length === 0) return
    followTop.current = endScrollTop(items.length, viewportHeight, ROW_HEIGHT)
    const frame = requestAnimationFrame(applyFollow)
    return () => cancelAnimationFrame(frame)
  }, [items.length, following, viewportHeight, applyFollow])

  // Keep the selected row in view when the selection moves (keys, a send). A send selects its row before the
  // row's first event has arrived, so a selection not listed yet is scrolled to once it is; items changing
  // otherwise never yank the view back to the selection. While following live, what a send selected is left to
  // the follow: its rows land at the bottom, and a burst's first copy, a thousand rows up, was scrolled to,
  // which stopped the follow and laid the page out inside the task applying each click's batch.
  const pendingScroll = useRef<string | null>(null)
  useEffect(() => {
    const s = store.getState()
    pendingScroll.current = s.timeView.follow && s.followingSid === selectedSid ? null : selectedSid
  }, [selectedSid, store])
  useEffect(() => {
    const sid = pendingScroll.current
    if (sid === null) return
    const at = items.indexOf(sid)
    if (at < 0) return
    pendingScroll.current = null
    const el = scrollRef.current
    const top = el ? scrollTopToShow(at, el.scrollTop, el.clientHeight, ROW_HEIGHT) : null
    if (el && top !== null) el.scrollTop = top
  }, [selectedSid, items, orderVersion])

  const onScroll = (): void => {
    const el = scrollRef.current
    if (!el) return
    // A scroll to rows not rendered renders them before the frame paints (in a task after it, the frame showed
    // blank rows); one within the overscan, or the follow's own to the bottom rows, re-renders after the frame.
    // An offset that shows the same rows is not kept: it would re-render the table for each pixel scrolled.
    const top = el.scrollTop
    const now = rowsAt(top, viewportHeight, items.length, ROW_HEIGHT, OVERSCAN)
    const same = now && range && now.startIndex === range.startIndex && now.endIndex === range.endIndex
    if (top !== scrollTop && !same) {
      const first = rendered[0] ?? 0
      const last = rendered[rendered.length - 1] ?? -1
      if (now && (now.startIndex < first || now.endIndex > last)) flushSync(() => setScrollTop(top))
      else setScrollTop(top)
    }
    const own = ownScroll.current
    ownScroll.current = null
    if (own !== null && Math.abs(el.scrollTop - own) <= 1) return
    // By the newest row, not the list's end: the room under it (tailRoom) is no row to follow, and a selected
    // row shown by its bottom (scrollTopToShow) is at the bottom.
    const atBottom = items.length * ROW_HEIGHT - el.scrollTop - el.clientHeight < ROW_HEIGHT / 2
    const s = store.getState()
    // Scrolling away from the newest rows stops following; the time window stays where it is.
    if (!atBottom && s.timeView.follow)
      s.setTimeView(freezeView(s.timeView, timelineExtent(s.timeline, clock.getState().now)))
  }

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.ctrlKey || e.metaKey || e.altKey) return
    const s = store.getState()
    const extent = timelineExtent(s.timeline, clock.getState().now)
    const win = resolveWindow(s.timeView, extent)
    const mid = win ? (win.start + win.end) / 2 : 0
    const span = win ? win.end - win.start : 0
    const moves: Record<string, () => void> = {
      ArrowDown: () => s.select(stepSelection(items, s.selectedSid, 1)),
      ArrowUp: () => s.select(stepSelection(items, s.selectedSid, -1)),
      PageDown: () => s.select(stepSelection(items, s.selectedSid, 10)),
      PageUp: () => s.select(stepSelection(items, s.selectedSid, -10)),
      Home: () => s.select(stepSelection(items, null, 1)),
      End: () => s.select(stepSelection(items, null, -1)),
      '+': () => s.setTimeView(zoomView(s.timeView, 1.5, mid, extent)),
      '=': () => s.setTimeView(zoomView(s.timeView, 1.5, mid, extent)),
      '-': () => s.setTimeView(zoomView(s.timeView, 1 / 1.5, mid, extent)),
      '0': () => s.setTimeView(fitAllView(s.timeView, extent)),
      ArrowLeft: () => s.setTimeView(panView(s.timeView, -span * 0.1, extent)),
      ArrowRight: () => s.setTimeView(panView(s.timeView, span * 0.1, extent)),
      f: () =>
        s.setTimeView(s.timeView.follow ? freezeView(s.timeView, extent) : followView(s.timeView, extent)),
      p: () => {
        if (s.selectedSid !== null && s.timeline.rows[s.selectedSid]) s.togglePin(s.selectedSid)
      },
    }
    const move = moves[e.key]
    if (!move) return
    e.preventDefault()
    move()
  }

  const columnIds = useMemo(() => layout.columns.map((c) => c.id), [layout])
  const bodyHeight = Math.max(0, size.height)
  useWantedHeight(sectionRef, items.length)

  return (
    <section ref={sectionRef} className="timeline" aria-label="Timeline panel">
      <TimelineToolbar shown={rowCount} items={items}>
        {toolbarExtras}
      </TimelineToolbar>
      <div
        ref={frameRef}
        className="tl-frame"
        style={{ ['--tl-cols' as string]: template, ['--table-w' as string]: `${layout.waterfallX}px` }}
      >
        <TableHeader layout={layout} />
        <div ref={scrollRef} className="tl-scroll" onScroll={onScroll} style={{ top: HEADER_HEIGHT }}>
          <div
            className="tl-grid"
            role="grid"
            aria-label="Timeline"
            aria-rowcount={items.length}
            // While the engine's timeline is still being restored after a page load, the rows are not all here.
            aria-busy={restoring}
            aria-activedescendant={selectedSid === null ? undefined : rowDomId(selectedSid)}
            tabIndex={0}
            onKeyDown={onKeyDown}
            style={{
              height: Math.max(
                items.length * ROW_HEIGHT + tailRoom(items.length, viewportHeight, ROW_HEIGHT),
                1,
              ),
            }}
          >
            {rendered.map((index) => {
              const item = items[index]
              if (item === undefined) return null
              const top = index * ROW_HEIGHT
              // Keyed by slot, not by session: a row scrolled or followed out of view lends its elements to the
              // one coming in (row-slots.ts says why).
              const key = `s${slots.get(index) ?? index}`
              return typeof item === 'string' ? (
                <TimelineRow key={key} sid={item} index={index} top={top} columns={columnIds} />
              ) : (
                <GroupRow key={key} item={item} index={index} top={top} />
              )
            })}
          </div>
        </div>
        <Waterfall
          items={items}
          orderVersion={orderVersion}
          scrollRef={scrollRef}
          beforePaint={applyFollow}
          x={layout.waterfallX}
          width={layout.waterfallWidth}
          bodyHeight={bodyHeight}
        />
        {items.length === 0 ? <EmptyNote filtered={rowCount === 0 && items !== null} /> : null}
      </div>
      {children}
    </section>
  )
}

function EmptyNote({ filtered }: { filtered: boolean }) {
  const total = useAppStore((s) => s.timeline.order.length)
  const resetFilters = useAppStore((s) => s.resetFilters)
  // What the key does for the tab shown: only an HTTP request has Send ×N; a session connects.
  const kind = useActiveDraft((d) => d.kind)
  if (filtered && total > 0) {
    return (
      <div className="tl-empty">
        <p>No request matches the filters.</p>
        <p>
          <button type="button" className="link-button" onClick={resetFilters}>
            Clear filters
          </button>
        </p>
      </div>
    )
  }
  return (
    <div className="tl-empty">
      <p>Nothing on the timeline yet.</p>
      {kind === 'grpc' ? (
        <p className="muted">
          Type the server&apos;s address, pick a method and press <kbd>Ctrl</kbd>+<kbd>Enter</kbd> to invoke
          it.
        </p>
      ) : (
        <p className="muted">
          Type a URL and press <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
          {kind === 'http' ? (
            <>
              , or fire many at once with <em>Send ×N</em>.
            </>
          ) : isConnectKind(kind) ? (
            ' to connect.'
          ) : (
            '.'
          )}
        </p>
      )}
    </div>
  )
}
