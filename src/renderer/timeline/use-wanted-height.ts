import { useLayoutEffect, useRef, type RefObject } from 'react'
import { HEADER_HEIGHT, ROW_HEIGHT } from './waterfall-paint'

/** Rows the timeline keeps room for even with fewer: its empty note, and the next few sends. */
const MIN_ROWS = 4
/** Past this many rows the timeline wants more than any window's height: nothing to update any more. */
const ROWS_CAP = 60
/** A horizontal scrollbar under the rows, when the columns are wider than the panel. */
const SLACK = 4

/**
 * The height the timeline's rows need (its toolbar, header and rows, at least MIN_ROWS), set on the workspace as
 * `--tl-wanted` so that the details pane below can take the room empty rows would have (App.tsx). Measured as the
 * rows come and as the width changes (the toolbar wraps), never past ROWS_CAP rows, so a burst of requests does
 * not lay the page out again for each.
 */
export function useWantedHeight(section: RefObject<HTMLElement | null>, rows: number, width: number): void {
  const capped = Math.min(rows, ROWS_CAP)
  const last = useRef('')
  useLayoutEffect(() => {
    const el = section.current
    const workspace = el?.parentElement
    if (!el || !workspace) return
    const toolbar = el.firstElementChild instanceof HTMLElement ? el.firstElementChild.offsetHeight : 0
    const px = `${Math.ceil(toolbar + HEADER_HEIGHT + Math.max(capped, MIN_ROWS) * ROW_HEIGHT + SLACK)}px`
    if (px === last.current) return
    last.current = px
    workspace.style.setProperty('--tl-wanted', px)
  }, [section, capped, width])
}
