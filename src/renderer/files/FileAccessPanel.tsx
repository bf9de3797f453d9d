import { useEffect, useState } from 'react'
import { useAppStore } from '../store/store-context'

/**
 * The File access setting: folders outside the collections whose files their requests may send. A request
 * typed in an Untitled tab is not limited; this is about files a collection names.
 */
export function FileAccessPanel({ onClose }: { onClose(): void }) {
  const folders = useAppStore((s) => s.allowedFolders)
  const error = useAppStore((s) => s.fileAccessError)
  const load = useAppStore((s) => s.loadAllowedFolders)
  const allow = useAppStore((s) => s.allowFolder)
  const forget = useAppStore((s) => s.forgetFolder)
  const [path, setPath] = useState('')

  useEffect(() => {
    void load()
  }, [load])

  return (
    <div className="file-access" role="group" aria-label="File access">
      <div className="small muted">
        A request from a collection sends body and multipart files from its own folder only. Allow other
        folders here:
      </div>
      <ul className="file-access-list">
        {folders.length === 0 ? <li className="small muted">No other folders allowed.</li> : null}
        {folders.map((f) => (
          <li key={f} className="file-access-item">
            <span className="mono" title={f}>
              {f}
            </span>
            <button
              type="button"
              className="link-button"
              aria-label={`Stop allowing ${f}`}
              onClick={() => void forget(f)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        className="open-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (path.trim() === '') return
          void allow(path).then((ok) => ok && setPath(''))
        }}
      >
        <input
          className="field-input mono"
          aria-label="Folder to allow"
          placeholder="/full/path/to/folder"
          value={path}
          spellCheck={false}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" className="primary-button">
          Allow
        </button>
      </form>
      {error ? (
        <div className="sidebar-error" role="alert">
          {error}
        </div>
      ) : null}
      <button type="button" className="link-button" onClick={onClose}>
        Done
      </button>
    </div>
  )
}
