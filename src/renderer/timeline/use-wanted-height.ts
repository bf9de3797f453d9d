import { useLayoutEffect, useRef, type RefObject } from 'react'
import { HEADER_HEIGHT, ROW_HEIGHT } from './waterfall-paint'

/** Rows the timeline keeps room for even with fewer: its empty note, and the next few sends. */
const MIN_ROWS = 4
/** Past this many rows the timeline wants more than any window's height: nothing to update any more. */
const ROWS_CAP = 60
/** A horizontal scrollbar under the rows, when the columns are wider than the panel. */
const SLACK = 4

/** The height wanted for a toolbar of `toolbar` px over `rows` rows, as a CSS length. */
function wantedPx(toolbar: number, rows: number): string {
  return `${Math.ceil(toolbar + HEADER_HEIGHT + Math.max(rows, MIN_ROWS) * ROW_HEIGHT + SLACK)}px`
}

/**
 * The height the timeline's rows need (its toolbar, header and rows, at least MIN_ROWS), set on the workspace as
 * `--tl-wanted` so that the details pane below can take the room empty rows would have (App.tsx). Updated as the
 * rows come, never past ROWS_CAP rows, so a burst of requests does not lay the page out again for each.
 *
 * The toolbar's height (it wraps as the panel narrows) is taken from a ResizeObserver, which reports it after
 * the frame's layout and before its paint; reading it in the commit instead forced a layout of everything the
 * commit changed (9-11 ms for the first rows of a burst onto an empty timeline).
 */
export function useWantedHeight(section: RefObject<HTMLElement | null>, rows: number): void {
  const capped = Math.min(rows, ROWS_CAP)
  /** The toolbar's last reported height (null until the first report), the rows last seen, the value written. */
  const wanted = useRef<{ toolbar: number | null; rows: number; written: string }>({
    toolbar: null,
    rows: capped,
    written: '',
  })

  useLayoutEffect(() => {
    const state = wanted.current
    state.rows = capped
    if (state.toolbar === null) return
    write(section.current, state)
  }, [section, capped])

  useLayoutEffect(() => {
    const toolbar = section.current?.firstElementChild
    if (!(toolbar instanceof HTMLElement)) return
    const observer = new ResizeObserver((entries) => {
      const entry = entries.at(-1)
      if (!entry) return
      const state = wanted.current
      // Layout is current while the observer reports: offsetHeight here costs nothing.
      state.toolbar = entry.borderBoxSize[0]?.blockSize ?? toolbar.offsetHeight
      write(section.current, state)
    })
    observer.observe(toolbar, { box: 'border-box' })
    return () => observer.disconnect()
  }, [section])
}

function write(
  section: HTMLElement | null,
  state: { toolbar: number | null; rows: number; written: string },
) {
  const workspace = section?.parentElement
  if (!workspace || state.toolbar === null) return
  const px = wantedPx(state.toolbar, state.rows)
  if (px === state.written) return
  state.written = px
  workspace.style.setProperty('--tl-wanted', px)
}
