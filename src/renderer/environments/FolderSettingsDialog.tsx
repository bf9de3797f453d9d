import { useState } from 'react'
import { useModalDialog } from '../hooks/use-modal-dialog'
import type { AuthSpec, CollectionInfo, FolderNode, Variable } from '../../shared/collection'
import { AuthEditor } from '../composer/AuthPanel'
import { useAppStore } from '../store/store-context'
import { VariablesTable, validVariables } from './VariablesTable'

/**
 * A folder's (or the collection's) own variables and auth: requests inside inherit the auth unless they set
 * their own, and see the variables unless an inner folder or the environment defines the same name.
 */
export function FolderSettingsDialog({
  collection,
  folder,
  onClose,
}: {
  collection: CollectionInfo
  folder: FolderNode
  onClose(): void
}) {
  const save = useAppStore((s) => s.saveFolderSettings)
  const isRoot = folder.path === ''
  const [rows, setRows] = useState<Variable[]>(() =>
    (isRoot ? collection.variables : folder.variables).map((v) => ({ ...v })),
  )
  const [auth, setAuth] = useState<AuthSpec>(isRoot ? collection.auth : folder.auth)
  const [error, setError] = useState<string | null>(null)
  const dialog = useModalDialog()
  const title = isRoot ? `Collection ${collection.name}` : `Folder ${folder.name}`

  return (
    <dialog ref={dialog} className="vars-dialog" aria-label={`${title} settings`} onClose={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault()
          const checked = validVariables(rows)
          if ('error' in checked) {
            setError(checked.error)
            return
          }
          void save(collection.dir, folder.path, checked.variables, auth).then((ok) =>
            ok ? onClose() : setError('Not saved: see the message in the sidebar.'),
          )
        }}
      >
        <h3 className="dialog-title">{title}</h3>
        <h4 className="dialog-section">Variables</h4>
        <VariablesTable rows={rows} onChange={setRows} />
        <h4 className="dialog-section">Auth for the requests inside</h4>
        <AuthEditor
          auth={auth}
          onChange={setAuth}
          inheritNote={
            isRoot
              ? 'No auth unless a folder or request sets one.'
              : "Uses the parent folder's, else the collection's."
          }
        />
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
            Save settings
          </button>
        </div>
      </form>
    </dialog>
  )
}
