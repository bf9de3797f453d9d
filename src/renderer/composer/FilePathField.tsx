import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react'
import { useAppStore } from '../store/store-context'

/** How long typing pauses before the folder is listed. */
const COMPLETE_AFTER_MS = 120

/**
 * Scroll a box that is not being edited to its text's end, so a long path shows its file name, not its first
 * folders (a `direction: rtl` box would do it in CSS, but reorders the path's punctuation).
 */
function showEnd(input: HTMLInputElement | null): void {
  if (input && input.ownerDocument.activeElement !== input) input.scrollLeft = input.scrollWidth
}

/**
 * A path on the engine's machine for a body file or a file part: completed from the folder it names as it is
 * typed (a relative path is the collection folder's), and in the desktop app chosen with the system dialog.
 * Out of focus, a path too long for the box shows its end (the file name), and the whole path on hover.
 */
export function FilePathField({
  label,
  value,
  onChange,
  className = 'kv-input mono',
  placeholder = '/path/to/file — Tab or ↓ completes',
  missing = false,
}: {
  label: string
  value: string
  onChange(path: string): void
  className?: string
  placeholder?: string
  /** The path is needed and not there (a recorded part's file): marked, for the eye and for assistive tech. */
  missing?: boolean
}) {
  const complete = useAppStore((s) => s.completeFilePath)
  const pickFile = useAppStore((s) => s.pickFile)
  const canPick = useAppStore((s) => s.info?.capabilities.nativeDialogs === true)
  const [options, setOptions] = useState<string[]>([])
  const listId = useId()
  const inputRef = useRef<HTMLInputElement>(null)

  // After each change and whenever the box is resized (its column, the window), out of focus.
  useLayoutEffect(() => showEnd(inputRef.current), [value])
  useEffect(() => {
    const input = inputRef.current
    if (!input || typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(() => showEnd(input))
    observer.observe(input)
    return () => observer.disconnect()
  }, [])

  useEffect(() => {
    let live = true
    const timer = setTimeout(() => {
      void complete(value).then((entries) => {
        if (live) setOptions(entries)
      })
    }, COMPLETE_AFTER_MS)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [complete, value])

  return (
    <span className="file-path-field">
      <input
        ref={inputRef}
        className={missing ? `${className} path-missing` : className}
        aria-label={label}
        aria-invalid={missing || undefined}
        title={value === '' ? undefined : value}
        placeholder={placeholder}
        value={value}
        list={listId}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
        // The browser puts a box back at its start as it loses focus: scroll to the end once that is done.
        onBlur={(e) => {
          const input = e.currentTarget
          requestAnimationFrame(() => showEnd(input))
        }}
      />
      <datalist id={listId}>
        {options.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
      {canPick ? (
        <button
          type="button"
          className="secondary-button small"
          onClick={() =>
            void pickFile().then((path) => {
              if (path !== null) onChange(path)
            })
          }
        >
          Choose…
        </button>
      ) : null}
    </span>
  )
}
