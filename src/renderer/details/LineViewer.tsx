import { useCallback, useMemo, useState, type KeyboardEvent, type ReactNode } from 'react'
import { useAppStore } from '../store/store-context'
import { lineOfRow, normalizeFolds, rowOfLine, visibleRows } from './fold-map'
import { ScaledList } from './ScaledList'
import { LINE_PAGE } from './viewer-slice'

const LINE_HEIGHT = 16

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
  const folds = useMemo(() => normalizeFolds(viewer?.folds ?? new Map<number, number>()), [viewer?.folds])
  const foldSet = viewer?.folds
  const pages = viewer?.pages
  // Depends on `pages` too: when the cache is dropped (indexing finished), what is on screen is asked again.
  const onRange = useCallback(
    (first: number, last: number) => {
      if (last <= first || !pages) return
      void ensureLines(lineOfRow(first, folds), lineOfRow(last - 1, folds) + 1)
    },
    [ensureLines, folds, pages],
  )
  if (!viewer) return null
  const rows = visibleRows(viewer.total, folds)
  const query = viewer.search?.query.toLowerCase() ?? ''
  const current = viewer.search?.matches[viewer.search.at]?.line ?? -1
  const pretty = viewer.mode === 'pretty'

  const renderRow = (row: number): ReactNode => {
    const line = lineOfRow(row, folds)
    const page = viewer.pages.get(Math.floor(line / LINE_PAGE))
    const text = page?.lines[line % LINE_PAGE]
    const close = page?.closes[line % LINE_PAGE] ?? -1
    const folded = foldSet?.has(line) ?? false
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
            <Highlighted text={text} query={query} />
            {folded ? (
              <span className="folded">{` … ${text.trimEnd().endsWith('[') ? ']' : '}'}`}</span>
            ) : null}
          </>
        )}
      </div>
    )
  }

  return (
    <div
      className="line-viewer-wrap"
      onKeyDown={onKeyDown}
      onMouseDown={() => setWholeBody(false)}
      onCopy={(e) => {
        if (!wholeBody) return
        e.preventDefault()
        void copyBody(viewer.bodyId, viewer.size)
      }}
    >
      <ScaledList
        className="line-viewer mono"
        label="Response body"
        count={rows}
        rowHeight={LINE_HEIGHT}
        renderRow={renderRow}
        onRange={onRange}
        scrollTo={{ seq: viewer.scrollSeq, index: rowOfLine(viewer.scrollLine, folds) }}
      />
    </div>
  )
}

/** The text with every (case-insensitive) occurrence of `query` marked. */
function Highlighted({ text, query }: { text: string; query: string }) {
  if (query === '') return <>{text}</>
  const lower = text.toLowerCase()
  const out: ReactNode[] = []
  let at = 0
  for (
    let i = lower.indexOf(query);
    i !== -1 && out.length < 200;
    i = lower.indexOf(query, i + query.length)
  ) {
    if (i > at) out.push(text.slice(at, i))
    out.push(<mark key={i}>{text.slice(i, i + query.length)}</mark>)
    at = i + query.length
  }
  out.push(text.slice(at))
  return <>{out}</>
}
