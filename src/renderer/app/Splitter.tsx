import { useRef, type KeyboardEvent, type PointerEvent } from 'react'

interface SplitterProps {
  /** 'row' splits panes stacked top/bottom (drag vertically); 'column' splits side by side. */
  direction: 'row' | 'column'
  label: string
  size: number
  min: number
  max: number
  /** Positive when dragging grows the pane (down / right); -1 when the pane sits after the splitter. */
  sign: 1 | -1
  onResize(px: number): void
}

/** A draggable, keyboard-operable separator between two panes. */
export function Splitter({ direction, label, size, min, max, sign, onResize }: SplitterProps) {
  const drag = useRef<{ from: number; size: number } | null>(null)
  const axis = (e: PointerEvent) => (direction === 'row' ? e.clientY : e.clientX)
  /**
   * The pane's size as drawn, which a CSS minimum (the gRPC composer's) can make larger than `size`: a drag or
   * key press starts from it, so the splitter moves at once instead of through a dead zone.
   */
  const shown = (splitter: HTMLElement): number => {
    const pane = sign === 1 ? splitter.previousElementSibling : splitter.nextElementSibling
    if (!(pane instanceof HTMLElement)) return size
    const drawn = direction === 'row' ? pane.offsetHeight : pane.offsetWidth
    return drawn > 0 ? drawn : size
  }

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId)
    drag.current = { from: axis(e), size: shown(e.currentTarget) }
  }
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag.current) return
    onResize(drag.current.size + sign * (axis(e) - drag.current.from))
  }
  const onPointerUp = () => {
    drag.current = null
  }
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const grow = direction === 'row' ? ['ArrowDown', 'ArrowUp'] : ['ArrowRight', 'ArrowLeft']
    const step = e.shiftKey ? 50 : 10
    const from = shown(e.currentTarget)
    if (e.key === grow[0]) onResize(from + sign * step)
    else if (e.key === grow[1]) onResize(from - sign * step)
    else return
    e.preventDefault()
  }

  return (
    <div
      className={`splitter splitter-${direction}`}
      role="separator"
      aria-label={label}
      aria-orientation={direction === 'row' ? 'horizontal' : 'vertical'}
      aria-valuenow={size}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    />
  )
}
