import { useRef, type KeyboardEvent, type PointerEvent } from 'react'

interface ResizeBarProps {
  label: string
  size: number
  min: number
  max: number
  /** The height as drawn, when the layout may hold it below `size` (an editor fitted to less room). */
  shown?: () => number
  onResize(px: number): void
}

/**
 * The visible grip under an editor: drag it (or focus it and press Up/Down, Shift for bigger steps) to change
 * the editor's height. A textarea's corner grip is 10 px and easy to miss; this spans the editor's width.
 */
export function ResizeBar({ label, size, min, max, shown, onResize }: ResizeBarProps) {
  // A drag or a key starts from what the person sees, not from a remembered height the room cut down (or the
  // first steps would change nothing on screen).
  const from = (): number => Math.min(size, Math.round(shown?.() ?? size))
  const drag = useRef<{ from: number; size: number } | null>(null)
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId)
    drag.current = { from: e.clientY, size: from() }
  }
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (drag.current) onResize(drag.current.size + e.clientY - drag.current.from)
  }
  const onPointerUp = () => {
    drag.current = null
  }
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 85 : 17
    if (e.key === 'ArrowDown') onResize(from() + step)
    else if (e.key === 'ArrowUp') onResize(from() - step)
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
