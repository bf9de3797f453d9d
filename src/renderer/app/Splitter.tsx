import { useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react'

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

/** The pane a splitter sizes: the one before it when dragging it away grows the pane, else the one after. */
function paneOf(splitter: HTMLElement | null, sign: 1 | -1): HTMLElement | null {
  const pane = sign === 1 ? splitter?.previousElementSibling : splitter?.nextElementSibling
  return pane instanceof HTMLElement ? pane : null
}

/** The pane's drawn size along the splitter's axis, or null while it is not laid out. */
function drawnSize(pane: HTMLElement, direction: 'row' | 'column'): number | null {
  const px = direction === 'row' ? pane.offsetHeight : pane.offsetWidth
  return px > 0 ? px : null
}

/**
 * A draggable, keyboard-operable separator between two panes. It reports (aria-valuenow) and moves from the size
 * the pane is drawn at, which can differ from the remembered `size`: a CSS minimum (the gRPC composer's) draws it
 * larger, a window too short or narrow for it draws it smaller.
 */
export function Splitter({ direction, label, size, min, max, sign, onResize }: SplitterProps) {
  const drag = useRef<{ from: number; size: number } | null>(null)
  const own = useRef<HTMLDivElement>(null)
  const [drawn, setDrawn] = useState<number | null>(null)
  const axis = (e: PointerEvent) => (direction === 'row' ? e.clientY : e.clientX)
  /** The pane's size as drawn: a drag or key press starts from it, so the splitter moves at once. */
  const shown = (splitter: HTMLElement): number => {
    const pane = paneOf(splitter, sign)
    return (pane && drawnSize(pane, direction)) ?? size
  }

  // Follow the drawn size (a window resize, a pane whose minimum changes with its content) for aria-valuenow.
  useLayoutEffect(() => {
    const pane = paneOf(own.current, sign)
    if (!pane) return
    const update = (): void => setDrawn(drawnSize(pane, direction))
    update()
    if (typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(update)
    observer.observe(pane)
    return () => observer.disconnect()
  }, [direction, sign, size])

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
      ref={own}
      className={`splitter splitter-${direction}`}
      role="separator"
      aria-label={label}
      aria-orientation={direction === 'row' ? 'horizontal' : 'vertical'}
      aria-valuenow={drawn ?? size}
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
