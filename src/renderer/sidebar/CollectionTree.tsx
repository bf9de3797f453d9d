import { useState, type DragEvent, type ReactNode } from 'react'
import type { CollectionInfo, FolderNode, RequestNode } from '../../shared/collection'
import { FolderSettingsDialog } from '../environments/FolderSettingsDialog'
import { useAppStore } from '../store/store-context'
import { ExportDialog } from './ExportDialog'
import { countRequests, filterTree } from './tree-filter'

/** One open collection: its folders and requests, with create, rename, duplicate, move (drag) and delete. */

type Editing =
  | { mode: 'rename'; path: string; name: string }
  | { mode: 'new-request' | 'new-folder'; path: string; name: string }
  | null

const DRAG_TYPE = 'application/x-flightdeck-node'
const BIG_COLLECTION = 300

function folderPaths(root: FolderNode): Set<string> {
  const out = new Set<string>()
  const walk = (f: FolderNode, depth: number): void => {
    for (const c of f.children) {
      if (c.type === 'folder' && depth < 64) {
        out.add(c.path)
        walk(c, depth + 1)
      }
    }
  }
  walk(root, 0)
  return out
}

interface TreeProps {
  collection: CollectionInfo
}

export function CollectionTree({ collection }: TreeProps) {
  const query = useAppStore((s) => s.sidebarQuery)
  const activeDir = useAppStore((s) => s.activeDir)
  const setActiveDir = useAppStore((s) => s.setActiveDir)
  const closeCollection = useAppStore((s) => s.closeCollection)
  const [exporting, setExporting] = useState(false)
  // A big collection opens with its folders closed, so thousands of rows are not drawn at once.
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() =>
    collection.requestCount > BIG_COLLECTION ? folderPaths(collection.root) : new Set(),
  )
  const [editing, setEditing] = useState<Editing>(null)
  const [collapsedRoot, setCollapsedRoot] = useState(false)
  const root = filterTree(collection.root, query)
  const searching = query.trim() !== ''
  const ctx: RowContext = {
    dir: collection.dir,
    collection,
    collapsed: searching ? new Set() : collapsed,
    toggle: (path) =>
      setCollapsed((c) => {
        const next = new Set(c)
        if (next.has(path)) next.delete(path)
        else next.add(path)
        return next
      }),
    editing,
    setEditing,
  }

  return (
    <section
      className={`collection${activeDir === collection.dir ? ' active' : ''}`}
      aria-label={collection.name}
    >
      <DropTarget ctx={ctx} folder="" className="collection-head">
        <button
          type="button"
          className="icon-button twisty"
          aria-label={collapsedRoot ? `Expand ${collection.name}` : `Collapse ${collection.name}`}
          onClick={() => setCollapsedRoot((c) => !c)}
        >
          {collapsedRoot ? '▸' : '▾'}
        </button>
        <button
          type="button"
          className="collection-name"
          title={collection.dir}
          onClick={() => setActiveDir(collection.dir)}
        >
          {collection.name}
        </button>
        <span className="muted small num">{collection.requestCount}</span>
        <span className="spacer" />
        <RowActions ctx={ctx} folder={collection.root} label={collection.name} isRoot />
        <button
          type="button"
          className="icon-button row-action"
          aria-label={`Export ${collection.name}`}
          title="Export to Postman, Insomnia or Bruno (secrets are left out)"
          aria-expanded={exporting}
          onClick={() => setExporting((x) => !x)}
        >
          ⇪
        </button>
        <button
          type="button"
          className="icon-button row-action"
          aria-label={`Close collection ${collection.name}`}
          title="Close (the folder stays on disk)"
          onClick={() => void closeCollection(collection.dir)}
        >
          ×
        </button>
      </DropTarget>
      {exporting ? <ExportDialog collection={collection} onClose={() => setExporting(false)} /> : null}
      {collection.problems.length > 0 ? (
        <ul className="problems" aria-label={`Problems in ${collection.name}`}>
          {collection.problems.map((p) => (
            <li key={`${p.path}:${p.line}`} className="problem" title={p.message}>
              ⚠ <span className="mono">{p.path}</span>
              {p.line > 0 ? <span className="mono">:{p.line}</span> : null} — {p.message}
            </li>
          ))}
        </ul>
      ) : null}
      {!collapsedRoot ? (
        <div role="tree" aria-label={`${collection.name} requests`} className="tree">
          {editing && editing.mode !== 'rename' && editing.path === '' ? (
            <NameInput ctx={ctx} depth={0} />
          ) : null}
          {root ? (
            <Children ctx={ctx} folder={root} depth={0} />
          ) : searching ? (
            <p className="muted small tree-empty">No matches</p>
          ) : null}
          {root && root.children.length === 0 && !searching ? (
            <p className="muted small tree-empty">No requests yet: use + to add one.</p>
          ) : null}
        </div>
      ) : null}
    </section>
  )
}

interface RowContext {
  dir: string
  collection: CollectionInfo
  collapsed: ReadonlySet<string>
  toggle(path: string): void
  editing: Editing
  setEditing(e: Editing): void
}

