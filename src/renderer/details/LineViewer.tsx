import {
  useCallback,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
} from 'react'
import { useAppStore } from '../store/store-context'
import { VisibleControls } from '../app/VisibleControls'
import { lineOfRow, normalizeFolds, rowOfLine, visibleRows } from './fold-map'
import { ScaledList, type KeepTop } from './ScaledList'
import { LINE_PAGE, type LinePage, type ViewerSearch } from './viewer-slice'
import { buildWrapMap, flatMap, pageLineBreaks } from './wrap-map'

const LINE_HEIGHT = 16
/** The line's left gutter (number and fold button) and right padding, as in response-viewer.css. */
const GUTTER_PX = 58 + 12
const PROBE_CHARS = 64
const MIN_COLS = 16

/**
 * What is at the top of the list: a body line, and how many of its rows (fractional) are above the edge; or a
 * search hit (`hit`: the nth occurrence of `query` in its line), kept by the row its column falls on however
 * the line wraps (Wrap switched, the pane resized, the line's page arriving).
 */
interface TopLine {
  line: number
  within: number
  hit?: { query: string; nth: number }
}

/** The segment (wrapped row) of `line` that the hit's first character falls on: 0 when unknown or unwrapped. */
function hitSegment(
  pages: ReadonlyMap<number, LinePage> | undefined,
  line: number,
  hit: { query: string; nth: number },
  cols: number,
): number {
  const page = pages?.get(Math.floor(line / LINE_PAGE))
  const text = page?.lines[line % LINE_PAGE]
  if (!page || text === undefined || cols <= 0 || hit.query === '') return 0
  const hay = text.toLowerCase()
  let at = hay.indexOf(hit.query)
  for (let n = 0; n < hit.nth && at >= 0; n++) at = hay.indexOf(hit.query, at + hit.query.length)
  if (at < 0) return 0
  const breaks = pageLineBreaks(page, line % LINE_PAGE, cols)
  let segment = 0
  while (segment + 1 < breaks.length && (breaks[segment + 1] ?? Infinity) <= at) segment++
  return segment
}

/** The current search hit as an anchor (which occurrence in its line it is), or undefined. */
function currentHit(
  search: ViewerSearch | null | undefined,
): { line: number; query: string; nth: number } | undefined {
  const m = search?.matches[search.at]
  if (!search || !m) return undefined
  let nth = 0
  for (let i = search.at - 1; i >= 0 && search.matches[i]?.line === m.line; i--) nth++
  return { line: m.line, query: search.query.toLowerCase(), nth }
}

/**
 * Character cells that fit across the list at its font, re-measured when the pane is resized; 0 until
 * measured (or when wrap is off).
 */
function useWrapColumns(on: boolean): {
  cols: number
  boxRef: RefObject<HTMLDivElement | null>
  probeRef: RefObject<HTMLSpanElement | null>
} {
  const boxRef = useRef<HTMLDivElement | null>(null)
  const probeRef = useRef<HTMLSpanElement | null>(null)
  const [cols, setCols] = useState(0)
  useLayoutEffect(() => {
    const box = boxRef.current
    const probe = probeRef.current
    if (!on || !box || !probe) return
    const measure = (): void => {
      const list = box.querySelector<HTMLElement>('.sl-scroll')
      const cell = probe.getBoundingClientRect().width / PROBE_CHARS
      const width = (list ?? box).clientWidth - GUTTER_PX
      if (cell > 0) setCols(Math.max(MIN_COLS, Math.floor(width / cell)))
    }
    measure()
    const ro = new ResizeObserver(measure)
    ro.observe(box)
    return () => ro.disconnect()
  }, [on])
  return { cols: on ? cols : 0, boxRef, probeRef }
}

