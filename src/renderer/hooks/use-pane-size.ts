import { useCallback, useState } from 'react'

const PREFIX = 'flightdeck.pane.'

function read(key: string): number | null {
  try {
    const v = Number(window.localStorage.getItem(PREFIX + key))
    return Number.isFinite(v) && v > 0 ? v : null
  } catch {
    return null
  }
}

/**
 * A pane size in px, clamped, remembered across launches (DESIGN.md: "panes resizable and remembered"), and
 * whether the person has set it (dragged its splitter, now or before) rather than it being `fallback`.
 */
export function usePaneSize(
  key: string,
  fallback: number,
  min: number,
  max: number,
): [number, (px: number) => void, boolean] {
  const [stored] = useState(() => read(key))
  const [chosen, setChosen] = useState(stored !== null)
  const [size, setSize] = useState(() => Math.min(max, Math.max(min, stored ?? fallback)))
  const update = useCallback(
    (px: number) => {
      const v = Math.round(Math.min(max, Math.max(min, px)))
      setSize(v)
      setChosen(true)
      try {
        window.localStorage.setItem(PREFIX + key, String(v))
      } catch {
        // Storage can be unavailable (private mode, a locked profile): the size still applies this session.
      }
    },
    [key, min, max],
  )
  return [size, update, chosen]
}
