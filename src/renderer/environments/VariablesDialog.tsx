import { useEffect, useRef, useState } from 'react'
import type { CollectionInfo, Variable } from '../../shared/collection'
import { useAppStore } from '../store/store-context'

/**
 * Edit a collection's variables or one environment's (or make a new environment). A variable marked secret
 * is kept out of the collection folder: its value goes to the OS keychain / the user's config dir, and a blank
 * secret field keeps the value already stored.
 */

interface Props {
  collection: CollectionInfo
  /** 'collection' or 'env:<id>'. */
  initialScope: string
  onClose(): void
}

const NEW_ENV = 'new-env'

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 60) || 'env'
  )
}

export function VariablesDialog({ collection, initialScope, onClose }: Props) {
  const saveEnvironment = useAppStore((s) => s.saveEnvironment)
  const saveFolderVariables = useAppStore((s) => s.saveFolderVariables)
  const setEnvironment = useAppStore((s) => s.setEnvironment)
  const varsFor = (sc: string): Variable[] =>
    (sc === 'collection'
      ? collection.variables
      : sc === NEW_ENV
        ? []
        : (collection.environments.find((e) => `env:${e.id}` === sc)?.variables ?? [])
    ).map((v) => ({ ...v }))
  const nameFor = (sc: string): string =>
    sc.startsWith('env:') ? (collection.environments.find((e) => `env:${e.id}` === sc)?.name ?? '') : ''
  const [scope, setScope] = useState(initialScope)
  const [envName, setEnvName] = useState(() => nameFor(initialScope))
  const [rows, setRows] = useState<Variable[]>(() => varsFor(initialScope))
  const [error, setError] = useState<string | null>(null)
  const dialog = useRef<HTMLDialogElement>(null)

  useEffect(() => {
    const d = dialog.current
    if (d && !d.open) d.showModal()
  }, [])

  /** Another scope: its rows replace the table (unsaved edits to the previous scope are dropped). */
  const pickScope = (sc: string): void => {
    setScope(sc)
    setRows(varsFor(sc))
    setEnvName(nameFor(sc))
    setError(null)
  }

  const update = (i: number, patch: Partial<Variable>): void =>
    setRows((r) => r.map((v, j) => (j === i ? { ...v, ...patch } : v)))

  const save = async (): Promise<void> => {
    const clean = rows.filter((r) => r.name.trim() !== '').map((r) => ({ ...r, name: r.name.trim() }))
    const bad = clean.find((r) => !/^[A-Za-z_][\w.-]*$/.test(r.name))
    if (bad) {
      setError(`"${bad.name}" is not a variable name (letters, digits, _ . -; not starting with a digit)`)
      return
    }
    let ok: boolean
    if (scope === 'collection') ok = await saveFolderVariables(collection.dir, '', clean)
    else {
      const name = envName.trim() || 'New environment'
      const id = scope === NEW_ENV ? slug(name) : scope.slice(4)
      ok = await saveEnvironment(collection.dir, id, name, clean)
      if (ok && scope === NEW_ENV) setEnvironment(collection.dir, id)
    }
    if (ok) onClose()
    else setError('Not saved: see the message in the sidebar.')
  }

  return (
    <dialog ref={dialog} className="vars-dialog" aria-label="Variables" onClose={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        <div className="vars-head">
          <label>
            <span className="muted small">Scope </span>
            <select
              className="field-input"
              aria-label="Variable scope"
              value={scope}
              onChange={(e) => pickScope(e.target.value)}
            >
              <option value="collection">Collection: {collection.name}</option>
              {collection.environments.map((e) => (
                <option key={e.id} value={`env:${e.id}`}>
                  Environment: {e.name}
                </option>
              ))}
              <option value={NEW_ENV}>+ New environment…</option>
            </select>
          </label>
          {scope !== 'collection' ? (
            <input
              className="field-input"
              aria-label="Environment name"
              placeholder="Environment name"
              value={envName}
              onChange={(e) => setEnvName(e.target.value)}
            />
          ) : null}
        </div>
        <table className="kv-table vars-table" aria-label="Variables table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Value</th>
              <th>Secret</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>
                  <input
                    className="kv-input mono"
                    aria-label={`Variable name ${i + 1}`}
                    value={r.name}
                    spellCheck={false}
                    onChange={(e) => update(i, { name: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    className="kv-input mono"
                    aria-label={`Variable value ${i + 1}`}
                    type={r.secret ? 'password' : 'text'}
                    placeholder={r.secret ? 'stored outside the collection; blank keeps it' : ''}
                    value={r.value}
                    spellCheck={false}
                    onChange={(e) => update(i, { value: e.target.value })}
                  />
                </td>
                <td className="kv-check">
                  <input
                    type="checkbox"
                    aria-label={`Secret ${r.name || i + 1}`}
                    checked={r.secret}
                    onChange={(e) => update(i, { secret: e.target.checked })}
                  />
                </td>
                <td className="kv-remove">
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Remove variable ${r.name || i + 1}`}
                    onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
                  >
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button
          type="button"
          className="link-button"
          onClick={() => setRows((r) => [...r, { name: '', value: '', secret: false }])}
        >
          + Add variable
        </button>
        {error ? (
          <p className="sidebar-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="vars-actions">
          <span className="muted small">Secret values never go into the collection folder or exports.</span>
          <span className="spacer" />
          <button type="button" className="secondary-button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary-button">
            Save variables
          </button>
        </div>
      </form>
    </dialog>
  )
}
