import { useEffect, useRef } from 'react'
import type { AuthSpec } from '../../shared/collection'
import type { OAuth2TokenView } from '../../shared/contract'
import { LinkedWords } from './LinkedWords'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import { folderTokenOwner } from './oauth2-token-slice'
import { useExpiryText } from './token-expiry'

function TokenFacts({ view }: { view: OAuth2TokenView }) {
  const expiry = useExpiryText(view.expiresAt)
  const scope =
    view.scope === ''
      ? view.scopeGranted
        ? 'none granted'
        : 'none asked for'
      : view.scopeGranted
        ? view.scope
        : `${view.scope} (asked for; the server named none)`
  const at =
    view.expiresAt === null
      ? undefined
      : new Date(view.expiresAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  return (
    <dl className="oauth2-token-facts" aria-label="Token held">
      <dt>Token</dt>
      <dd>
        {view.tokenType} · <span className="mono">{view.preview}</span>
      </dd>
      <dt>Scope</dt>
      <dd>{scope}</dd>
      <dt>Expiry</dt>
      <dd title={at === undefined ? undefined : `at ${at}`}>
        {expiry}
        {view.refreshable ? ', then renewed with its refresh token' : ''}
      </dd>
    </dl>
  )
}

/**
 * "Get token" under an OAuth 2.0 form: fetches the token a send would carry now (or finds it cached). Its token
 * request is on the timeline as a send's is; what the endpoint answered, or the token's type, scope, expiry and
 * a masked preview, shows right here, scrolled into sight when it comes (a short composer holds the form's top).
 */
function OAuth2TokenPanel({
  owner,
  auth,
  onGet,
  note,
}: {
  owner: string
  auth: AuthSpec
  onGet(): void
  /** A line under the button (what the token is fetched with, when that is not what the person sees). */
  note?: string | undefined
}) {
  const asked = useAppStore((s) => s.oauth2Token)
  const mine =
    asked !== null && asked.owner === owner && asked.authKey === JSON.stringify(auth) ? asked : null
  const cancel = useAppStore((s) => s.cancelOAuth2SignIn)
  // A sign-in (authorization code) can wait minutes for the browser: while it does, the button ends the wait.
  const signIn = auth.type === 'oauth2' && auth.grant === 'authorization_code'
  const waiting = mine?.busy === true || mine?.signingIn === true
  const answered = mine?.answeredAt ?? 0
  const block = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (answered !== 0) block.current?.scrollIntoView({ block: 'nearest' })
  }, [answered])
  return (
    <div className="oauth2-token" ref={block}>
      <div className="oauth2-token-row">
        {/* While a sign-in is awaited its link stays in sight: a second ask would wait on the same sign-in. */}
        {signIn && waiting ? (
          <button type="button" className="secondary-button" onClick={() => void cancel()}>
            Cancel sign-in
          </button>
        ) : (
          <button type="button" className="secondary-button" onClick={onGet} disabled={waiting}>
            {waiting ? 'Getting token…' : 'Get token'}
          </button>
        )}
        {/* Where to sign in is a step to take, not a failure: said calmly, as a status. */}
        {mine?.error ? (
          <span
            className={mine.signingIn ? 'oauth2-sign-in' : 'field-error'}
            role={mine.signingIn ? 'status' : 'alert'}
          >
            <LinkedWords text={mine.error.message} />
          </span>
        ) : mine?.cancelled === true ? (
          <span className="oauth2-sign-in" role="status">
            Sign-in cancelled: Get token starts a new one
          </span>
        ) : mine?.busy === true && signIn ? (
          <span className="oauth2-sign-in" role="status">
            Waiting for you to sign in in the browser…
          </span>
        ) : null}
      </div>
      {note !== undefined ? (
        <p className="muted small oauth2-token-note" role="note">
          {note}
        </p>
      ) : null}
      {mine?.view ? <TokenFacts view={mine.view} /> : null}
    </div>
  )
}

/** The composer's Get token: the active tab's auth, with its collection and environment. */
export function OAuth2TokenButton() {
  const auth = useActiveDraft((d) => d.auth)
  const tabId = useAppStore((s) => s.activeTabId)
  const getToken = useAppStore((s) => s.getOAuth2Token)
  return <OAuth2TokenPanel owner={tabId} auth={auth} onGet={() => void getToken()} />
}

/**
 * A folder's or the collection's Get token, in its settings: the auth as the form shows it (saved or not), with
 * the folder's saved variables and the collection's environment; the requests that inherit it send this token.
 * `variablesEdited`: the dialog's variable rows differ from the saved ones, which Get token still uses (the
 * engine resolves a folder's scope from its files, secrets from this machine's store): said under the button.
 */
export function FolderOAuth2TokenButton({
  dir,
  path,
  auth,
  variablesEdited,
}: {
  dir: string
  path: string
  auth: AuthSpec
  variablesEdited: boolean
}) {
  const getToken = useAppStore((s) => s.getFolderOAuth2Token)
  return (
    <OAuth2TokenPanel
      owner={folderTokenOwner(dir, path)}
      auth={auth}
      onGet={() => void getToken(dir, path, auth)}
      note={
        variablesEdited
          ? 'Get token uses the saved variables, not the edits above: save the settings first to use them.'
          : undefined
      }
    />
  )
}