function Children({ ctx, folder, depth }: { ctx: RowContext; folder: FolderNode; depth: number }) {
  return (
    <>
      {folder.children.map((c) =>
        c.type === 'folder' ? (
          <FolderRow key={c.path} ctx={ctx} folder={c} depth={depth} />
        ) : (
          <RequestRow key={c.path} ctx={ctx} node={c} depth={depth} />
        ),
      )}
    </>
  )
}

function FolderRow({ ctx, folder, depth }: { ctx: RowContext; folder: FolderNode; depth: number }) {
  const open = !ctx.collapsed.has(folder.path)
  const renaming = ctx.editing?.mode === 'rename' && ctx.editing.path === folder.path
  return (
    <>
      <DropTarget ctx={ctx} folder={folder.path} className="tree-row folder-row">
        <div
          role="treeitem"
          aria-level={depth + 1}
          aria-expanded={open}
          aria-label={folder.name}
          className="tree-item"
          style={{ paddingLeft: 6 + depth * 14 }}
          draggable
          onDragStart={(e) => startDrag(e, ctx.dir, folder.path)}
          onClick={() => ctx.toggle(folder.path)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ' ') ctx.toggle(folder.path)
            if (e.key === 'F2') ctx.setEditing({ mode: 'rename', path: folder.path, name: folder.name })
          }}
          tabIndex={0}
        >
          <span className="twisty-glyph" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          {renaming ? (
            <NameInput ctx={ctx} depth={-1} />
          ) : (
            <>
              <span className="folder-name">{folder.name}</span>
              {!open ? <span className="muted small num"> {countRequests(folder)}</span> : null}
            </>
          )}
        </div>
        {!renaming ? <RowActions ctx={ctx} folder={folder} label={folder.name} /> : null}
      </DropTarget>
      {open ? (
        <>
          {ctx.editing && ctx.editing.mode !== 'rename' && ctx.editing.path === folder.path ? (
            <NameInput ctx={ctx} depth={depth + 1} />
          ) : null}
          <Children ctx={ctx} folder={folder} depth={depth + 1} />
        </>
      ) : null}
    </>
  )
}

function RequestRow({ ctx, node, depth }: { ctx: RowContext; node: RequestNode; depth: number }) {
  const openRequest = useAppStore((s) => s.openRequest)
  const duplicate = useAppStore((s) => s.duplicateNode)
  const active = useAppStore((s) => {
    const tab = s.tabs.find((t) => t.id === s.activeTabId)
    return tab?.dir === ctx.dir && tab.path === node.path
  })
  const renaming = ctx.editing?.mode === 'rename' && ctx.editing.path === node.path
  const kind = node.kind === 'http' ? node.method : node.kind.toUpperCase()
  return (
    <div className={`tree-row request-row${active ? ' selected' : ''}`}>
      <div
        role="treeitem"
        aria-level={depth + 1}
        aria-selected={active}
        aria-label={node.name}
        className="tree-item"
        style={{ paddingLeft: 20 + depth * 14 }}
        title={`${node.path}\n${node.url}`}
        draggable
        tabIndex={0}
        onDragStart={(e) => startDrag(e, ctx.dir, node.path)}
        onClick={() => void openRequest(ctx.dir, node.path)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void openRequest(ctx.dir, node.path)
          if (e.key === 'F2') ctx.setEditing({ mode: 'rename', path: node.path, name: node.name })
        }}
      >
        <span className={`tree-method method-${node.method.toLowerCase()}`}>{kind}</span>
        {renaming ? <NameInput ctx={ctx} depth={-1} /> : <span className="request-name">{node.name}</span>}
      </div>
      {!renaming ? (
        <span className="row-actions">
          <button
            type="button"
            className="icon-button row-action"
            aria-label={`Rename ${node.name}`}
            title="Rename (F2)"
            onClick={() => ctx.setEditing({ mode: 'rename', path: node.path, name: node.name })}
          >
            ✎
          </button>
          <button
            type="button"
            className="icon-button row-action"
            aria-label={`Duplicate ${node.name}`}
            title="Duplicate"
            onClick={() => void duplicate(ctx.dir, node.path)}
          >
            ❏
          </button>
          <DeleteButton dir={ctx.dir} path={node.path} label={node.name} />
        </span>
      ) : null}
    </div>
  )
}

