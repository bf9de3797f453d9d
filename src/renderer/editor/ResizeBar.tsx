import { useRef, type KeyboardEvent, type PointerEvent } from 'react'

interface ResizeBarProps {
  label: string
  size: number
  min: number
  max: number
  onResize(px: number): void
}

/**
 * The visible grip under an editor: drag it (or focus it and press Up/Down, Shift for bigger steps) to change
 * the editor's height. A textarea's corner grip is 10 px and easy to miss; this spans the editor's width.
 */
export function ResizeBar({ label, size, min, max, onResize }: ResizeBarProps) {
  const drag = useRef<{ from: number; size: number } | null>(null)
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId)
    drag.current = { from: e.clientY, size }
  }
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (drag.current) onResize(drag.current.size + e.clientY - drag.current.from)
  }
  const onPointerUp = () => {
    drag.current = null
  }
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 85 : 17
    if (e.key === 'ArrowDown') onResize(size + step)
    else if (e.key === 'ArrowUp') onResize(size - step)
    else return
    e.preventDefault()
  }
  return (
    <div
      className="code-editor-resize"
      role="separator"
      aria-label={label}
      aria-orientation="horizontal"
      aria-valuenow={size}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      title="Drag to resize"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    />
  )
}
