import { useState } from 'react'
import { useAppStore } from '../store/store-context'
import { VariablesDialog } from './VariablesDialog'
import { bidiVisible, VisibleLine } from '../app/VisibleControls'
import { twinFolders } from '../sidebar/collection-twins'

/** The toolbar's environment picker for the active collection, and the way into its variables. */
export function EnvironmentSwitcher() {
  const collection = useAppStore((s) => s.collections.find((c) => c.dir === s.activeDir) ?? null)
  // Another open collection of the same name: its folder's end tells them apart, as in the sidebar.
  const twin = useAppStore((s) => twinFolders(s.collections).get(s.activeDir ?? ''))
  const env = useAppStore((s) => (s.activeDir ? (s.envByDir[s.activeDir] ?? '') : ''))
  const setEnvironment = useAppStore((s) => s.setEnvironment)
  const [editing, setEditing] = useState(false)
  if (!collection) return null

  return (
    <div className="env-switcher">
      <span className="muted small collection-label" title={bidiVisible(collection.dir)}>
        <span className="collection-label-name">
          <VisibleLine text={collection.name} />
        </span>
        {twin !== undefined ? (
          <span className="collection-label-twin">
            <VisibleLine text={twin} />
          </span>
        ) : null}
      </span>
      <select
        className="field-input env-select"
        aria-label="Environment"
        value={env}
        onChange={(e) => setEnvironment(collection.dir, e.target.value)}
      >
        <option value="">No environment</option>
        {collection.environments.map((e) => (
          <option key={e.id} value={e.id}>
            {bidiVisible(e.name)}
          </option>
        ))}
      </select>
      <button type="button" className="secondary-button" onClick={() => setEditing(true)}>
        Variables…
      </button>
      {editing ? (
        <VariablesDialog
          collection={collection}
          initialScope={env === '' ? 'collection' : `env:${env}`}
          onClose={() => setEditing(false)}
        />
      ) : null}
    </div>
  )
}