function RowActions({
  ctx,
  folder,
  label,
  isRoot,
}: {
  ctx: RowContext
  folder: FolderNode
  label: string
  isRoot?: boolean
}) {
  const folderPath = folder.path
  const [settings, setSettings] = useState(false)
  const openRunner = useAppStore((s) => s.openRunner)
  return (
    <span className="row-actions">
      <button
        type="button"
        className="icon-button row-action"
        aria-label={`Run ${label}`}
        title="Run: every request here, with concurrency, iterations and a data file"
        onClick={(e) => {
          e.stopPropagation()
          openRunner(ctx.dir, folderPath, label)
        }}
      >
        ▶
      </button>
      <button
        type="button"
        className="icon-button row-action"
        aria-label={`Settings of ${label}`}
        title={isRoot ? 'Collection variables and auth' : 'Folder variables and auth'}
        onClick={() => setSettings(true)}
      >
        ⚙
      </button>
      {settings ? (
        <FolderSettingsDialog
          collection={ctx.collection}
          folder={folder}
          onClose={() => setSettings(false)}
        />
      ) : null}
      <button
        type="button"
        className="icon-button row-action"
        aria-label={`New request in ${label}`}
        title="New request"
        onClick={() => ctx.setEditing({ mode: 'new-request', path: folderPath, name: '' })}
      >
        +
      </button>
      <button
        type="button"
        className="icon-button row-action"
        aria-label={`New folder in ${label}`}
        title="New folder"
        onClick={() => ctx.setEditing({ mode: 'new-folder', path: folderPath, name: '' })}
      >
        ⊞
      </button>
      {!isRoot ? (
        <>
          <button
            type="button"
            className="icon-button row-action"
            aria-label={`Rename ${label}`}
            title="Rename (F2)"
            onClick={() => ctx.setEditing({ mode: 'rename', path: folderPath, name: label })}
          >
            ✎
          </button>
          <DeleteButton dir={ctx.dir} path={folderPath} label={label} />
        </>
      ) : null}
    </span>
  )
}

function DeleteButton({ dir, path, label }: { dir: string; path: string; label: string }) {
  const del = useAppStore((s) => s.deleteNode)
  const [confirming, setConfirming] = useState(false)
  if (confirming) {
    return (
      <span className="confirm-delete" role="group" aria-label={`Delete ${label}?`}>
        <button type="button" className="danger-button" onClick={() => void del(dir, path)}>
          Delete
        </button>
        <button type="button" className="link-button" onClick={() => setConfirming(false)}>
          Keep
        </button>
      </span>
    )
  }
  return (
    <button
      type="button"
      className="icon-button row-action"
      aria-label={`Delete ${label}`}
      title="Delete (asks first)"
      onClick={() => setConfirming(true)}
    >
      ⌫
    </button>
  )
}

/** The inline name field for a new request or folder, or a rename. Enter commits, Esc cancels. */
function NameInput({ ctx, depth }: { ctx: RowContext; depth: number }) {
  const createRequest = useAppStore((s) => s.createRequestIn)
  const createFolder = useAppStore((s) => s.createFolderIn)
  const rename = useAppStore((s) => s.renameNode)
  const editing = ctx.editing
  if (!editing) return null
  const label =
    editing.mode === 'rename'
      ? `New name for ${editing.name}`
      : editing.mode === 'new-folder'
        ? 'New folder name'
        : 'New request name'
  const commit = (value: string): void => {
    const name = value.trim()
    ctx.setEditing(null)
    if (name === '' || (editing.mode === 'rename' && name === editing.name)) return
    if (editing.mode === 'rename') void rename(ctx.dir, editing.path, name)
    else if (editing.mode === 'new-folder') void createFolder(ctx.dir, editing.path, name)
    else void createRequest(ctx.dir, editing.path, name)
  }
  return (
    <form
      className="name-input-row"
      style={depth >= 0 ? { paddingLeft: 20 + depth * 14 } : undefined}
      onSubmit={(e) => {
        e.preventDefault()
        const input = e.currentTarget.elements.namedItem('name')
        if (input instanceof HTMLInputElement) commit(input.value)
      }}
      onClick={(e) => e.stopPropagation()}
    >
      <input
        name="name"
        className="field-input name-input"
        aria-label={label}
        defaultValue={editing.mode === 'rename' ? editing.name : ''}
        placeholder={editing.mode === 'new-folder' ? 'Folder name' : 'Request name'}
        autoFocus
        onKeyDown={(e) => {
          e.stopPropagation()
          if (e.key === 'Escape') ctx.setEditing(null)
        }}
        onBlur={(e) => commit(e.currentTarget.value)}
      />
    </form>
  )
}

function startDrag(e: DragEvent, dir: string, path: string): void {
  e.dataTransfer.setData(DRAG_TYPE, JSON.stringify({ dir, path }))
  e.dataTransfer.effectAllowed = 'move'
}

/** A folder row or the collection head: dropping a request or folder here moves it in. */
function DropTarget({
  ctx,
  folder,
  className,
  children,
}: {
  ctx: RowContext
  folder: string
  className: string
  children: ReactNode
}) {
  const move = useAppStore((s) => s.moveNode)
  const [over, setOver] = useState(false)
  return (
    <div
      className={`${className}${over ? ' drop-over' : ''}`}
      data-drop-folder={folder}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes(DRAG_TYPE)) return
        e.preventDefault()
        e.dataTransfer.dropEffect = 'move'
        if (!over) setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false)
        const raw = e.dataTransfer.getData(DRAG_TYPE)
        if (!raw) return
        e.preventDefault()
        const data = JSON.parse(raw) as { dir?: unknown; path?: unknown }
        if (data.dir !== ctx.dir || typeof data.path !== 'string') return
        if (data.path === folder || folder.startsWith(`${data.path}/`)) return
        void move(ctx.dir, data.path, folder)
      }}
    >
      {children}
    </div>
  )
}
