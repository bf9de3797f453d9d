import { useId, useState } from 'react'
import { useModalDialog } from '../hooks/use-modal-dialog'
import type { CollectionInfo, Variable } from '../../shared/collection'
import { useAppStore, useAppStoreApi } from '../store/store-context'
import { newEnvironmentId } from './environment-id'
import { bidiVisible } from '../app/VisibleControls'
import { BidiFieldNote } from '../app/BidiNote'
import { VariablesTable, notSavedText, validVariables } from './VariablesTable'

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
  /** Opened to set this variable's value (the empty-secret note): the focus goes there. */
  focusVariable?: string
}

const NEW_ENV = 'new-env'
const GLOBAL = 'global'

export function VariablesDialog({ collection, initialScope, onClose, focusVariable }: Props) {
  const saveEnvironment = useAppStore((s) => s.saveEnvironment)
  const globals = useAppStore((s) => s.globals)
  const saveGlobals = useAppStore((s) => s.saveGlobals)
  const saveFolderVariables = useAppStore((s) => s.saveFolderVariables)
  const setEnvironment = useAppStore((s) => s.setEnvironment)
  const varsFor = (sc: string): Variable[] =>
    (sc === 'collection'
      ? collection.variables
      : sc === GLOBAL
        ? globals
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
  const dialog = useModalDialog()
  const store = useAppStoreApi()
  const titleId = useId()

  /** Another scope: its rows replace the table (unsaved edits to the previous scope are dropped). */
  const pickScope = (sc: string): void => {
    setScope(sc)
    setRows(varsFor(sc))
    setEnvName(nameFor(sc))
    setError(null)
  }

  const save = async (): Promise<void> => {
    const checked = validVariables(rows)
    if ('error' in checked) {
      setError(checked.error)
      return
    }
    const clean = checked.variables
    let ok: boolean
    if (scope === 'collection') ok = await saveFolderVariables(collection.dir, '', clean)
    else if (scope === GLOBAL) ok = await saveGlobals(clean)
    else {
      const name = envName.trim() || 'New environment'
      const taken = collection.environments.map((e) => e.id)
      const id = scope === NEW_ENV ? newEnvironmentId(name, taken) : scope.slice(4)
      ok = await saveEnvironment(collection.dir, id, name, clean)
      if (ok && scope === NEW_ENV) setEnvironment(collection.dir, id)
    }
    if (ok) onClose()
    else setError(notSavedText(store.getState().collectionError))
  }

  return (
    <dialog ref={dialog} className="vars-dialog" aria-labelledby={titleId} onClose={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        <h3 className="dialog-title" id={titleId}>
          Variables
        </h3>
        <div className="vars-head">
          <label>
            <span className="muted small">Scope </span>
            <select
              className="field-input"
              aria-label="Variable scope"
              value={scope}
              onChange={(e) => pickScope(e.target.value)}
            >
              <option value="collection">Collection: {bidiVisible(collection.name)}</option>
              <option value={GLOBAL}>Globals (every collection)</option>
              {collection.environments.map((e) => (
                <option key={e.id} value={`env:${e.id}`}>
                  Environment: {bidiVisible(e.name)}
                </option>
              ))}
              <option value={NEW_ENV}>+ New environment…</option>
            </select>
          </label>
          {scope !== 'collection' && scope !== GLOBAL ? (
            <input
              className="field-input"
              aria-label="Environment name"
              placeholder="Environment name"
              value={envName}
              onChange={(e) => setEnvName(e.target.value)}
            />
          ) : null}
        </div>
        {scope !== 'collection' && scope !== GLOBAL ? (
          <BidiFieldNote label="The environment's name" text={envName} />
        ) : null}
        <VariablesTable rows={rows} onChange={setRows} focusName={focusVariable} />
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
