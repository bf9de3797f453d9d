import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { CollectionInfo } from '../../shared/collection'
import { useAppStore } from '../store/store-context'
import { bidiVisible, VisibleLine } from '../app/VisibleControls'
import { ExportDialog } from './ExportDialog'
import { InnerCollections, innerCollections } from './InnerCollections'
import { TreeDropTarget } from './TreeDropTarget'
import { TreeNameInput } from './TreeNameInput'
import { FolderActions } from './TreeRowActions'
import { TreeChildren } from './TreeRows'
import { folderPaths, type Editing, type RowContext } from './tree-context'
import { filterTree } from './tree-filter'
import { groupDigits } from '../../shared/group-digits'

/**
 * One open collection: its head (name, count, actions, export, close), the files that failed to parse, and its
 * tree (TreeRows.tsx) with create, rename, duplicate, move (drag, tree-drag.ts) and delete.
 */

const BIG_COLLECTION = 300

interface TreeProps {
  collection: CollectionInfo
  /** Its folder's distinguishing part, when another open collection has the same name (collection-twins.ts). */
  twinFolder?: string | undefined
}

export function CollectionTree({ collection, twinFolder }: TreeProps) {
  const query = useAppStore((s) => s.sidebarQuery)
  const activeDir = useAppStore((s) => s.activeDir)
  const setActiveDir = useAppStore((s) => s.setActiveDir)
  const closeCollection = useAppStore((s) => s.closeCollection)
  const [exporting, setExporting] = useState(false)
  const { inner, problems } = innerCollections(collection.problems)
  const reveal = useAppStore((s) => s.revealDir === collection.dir)
  const revealDone = useAppStore((s) => s.revealCollection)
  const section = useRef<HTMLElement>(null)
  const exportButton = useRef<HTMLButtonElement>(null)
  // Opened or imported just now: bring its head into view, where the person looks for what they got.
  useEffect(() => {
    if (!reveal) return
    section.current?.scrollIntoView({ block: 'nearest' })
    revealDone(null)
  }, [reveal, revealDone])
  // A big collection opens with its folders closed, so thousands of rows are not drawn at once.
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() =>
    collection.requestCount > BIG_COLLECTION ? folderPaths(collection.root) : new Set(),
  )
  const [editing, setEditing] = useState<Editing>(null)
  const [collapsedRoot, setCollapsedRoot] = useState(false)
  const root = useMemo(() => filterTree(collection.root, query), [collection.root, query])
  const searching = query.trim() !== ''
  const toggle = useCallback(
    (path: string) =>
      setCollapsed((c) => {
        const next = new Set(c)
        if (next.has(path)) next.delete(path)
        else next.add(path)
        return next
      }),
    [],
  )
  // One object until what the rows share changes, so rows whose node did not change are skipped (TreeRows.tsx).
  const ctx: RowContext = useMemo(
    () => ({
      dir: collection.dir,
      collapsed: searching ? new Set<string>() : collapsed,
      toggle,
      editing,
      setEditing,
    }),
    [collection.dir, searching, collapsed, toggle, editing],
  )

  return (
    <section
      ref={section}
      className={`collection${activeDir === collection.dir ? ' active' : ''}`}
      aria-label={twinFolder === undefined ? collection.name : `${collection.name} (${twinFolder})`}
    >
      <TreeDropTarget ctx={ctx} folder="" className="collection-head">
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
          title={bidiVisible(collection.dir)}
          onClick={() => setActiveDir(collection.dir)}
        >
          <VisibleLine text={collection.name} />
        </button>
        {twinFolder !== undefined ? (
          <span className="muted small collection-twin" title={bidiVisible(collection.dir)}>
            <VisibleLine text={twinFolder} />
          </span>
        ) : null}
        <span className="muted small num">{groupDigits(collection.requestCount)}</span>
        <span className="spacer" />
        <span className="head-actions">
          <FolderActions ctx={ctx} folder={collection.root} label={collection.name} isRoot>
            <button
              type="button"
              className="icon-button row-action"
              aria-label={`Export ${collection.name}`}
              title="Export to Postman, Insomnia or Bruno (secrets are left out)"
              aria-expanded={exporting}
              ref={exportButton}
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
          </FolderActions>
        </span>
      </TreeDropTarget>
      {exporting ? (
        <ExportDialog
          collection={collection}
          onClose={() => {
            setExporting(false)
            // In a narrow sidebar Export is behind More, which closed as the dialog took the focus: More
            // gets it back (a hidden button takes none, and the focus fell to the page's start).
            const button = exportButton.current
            const more = section.current?.querySelector<HTMLElement>('.collection-head .row-more')
            if (button && button.getClientRects().length > 0) button.focus()
            else more?.focus()
          }}
        />
      ) : null}
      <InnerCollections collection={collection} folders={inner} />
      {problems.length > 0 ? (
        <ul className="problems" aria-label={`Problems in ${collection.name}`}>
          {problems.map((p) => (
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
            <TreeNameInput ctx={ctx} depth={0} />
          ) : null}
          {root ? (
            <TreeChildren ctx={ctx} folder={root} depth={0} />
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
