import { useState, type ReactNode } from 'react'
import type { FolderNode } from '../../shared/collection'
import { FolderSettingsDialog } from '../environments/FolderSettingsDialog'
import { useAppStore } from '../store/store-context'
import type { RowContext } from './tree-context'

/** The settings dialog of a folder in the collection at `dir`, as the store has it now. */
function FolderSettingsOf({ dir, folder, onClose }: { dir: string; folder: FolderNode; onClose(): void }) {
  const collection = useAppStore((s) => s.collections.find((c) => c.dir === dir))
  return collection ? (
    <FolderSettingsDialog collection={collection} folder={folder} onClose={onClose} />
  ) : null
}

/**
 * The buttons beside a folder row or the collection head: run, settings (variables and auth), new request, new
 * folder, for a folder rename and delete, and `children` after them (the head's Export and Close).
 */
export function FolderActions({
  ctx,
  folder,
  label,
  isRoot,
  children,
}: {
  ctx: RowContext
  folder: FolderNode
  label: string
  isRoot?: boolean
  children?: ReactNode
}) {
  const folderPath = folder.path
  const [settings, setSettings] = useState(false)
  // In a narrow sidebar (collection-tree.css) a folder row or the collection head shows Run and this toggle, the
  // others behind it: all six laid over a 200 px row covered the name from its tenth character.
  const [more, setMore] = useState(false)
  const openRunner = useAppStore((s) => s.openRunner)
  return (
    <span
      className={more ? 'row-actions more-open' : 'row-actions'}
      onMouseLeave={() => setMore(false)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setMore(false)
      }}
    >
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
        className="icon-button row-action row-more"
        aria-label={`More actions for ${label}`}
        aria-expanded={more}
        title={
          isRoot
            ? 'Settings, new request, new folder, export, close'
            : 'Settings, new request, new folder, rename, delete'
        }
        onClick={() => setMore((m) => !m)}
      >
        ⋯
      </button>
      {/* Outside the others: a narrow row hides them once the pointer leaves, and the dialog must stay. */}
      {settings ? (
        <FolderSettingsOf dir={ctx.dir} folder={folder} onClose={() => setSettings(false)} />
      ) : null}
      <span className="row-extra">
        <button
          type="button"
          className="icon-button row-action"
          aria-label={`Settings of ${label}`}
          title={isRoot ? 'Collection variables, auth and scripts' : 'Folder variables, auth and scripts'}
          onClick={() => setSettings(true)}
        >
          ⚙
        </button>
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
        {children}
      </span>
    </span>
  )
}

/** The buttons beside a request row: rename, duplicate, delete. */
export function RequestActions({ ctx, path, name }: { ctx: RowContext; path: string; name: string }) {
  const duplicate = useAppStore((s) => s.duplicateNode)
  return (
    <span className="row-actions">
      <button
        type="button"
        className="icon-button row-action"
        aria-label={`Rename ${name}`}
        title="Rename (F2)"
        onClick={() => ctx.setEditing({ mode: 'rename', path, name })}
      >
        ✎
      </button>
      <button
        type="button"
        className="icon-button row-action"
        aria-label={`Duplicate ${name}`}
        title="Duplicate"
        onClick={() => void duplicate(ctx.dir, path)}
      >
        ❏
      </button>
      <DeleteButton dir={ctx.dir} path={path} label={name} />
    </span>
  )
}

/** Delete asks first, in place: Delete or Keep. */
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
