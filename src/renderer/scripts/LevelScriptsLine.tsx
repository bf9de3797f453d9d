import { Fragment, useState } from 'react'
import type { FolderNode } from '../../shared/collection'
import { FolderSettingsDialog } from '../environments/FolderSettingsDialog'
import { useAppStore } from '../store/store-context'
import { selectActiveTab } from '../tabs/active-draft'
import { levelsAround } from './level-scripts'

/**
 * One line above a request's script editors: which of its collection's and folders' own scripts run around it
 * (before its pre-request script and before its post-response script, outermost first). Each name opens that
 * folder's settings, where those scripts are edited.
 */
export function LevelScriptsLine() {
  const dir = useAppStore((s) => selectActiveTab(s)?.dir ?? s.activeDir)
  const path = useAppStore((s) => {
    const tab = selectActiveTab(s)
    return tab?.dir ? (tab.path ?? '') : ''
  })
  const collection = useAppStore((s) => (dir ? s.collections.find((c) => c.dir === dir) : undefined))
  const [open, setOpen] = useState<FolderNode | null>(null)
  if (!collection) return null
  const levels = levelsAround(collection.root, path)
  if (levels.length === 0) return null
  return (
    <p className="scripts-levels" data-testid="scripts-levels">
      <span className="muted">Run first, around this request&apos;s own:</span>{' '}
      {levels.map((l, i) => (
        <Fragment key={l.folder.path}>
          {i > 0 ? ' › ' : null}
          <button
            type="button"
            className="link-button"
            title={`Open the scripts of ${l.label}`}
            onClick={() => setOpen(l.folder)}
          >
            {l.label}
          </button>{' '}
          <span className="muted">({l.phases})</span>
        </Fragment>
      ))}
      {open ? (
        <FolderSettingsDialog
          collection={collection}
          folder={open}
          onClose={() => setOpen(null)}
          scriptsFirst
        />
      ) : null}
    </p>
  )
}
