import { useCallback, useState } from 'react'

const PREFIX = 'flightdeck.pane.'

function read(key: string, fallback: number): number {
  try {
    const v = Number(window.localStorage.getItem(PREFIX + key))
    return Number.isFinite(v) && v > 0 ? v : fallback
  } catch {
    return fallback
  }
}

/** A pane size in px, clamped, remembered across launches (DESIGN.md: "panes resizable and remembered"). */
export function usePaneSize(
  key: string,
  fallback: number,
  min: number,
  max: number,
): [number, (px: number) => void] {
  const [size, setSize] = useState(() => Math.min(max, Math.max(min, read(key, fallback))))
  const update = useCallback(
    (px: number) => {
      const v = Math.round(Math.min(max, Math.max(min, px)))
      setSize(v)
      try {
        window.localStorage.setItem(PREFIX + key, String(v))
      } catch {
        // Storage can be unavailable (private mode, a locked profile): the size still applies this session.
      }
    },
    [key, min, max],
  )
  return [size, update]
}
