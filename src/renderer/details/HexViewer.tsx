import { useCallback, type ReactNode } from 'react'
import { useAppStore } from '../store/store-context'
import { hexRow } from './hex'
import { ScaledList } from './ScaledList'
import { HEX_PAGE, HEX_ROW } from './viewer-slice'

/** Offset, 16 bytes in hex and as ASCII per row; bytes are read from the engine a page at a time. */
export function HexViewer() {
  const viewer = useAppStore((s) => s.viewer)
  const ensureHex = useAppStore((s) => s.ensureHex)
  const hex = viewer?.hex
  const onRange = useCallback(
    (first: number, last: number) => {
      if (hex) void ensureHex(first, last)
    },
    [ensureHex, hex],
  )
  if (!viewer) return null
  const rows = Math.ceil(viewer.size / HEX_ROW)
  const renderRow = (row: number): ReactNode => {
    const offset = row * HEX_ROW
    const page = viewer.hex.get(Math.floor(offset / HEX_PAGE))
    const start = offset % HEX_PAGE
    const bytes = page?.subarray(start, start + HEX_ROW)
    return <div className="hex-line">{bytes ? hexRow(offset, bytes) : <span className="muted">…</span>}</div>
  }
  return (
    <ScaledList
      className="hex-viewer mono"
      label="Response body (hex)"
      count={rows}
      rowHeight={16}
      renderRow={renderRow}
      onRange={onRange}
    />
  )
}
