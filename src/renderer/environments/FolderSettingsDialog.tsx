import { useState } from 'react'
import { useModalDialog } from '../hooks/use-modal-dialog'
import type { AuthSpec, CollectionInfo, FolderNode, Variable } from '../../shared/collection'
import { AuthEditor } from '../composer/AuthPanel'
import { FolderOAuth2TokenButton } from '../composer/OAuth2TokenButton'
import { ScriptEditors } from '../lazy/lazy-panes'
import { hasScript, scriptsFromSaved, type ScriptsDraft } from '../scripts/script-draft'
import { useAppStore, useAppStoreApi } from '../store/store-context'
import { VariablesTable, notSavedText, validVariables } from './VariablesTable'

/**
 * A folder's (or the collection's) own variables, auth and scripts: requests inside inherit the auth unless they
 * set their own, see the variables unless an inner folder or the environment defines the same name, and run its
 * scripts around their own (collection first, then folders outer first), in the app, runs and the CLI.
 */
export function FolderSettingsDialog({
  collection,
  folder,
  onClose,
  scriptsFirst,
  focusVariable,
}: {
  collection: CollectionInfo
  folder: FolderNode
  onClose(): void
  /** Opened from a request's Scripts tab: the Scripts section comes open and first. */
  scriptsFirst?: boolean
  /** Opened to set this variable's value (the empty-secret note): the focus goes there. */
  focusVariable?: string
}) {
  const save = useAppStore((s) => s.saveFolderSettings)
  const store = useAppStoreApi()
  const vars = useAppStore((s) => s.scopeVars)
  const [scripts, setScripts] = useState<ScriptsDraft>(() => scriptsFromSaved(folder.scripts))
  const hasScripts = hasScript(scripts.preRequest) || hasScript(scripts.test)
  const isRoot = folder.path === ''
  const [rows, setRows] = useState<Variable[]>(() =>
    (isRoot ? collection.variables : folder.variables).map((v) => ({ ...v })),
  )
  const [auth, setAuth] = useState<AuthSpec>(isRoot ? collection.auth : folder.auth)
  const [error, setError] = useState<string | null>(null)
  const dialog = useModalDialog()
  const title = isRoot ? `Collection ${collection.name}` : `Folder ${folder.name}`

  const scriptsSection = (
    <details
      className="folder-scripts"
      open={scriptsFirst === true || hasScripts}
      data-testid="folder-scripts"
    >
      <summary className="dialog-section">
        Scripts <span className="muted small">run for every request inside, before its own</span>
      </summary>
      {scripts.translated === true && hasScripts ? (
        <div className="scripts-translated" role="note">
          <span>
            Imported scripts, translated into the requests&apos; Tests:{' '}
            <strong>those checks are what runs</strong>; this text is kept as it came and not run.
          </span>
          <button
            type="button"
            className="secondary-button"
            onClick={() => setScripts((d) => ({ ...d, translated: false }))}
          >
            Run the scripts instead
          </button>
        </div>
      ) : null}
      <ScriptEditors
        scripts={scripts}
        onChange={(patch) => setScripts((d) => ({ ...d, ...patch }))}
        vars={vars}
        heightKey="folder-script"
        preNote={`before each request's own pre-request script${isRoot ? '' : ', after the collection’s and outer folders’'}`}
        postNote={`before each request's own post-response script${isRoot ? '' : ', after the collection’s and outer folders’'}`}
      />
    </details>
  )

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
          const kept = {
            ...(hasScript(scripts.preRequest) ? { preRequest: scripts.preRequest } : {}),
            ...(hasScript(scripts.test) ? { test: scripts.test } : {}),
            ...(scripts.translated !== undefined ? { translated: scripts.translated } : {}),
          }
          void save(collection.dir, folder.path, checked.variables, auth, kept).then((ok) =>
            ok ? onClose() : setError(notSavedText(store.getState().collectionError)),
          )
        }}
      >
        <h3 className="dialog-title">{title}</h3>
        {scriptsFirst ? scriptsSection : null}
        <h4 className="dialog-section">Variables</h4>
        <VariablesTable rows={rows} onChange={setRows} focusName={focusVariable} />
        <h4 className="dialog-section">Auth for the requests inside</h4>
        <AuthEditor
          auth={auth}
          onChange={setAuth}
          inherited
          inheritNote={
            isRoot
              ? 'No auth unless a folder or request sets one.'
              : "Uses the parent folder's, else the collection's."
          }
        >
          {auth.type === 'oauth2' ? (
            <FolderOAuth2TokenButton
              dir={collection.dir}
              path={folder.path}
              auth={auth}
              variables={rows.flatMap((r) => {
                // As saving would take them: a row with no name, or one no variable can have, names nothing.
                const usable = validVariables([r])
                return 'variables' in usable ? usable.variables : []
              })}
            />
          ) : null}
        </AuthEditor>
        {scriptsFirst ? null : scriptsSection}
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