/** Pretty JSON or raw text, a window of lines at a time, with folding and search hits highlighted. */
export function LineViewer() {
  const viewer = useAppStore((s) => s.viewer)
  const ensureLines = useAppStore((s) => s.ensureLines)
  const toggleFold = useAppStore((s) => s.toggleFold)
  const copyBody = useAppStore((s) => s.copyBody)
  // Ctrl/Cmd+A selects the body, not the page; only the lines on screen exist, so the next copy takes the
  // whole body from the engine instead of the selection.
  const [wholeBody, setWholeBody] = useState(false)
  const onKeyDown = useCallback((e: KeyboardEvent<HTMLDivElement>) => {
    if (!(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== 'a') return
    e.preventDefault()
    const list = e.currentTarget.querySelector('.sl-window')
    const selection = window.getSelection()
    if (list && selection) {
      const range = document.createRange()
      range.selectNodeContents(list)
      selection.removeAllRanges()
      selection.addRange(range)
    }
    setWholeBody(true)
  }, [])
  const wrapOn = useAppStore((s) => s.wrapLines)
  const { cols, boxRef, probeRef } = useWrapColumns(wrapOn)
  const folds = useMemo(() => normalizeFolds(viewer?.folds ?? new Map<number, number>()), [viewer?.folds])
  const foldSet = viewer?.folds
  const pages = viewer?.pages
  const total = viewer?.total ?? 0
  const visible = visibleRows(total, folds)
  const map = useMemo(
    () =>
      cols > 0 && pages && foldSet
        ? buildWrapMap(visible, total, pages, folds, foldSet, cols)
        : flatMap(visible),
    [cols, pages, foldSet, folds, visible, total],
  )
  const keepTop = useMemo<KeepTop<TopLine>>(
    () => ({
      anchorOf: (offset) => {
        const row = Math.floor(offset)
        const at = map.at(row)
        return { line: lineOfRow(at.visible, folds), within: at.segment + (offset - row) }
      },
      offsetOf: ({ line, within, hit }) => {
        const v = rowOfLine(line, folds)
        const start = map.rowOf(v)
        const span = Math.max(1, map.rowOf(v + 1) - start)
        if (hit) return start + Math.min(span - 1, hitSegment(pages, line, hit, cols))
        return start + (within < span ? within : span - 1 + (within % 1))
      },
    }),
    [map, folds, pages, cols],
  )
  // Depends on `pages` too: when the cache is dropped (indexing finished), what is on screen is asked again.
  const onRange = useCallback(
    (first: number, last: number) => {
      if (last <= first || !pages) return
      const from = lineOfRow(map.at(first).visible, folds)
      const to = lineOfRow(map.at(last - 1).visible, folds) + 1
      void ensureLines(from, to)
    },
    [ensureLines, folds, pages, map],
  )
  if (!viewer) return null
  // A search hit is scrolled to by the row its column is on (in a wrapped line, maybe a later row), and that
  // row is what the list keeps in place when the rows change: Wrap switched or the pane resized keep it in view.
  const hit = currentHit(viewer.search)
  const anchor: TopLine | undefined =
    hit !== undefined && hit.line === viewer.scrollLine
      ? { line: hit.line, within: 0, hit: { query: hit.query, nth: hit.nth } }
      : undefined
  const scrollTarget = {
    seq: viewer.scrollSeq,
    index: anchor ? keepTop.offsetOf(anchor) : map.rowOf(rowOfLine(viewer.scrollLine, folds)),
    ...(anchor ? { anchor } : {}),
  }
  const query = viewer.search?.query.toLowerCase() ?? ''
  const current = viewer.search?.matches[viewer.search.at]?.line ?? -1
  const pretty = viewer.mode === 'pretty'

  const renderRow = (row: number): ReactNode => {
    const at = map.at(row)
    const line = lineOfRow(at.visible, folds)
    const page = viewer.pages.get(Math.floor(line / LINE_PAGE))
    const whole = page?.lines[line % LINE_PAGE]
    const close = page?.closes[line % LINE_PAGE] ?? -1
    const folded = foldSet?.has(line) ?? false
    // A wrapped line's later rows carry no number and no fold button: they continue the row above.
    let part: { from: number; to: number } | null = null
    if (page && whole !== undefined && cols > 0) {
      const breaks = pageLineBreaks(page, line % LINE_PAGE, cols)
      const from = breaks[at.segment] ?? whole.length
      part = { from, to: breaks[at.segment + 1] ?? whole.length }
    }
    const text = whole === undefined || part === null ? whole : whole.slice(part.from, part.to)
    const last = part === null || whole === undefined || part.to >= whole.length
    if (at.segment > 0) {
      return (
        <div className={line === current ? 'line cont current' : 'line cont'} data-wrap="">
          {text === undefined ? null : <Highlighted text={whole ?? ''} query={query} part={part} />}
          {folded && last ? <FoldTail text={whole ?? ''} /> : null}
        </div>
      )
    }
    return (
      <div className={line === current ? 'line current' : 'line'} data-n={line + 1}>
        {pretty ? (
          close > line ? (
            <button
              type="button"
              className="fold"
              aria-label={folded ? `Unfold line ${line + 1}` : `Fold line ${line + 1}`}
              aria-expanded={!folded}
              onClick={() => toggleFold(line)}
            >
              {folded ? '▸' : '▾'}
            </button>
          ) : (
            <span className="fold" />
          )
        ) : null}
        {text === undefined ? (
          <span className="muted">…</span>
        ) : (
          <>
            <Highlighted text={whole ?? ''} query={query} part={part} />
            {folded && last ? <FoldTail text={whole ?? ''} /> : null}
          </>
        )}
      </div>
    )
  }

  return (
    <div
      ref={boxRef}
      className={wrapOn ? 'line-viewer-wrap wrapped' : 'line-viewer-wrap'}
      onKeyDown={onKeyDown}
      onMouseDown={() => setWholeBody(false)}
      onCopy={(e) => {
        if (wholeBody) {
          e.preventDefault()
          void copyBody(viewer.bodyId, viewer.size)
          return
        }
        // Wrapped rows are separate elements: copied as they are, each wrap would become a line break.
        const text = cols > 0 ? wrappedSelectionText(e.currentTarget) : null
        if (text === null) return
        e.preventDefault()
        e.clipboardData.setData('text/plain', text)
      }}
    >
      {/* Measures the font's character cell, for wrapping by width. */}
      <span ref={probeRef} className="line-viewer-probe mono" aria-hidden="true">
        {'0'.repeat(PROBE_CHARS)}
      </span>
      <ScaledList
        className="line-viewer mono"
        label="Response body"
        count={map.rows}
        rowHeight={LINE_HEIGHT}
        renderRow={renderRow}
        onRange={onRange}
        keepTop={keepTop}
        scrollTo={scrollTarget}
      />
    </div>
  )
}

/**
 * The selected text of a wrapped list with line breaks only between body lines (a row that continues a line
 * joins the one before it), or null when nothing in the list is selected.
 */
function wrappedSelectionText(box: HTMLElement): string | null {
  const selection = window.getSelection()
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null
  const range = selection.getRangeAt(0)
  const rows = [...box.querySelectorAll('.line')].filter((r) => range.intersectsNode(r))
  if (rows.length === 0) return null
  let out = ''
  rows.forEach((row, i) => {
    const part = document.createRange()
    part.selectNodeContents(row)
    if (range.compareBoundaryPoints(Range.START_TO_START, part) > 0)
      part.setStart(range.startContainer, range.startOffset)
    if (range.compareBoundaryPoints(Range.END_TO_END, part) < 0)
      part.setEnd(range.endContainer, range.endOffset)
    const fragment = part.cloneContents()
    fragment.querySelectorAll('.fold').forEach((n) => n.remove())
    if (i > 0 && !row.classList.contains('cont')) out += '\n'
    out += fragment.textContent
  })
  return out
}

function FoldTail({ text }: { text: string }) {
  return <span className="folded">{` … ${text.trimEnd().endsWith('[') ? ']' : '}'}`}</span>
}

/**
 * The text (or its part [from, to), one wrapped row) with every case-insensitive occurrence of `query`
 * marked; a match that a wrap cuts is marked on both rows.
 */
function Highlighted({
  text,
  query,
  part,
}: {
  text: string
  query: string
  part: { from: number; to: number } | null
}) {
  const from = part?.from ?? 0
  const to = part?.to ?? text.length
  if (query === '') return <VisibleControls text={text.slice(from, to)} />
  const lower = text.toLowerCase()
  const out: ReactNode[] = []
  let at = from
  for (
    let i = lower.indexOf(query, Math.max(0, from - query.length + 1));
    i !== -1 && i < to && out.length < 200;
    i = lower.indexOf(query, i + query.length)
  ) {
    const s = Math.max(i, from)
    const e = Math.min(i + query.length, to)
    if (s > at) out.push(<VisibleControls key={`t${i}`} text={text.slice(at, s)} />)
    out.push(
      <mark key={i}>
        <VisibleControls text={text.slice(s, e)} />
      </mark>,
    )
    at = e
  }
  out.push(<VisibleControls key="rest" text={text.slice(at, to)} />)
  return <>{out}</>
}
