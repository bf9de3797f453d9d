import { useMemo, useState } from 'react'
import { useModalDialog } from '../hooks/use-modal-dialog'
import { useAppStore } from '../store/store-context'
import { folderChoices } from './save-as'
import { bidiVisible } from '../app/VisibleControls'

/**
 * Ctrl/Cmd+S on a request not saved yet: which collection, which folder, under what name (prefilled from the
 * URL). With no collection open, a folder path opens (or creates) one.
 */
export function SaveAsDialog() {
  const saveAs = useAppStore((s) => s.saveAs)
  const collections = useAppStore((s) => s.collections)
  const activeDir = useAppStore((s) => s.activeDir)
  const tabError = useAppStore((s) => s.tabError)
  const collectionError = useAppStore((s) => s.collectionError)
  const saveTabAs = useAppStore((s) => s.saveTabAs)
  const cancel = useAppStore((s) => s.cancelSaveAs)
  const openCollection = useAppStore((s) => s.openCollection)
  const dialog = useModalDialog()
  const [dir, setDir] = useState(activeDir ?? collections[0]?.dir ?? '')
  const [folder, setFolder] = useState('')
  const [name, setName] = useState(saveAs?.name ?? '')
  const [newDir, setNewDir] = useState('')
  const [busy, setBusy] = useState(false)
  const chosen = collections.find((c) => c.dir === dir)
  const folders = useMemo(() => (chosen ? folderChoices(chosen.root) : []), [chosen])

  const submit = async (): Promise<void> => {
    setBusy(true)
    let target = dir
    if (collections.length === 0) {
      target = newDir.trim()
      if (target === '' || !(await openCollection(target, true))) {
        setBusy(false)
        return
      }
    }
    await saveTabAs(target, chosen ? folder : '', name)
    setBusy(false)
  }

  return (
    <dialog ref={dialog} className="vars-dialog save-as-dialog" aria-label="Save request" onClose={cancel}>
      <form
        className="save-as-form"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <h2 className="dialog-title">Save request</h2>
        <label className="save-as-field">
          Name
          <input
            className="field-input"
            aria-label="Request name"
            value={name}
            autoFocus
            spellCheck={false}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        {collections.length === 0 ? (
          <label className="save-as-field">
            Collection folder
            <input
              className="field-input mono"
              aria-label="New collection folder"
              placeholder="/path/to/my-api (created if new)"
              value={newDir}
              spellCheck={false}
              onChange={(e) => setNewDir(e.target.value)}
            />
          </label>
        ) : (
          <>
            <label className="save-as-field">
              Collection
              <select
                className="field-input"
                aria-label="Save into collection"
                value={dir}
                onChange={(e) => {
                  setDir(e.target.value)
                  setFolder('')
                }}
              >
                {collections.map((c) => (
                  <option key={c.dir} value={c.dir}>
                    {bidiVisible(c.name)}
                  </option>
                ))}
              </select>
            </label>
            <label className="save-as-field">
              Folder
              <select
                className="field-input"
                aria-label="Save into folder"
                value={folder}
                onChange={(e) => setFolder(e.target.value)}
              >
                {folders.map((f) => (
                  <option key={f.path} value={f.path}>
                    {bidiVisible(f.label)}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        {tabError || (collections.length === 0 && collectionError) ? (
          <p className="sidebar-error" role="alert">
            {tabError ?? collectionError}
          </p>
        ) : null}
        <div className="import-actions">
          <button type="button" className="link-button" onClick={cancel}>
            Cancel
          </button>
          <button type="submit" className="primary-button" disabled={busy || name.trim() === ''}>
            Save
          </button>
        </div>
      </form>
    </dialog>
  )
}
