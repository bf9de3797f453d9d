import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react'

/**
 * The HAR menu's note (what an import or export did), on a line of its own under the toolbar's controls: beside
 * them it had room for "Imported …" only, at 1024 px. A note longer than the line is cut with an ellipsis; a
 * click (or Enter) on it opens the whole note below, wrapped and selectable, until Esc, a second click or a
 * click elsewhere. A new note comes closed (HarMenu keys it by its text); × puts the note away.
 */
export function HarNote({ text, error, onDismiss }: { text: string; error: boolean; onDismiss: () => void }) {
  const [open, setOpen] = useState(false)
  const wrapRef = useRef<HTMLSpanElement>(null)
  const fullRef = useRef<HTMLDivElement>(null)
  const fullId = useId()

  // Under the note, left-aligned with it, and kept inside the toolbar's width: the toolbar clips what leaves it.
  useLayoutEffect(() => {
    const full = fullRef.current
    if (!open || !full) return
    const bar = (wrapRef.current?.closest('.tl-toolbar') ?? document.body).getBoundingClientRect()
    full.style.maxWidth = `${Math.max(160, Math.min(520, bar.width - 12))}px`
    full.style.left = '0px'
    const over = full.getBoundingClientRect().right - (bar.right - 6)
    if (over > 0) full.style.left = `${-over}px`
  }, [open, text])

  useEffect(() => {
    if (!open) return
    const away = (e: MouseEvent) => {
      if (!wrapRef.current?.contains(e.target as Node)) setOpen(false)
    }
    // Esc closes it wherever the focus is (a selection in the note leaves it on the page).
    const esc = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false)
    }
    document.addEventListener('mousedown', away)
    document.addEventListener('keydown', esc)
    return () => {
      document.removeEventListener('mousedown', away)
      document.removeEventListener('keydown', esc)
    }
  }, [open])

  return (
    <span
      ref={wrapRef}
      className="har-note-wrap"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation()
          setOpen(false)
        }
      }}
    >
      <span role="status" className="har-note-status">
        <button
          type="button"
          className={error ? 'har-note error' : 'har-note'}
          title={open ? undefined : text}
          aria-expanded={open}
          aria-controls={open ? fullId : undefined}
          onClick={() => setOpen((o) => !o)}
        >
          {text}
        </button>
      </span>
      <button type="button" className="har-note-dismiss" aria-label="Dismiss the note" onClick={onDismiss}>
        ×
      </button>
      {open ? (
        <div
          ref={fullRef}
          id={fullId}
          className={error ? 'har-note-full error' : 'har-note-full'}
          data-testid="har-note-full"
        >
          {text}
        </div>
      ) : null}
    </span>
  )
}
