import { useEffect, useId, useState } from 'react'
import { useAppStore } from '../store/store-context'

/** How long typing pauses before the folder is listed. */
const COMPLETE_AFTER_MS = 120

/**
 * A path on the engine's machine for a body file or a file part: completed from the folder it names as it is
 * typed (a relative path is the collection folder's), and in the desktop app chosen with the system dialog.
 */
export function FilePathField({
  label,
  value,
  onChange,
  className = 'kv-input mono',
}: {
  label: string
  value: string
  onChange(path: string): void
  className?: string
}) {
  const complete = useAppStore((s) => s.completeFilePath)
  const pickFile = useAppStore((s) => s.pickFile)
  const canPick = useAppStore((s) => s.info?.capabilities.nativeDialogs === true)
  const [options, setOptions] = useState<string[]>([])
  const listId = useId()

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
        className={className}
        aria-label={label}
        placeholder="/path/to/file — Tab or ↓ completes"
        value={value}
        list={listId}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
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
