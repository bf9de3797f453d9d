import { useEffect, useRef, useState } from 'react'
import { IMPORT_FORMATS, type ImportFormat } from '../../shared/collection-schemas'
import { looksLikeCurl } from '../../shared/draft-schemas'
import { useAppStore } from '../store/store-context'

/**
 * Import into a collection: paste a curl command (or a whole export), or give the path of an exported file.
 * Whatever could not be mapped is listed afterwards.
 */
export function ImportPanel({ onClose }: { onClose(cancelled?: boolean): void }) {
  const activeDir = useAppStore((s) => s.activeDir)
  const run = useAppStore((s) => s.runImport)
  const importing = useAppStore((s) => s.importing)
  const [source, setSource] = useState('')
  const [isPath, setIsPath] = useState(false)
  const [format, setFormat] = useState<ImportFormat>('auto')
  const pasteCurl = useAppStore((s) => s.pasteCurl)
  const [into, setInto] = useState(activeDir ?? '')
  // A curl command needs no collection: with no folder given it opens in a new Untitled tab.
  const toNewTab = !isPath && into.trim() === '' && looksLikeCurl(source)
  // Opened from Import…: the focus goes to the box, ready for a paste.
  const first = useRef<HTMLTextAreaElement>(null)
  useEffect(() => first.current?.focus(), [])

  return (
    <form
      className="import-panel"
      aria-label="Import"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return
        // Not the window's Esc too (that cancels the selected request).
        e.preventDefault()
        onClose(true)
      }}
      onSubmit={(e) => {
        e.preventDefault()
        if (toNewTab) {
          void pasteCurl(source, 'new-tab').then((ok) => ok && onClose())
          return
        }
        if (source.trim() === '' || into.trim() === '') return
        void run(isPath ? source.trim() : source, isPath, format, into.trim()).then((ok) => ok && onClose())
      }}
    >
      <div className="segmented" role="group" aria-label="Import from">
        <button
          type="button"
          className={`segment${!isPath ? ' active' : ''}`}
          aria-pressed={!isPath}
          onClick={() => setIsPath(false)}
        >
          Paste
        </button>
        <button
          type="button"
          className={`segment${isPath ? ' active' : ''}`}
          aria-pressed={isPath}
          onClick={() => setIsPath(true)}
        >
          File path
        </button>
      </div>
      {isPath ? (
        <input
          className="field-input mono"
          aria-label="File to import"
          placeholder="/path/to/export.json"
          value={source}
          onChange={(e) => setSource(e.target.value)}
        />
      ) : (
        <textarea
          ref={first}
          className="code-area mono import-text"
          aria-label="Text to import"
          placeholder="curl 'https://api.example.com/…' -H 'Accept: application/json'"
          value={source}
          spellCheck={false}
          onChange={(e) => setSource(e.target.value)}
        />
      )}
      <label className="small muted">
        Format{' '}
        <select
          className="field-input"
          aria-label="Import format"
          value={format}
          onChange={(e) => setFormat(e.target.value as ImportFormat)}
        >
          {IMPORT_FORMATS.map((f) => (
            <option key={f} value={f}>
              {f === 'auto' ? 'detect' : f}
            </option>
          ))}
        </select>
      </label>
      {/* Named on screen, as Format is: once filled, the placeholder that said what the box is has gone. */}
      <label className="small muted">
        Into folder{' '}
        <input
          className="field-input mono"
          aria-label="Import into folder"
          placeholder={
            isPath
              ? 'collection folder (created if new)'
              : 'collection folder (empty: a curl opens in a new tab)'
          }
          value={into}
          onChange={(e) => setInto(e.target.value)}
        />
      </label>
      <div className="import-actions">
        <button type="button" className="link-button" onClick={() => onClose(true)}>
          Cancel
        </button>
        <button type="submit" className="primary-button" disabled={importing}>
          {importing ? 'Importing…' : toNewTab ? 'Open in a new tab' : 'Import'}
        </button>
      </div>
    </form>
  )
}

export { ImportReportView } from './ImportReport'
