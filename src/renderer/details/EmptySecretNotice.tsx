import { useState } from 'react'
import { findNode, type CollectionInfo, type FolderNode } from '../../shared/collection'
import type { EmptySecretUse } from '../../shared/timeline'
import { FolderSettingsDialog } from '../environments/FolderSettingsDialog'
import { VariablesDialog } from '../environments/VariablesDialog'
import { useAppStore } from '../store/store-context'
import './empty-secret-notice.css'

/**
 * Beside the status: the request went out with secret variables that have no value on this machine (a colleague's
 * collection from git: its secrets stay on their machine), so a 401 has its reason in sight, with the way to the
 * variables where the value is set. The app sends them empty (a person is there to read this); the CLI refuses.
 */
export function EmptySecretNotice({ used }: { used: readonly EmptySecretUse[] }) {
  const collection = useAppStore((s) => s.collections.find((c) => c.dir === s.activeDir) ?? null)
  const env = useAppStore((s) => (s.activeDir ? (s.envByDir[s.activeDir] ?? '') : ''))
  const [editing, setEditing] = useState(false)
  const names = used.map((u) => u.name)
  // Set value… opens where the first secret named is declared, its value field ready.
  const first = used[0]?.name
  const wheres = new Set(used.map((u) => u.where))
  const [where] = wheres
  const said = (w: string): string => (collection ? readableWhere(w, collection) : w)
  const declared = wheres.size === 1 && where ? ` (${said(where)})` : ''
  const folder = collection && where ? declaringFolder(where, collection) : null
  return (
    <div className="empty-secret-notice" role="note" aria-label="Sent with empty secrets">
      <span className="empty-secret-text" title={used.map((u) => `${u.name}: ${said(u.where)}`).join('\n')}>
        Sent with empty secret{names.length > 1 ? 's' : ''} <span className="mono">{names.join(', ')}</span> —
        no value on this machine{declared}
      </span>
      {collection ? (
        <button type="button" className="link-button small" onClick={() => setEditing(true)}>
          Set value…
        </button>
      ) : null}
      {editing && collection && folder ? (
        <FolderSettingsDialog
          collection={collection}
          folder={folder}
          onClose={() => setEditing(false)}
          {...(first ? { focusVariable: first } : {})}
        />
      ) : editing && collection ? (
        <VariablesDialog
          collection={collection}
          initialScope={scopeOf(where ?? '', collection, env)}
          onClose={() => setEditing(false)}
          {...(first ? { focusVariable: first } : {})}
        />
      ) : null}
    </div>
  )
}

/**
 * The engine names an environment by its id (`environment "ci"`, as `--env ci` takes it) and a folder by its path
 * (`folder "api/auth"`); a person reads the names the sidebar shows.
 */
function readableWhere(where: string, collection: CollectionInfo): string {
  const id = /^environment "(.*)"$/.exec(where)?.[1]
  const env = id === undefined ? undefined : collection.environments.find((e) => e.id === id)
  if (env) return `environment "${env.name}"`
  const folder = declaringFolder(where, collection)
  return folder ? `folder "${folder.name}"` : where
}

/** The folder a secret is declared in (`folder "api/auth"`, by its path), in the active collection. */
function declaringFolder(where: string, collection: CollectionInfo): FolderNode | null {
  const path = /^folder "(.*)"$/.exec(where)?.[1]
  if (path === undefined) return null
  const node = findNode(collection.root, path)
  return node?.type === 'folder' ? node : null
}

/**
 * The variables dialog's scope for where a secret is declared (`environment "ci"`: its id, `collection "Nest"`, `global
 * variables`), in the active collection; else its environment, as the toolbar's Variables… opens.
 */
function scopeOf(where: string, collection: CollectionInfo, env: string): string {
  const named = /^environment "(.*)"$/.exec(where)?.[1]
  const match =
    named === undefined ? undefined : collection.environments.find((e) => e.id === named || e.name === named)
  if (match) return `env:${match.id}`
  if (where === 'global variables') return 'global'
  if (where.startsWith('collection "')) return 'collection'
  return env === '' ? 'collection' : `env:${env}`
}
