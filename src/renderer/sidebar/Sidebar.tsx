import { useRef, useState, type RefObject } from 'react'
import { useAppStore } from '../store/store-context'
import { CollectionTree } from './CollectionTree'
import { twinFolders } from './collection-twins'
import { ImportPanel, ImportReportView } from './ImportPanel'
import { FileAccessPanel } from '../files/FileAccessPanel'

/** Collections on the left: open or create a folder, search, and one tree per open collection. */
export function Sidebar() {
  const collections = useAppStore((s) => s.collections)
  const twins = twinFolders(collections)
  const query = useAppStore((s) => s.sidebarQuery)
  const setQuery = useAppStore((s) => s.setSidebarQuery)
  const error = useAppStore((s) => s.collectionError)
  const [opening, setOpening] = useState(false)
  const [importing, setImporting] = useState(false)
  const [files, setFiles] = useState(false)
  const folderField = useRef<HTMLInputElement>(null)
  const importButton = useRef<HTMLButtonElement>(null)
  const listed = useAppStore((s) => s.collectionsListed)
  // Before the host says what is open, nothing is known to be missing: no empty state yet (see collectionsListed).
  const none = listed && collections.length === 0

  return (
    <aside className="sidebar" aria-label="Collections">
      <div className="sidebar-head">
        <span className="sidebar-title">Collections</span>
        <span className="spacer" />
        <button
          type="button"
          className="link-button"
          title="Folders outside the collections whose files their requests may send"
          onClick={() => setFiles((o) => !o)}
          aria-expanded={files}
        >
          Files…
        </button>
        <button
          type="button"
          className="link-button"
          ref={importButton}
          onClick={() => setImporting((o) => !o)}
          aria-expanded={importing}
        >
          Import…
        </button>
        <button
          type="button"
          className="link-button"
          // With no collection the folder field is already there: Open… takes the person to it.
          onClick={() => (none ? folderField.current?.focus() : setOpening((o) => !o))}
          aria-expanded={opening || none}
        >
          {opening && !none ? 'Cancel' : 'Open…'}
        </button>
      </div>
      {files ? <FileAccessPanel onClose={() => setFiles(false)} /> : null}
      {importing ? (
        <ImportPanel
          onClose={(cancelled) => {
            setImporting(false)
            // Cancelled (Esc or Cancel): back where it was opened; imported: on what came in.
            if (cancelled) importButton.current?.focus()
            else keepFocus()
          }}
        />
      ) : null}
      <ImportReportView />
      {opening || none ? (
        <OpenCollection
          field={folderField}
          onDone={() => {
            setOpening(false)
            keepFocus()
          }}
        />
      ) : null}
      {!listed && !opening ? (
        <p className="small muted sidebar-empty" role="status">
          Asking the host for the open collections…
        </p>
      ) : null}
      {none ? (
        <p className="small muted sidebar-empty">
          No collection open. A collection is a folder of request files: type one above (a new one is made
          there), or <strong>Import…</strong> a Postman, Insomnia, OpenAPI or HAR file. Requests sent without
          one stay on the timeline.
        </p>
      ) : null}
      {collections.length > 0 ? (
        <input
          className="field-input sidebar-search"
          type="search"
          aria-label="Search requests"
          // The finder's key, where a Postman or Insomnia user looks for it (Cmd+K works as well on a Mac).
          placeholder="Search requests (Ctrl+K)"
          title="Filters the tree below; Ctrl/Cmd+K finds a request in every open collection and opens it"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      ) : null}
      {error ? (
        <div className="sidebar-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="sidebar-trees">
        {collections.map((c) => (
          <CollectionTree key={c.dir} collection={c} twinFolder={twins.get(c.dir)} />
        ))}
      </div>
    </aside>
  )
}

/**
 * A form that closes (Open, Import) takes the focused button with it: the focus goes to the active collection's
 * name, the one just opened or imported, where the keyboard carries on into its tree.
 */
function keepFocus(): void {
  requestAnimationFrame(() => {
    const now = document.activeElement
    if (now !== null && now !== document.body && now.isConnected) return
    document.querySelector<HTMLElement>('.sidebar .collection.active .collection-name')?.focus()
  })
}

function OpenCollection({ field, onDone }: { field: RefObject<HTMLInputElement | null>; onDone(): void }) {
  const recent = useAppStore((s) => s.recentCollections)
  const openDirs = useAppStore((s) => s.collections.map((c) => c.dir).join('\n'))
  const canPick = useAppStore((s) => s.canPickFolder)
  const open = useAppStore((s) => s.openCollection)
  const pick = useAppStore((s) => s.pickCollection)
  const [path, setPath] = useState('')
  const [create, setCreate] = useState(true)
  const closedRecent = recent.filter((d) => !openDirs.split('\n').includes(d))

  return (
    <div className="open-collection">
      {canPick ? (
        <button type="button" className="secondary-button" onClick={() => void pick().then(onDone)}>
          Choose a folder…
        </button>
      ) : null}
      <form
        className="open-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (path.trim() === '') return
          void open(path.trim(), create).then((ok) => {
            if (ok) {
              setPath('')
              onDone()
            }
          })
        }}
      >
        <input
          ref={field}
          className="field-input mono"
          aria-label="Collection folder"
          placeholder="/path/to/folder"
          value={path}
          spellCheck={false}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" className="primary-button">
          Open
        </button>
      </form>
      <label className="small muted open-create">
        <input type="checkbox" checked={create} onChange={(e) => setCreate(e.target.checked)} /> Create a new
        collection there if it has none
      </label>
      {closedRecent.length > 0 ? (
        <div className="recent">
          <div className="small muted">Recent</div>
          {closedRecent.map((d) => (
            <button
              key={d}
              type="button"
              className="recent-item mono"
              title={d}
              onClick={() => void open(d, false).then((ok) => ok && onDone())}
            >
              {d}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  )
}
