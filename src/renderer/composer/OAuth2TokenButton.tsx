import { useEffect, useRef, useState } from 'react'
import type { AuthSpec, Variable } from '../../shared/collection'
import type { OAuth2TokenView } from '../../shared/contract'
import { LinkedWords } from './LinkedWords'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import { folderTokenOwner, tokenAskKey } from './oauth2-token-slice'
import { useExpiryText } from './token-expiry'
import { clockTime } from '../../shared/clock-text'

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
  const at = view.expiresAt === null ? undefined : clockTime(view.expiresAt)
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

/** The button's labels, all laid in one cell so it is as wide as the longest whichever shows. */
const LABELS = ['Get token', 'Getting token…', 'Cancel sign-in'] as const

function SteadyButton({
  label,
  onClick,
  disabled,
}: {
  label: (typeof LABELS)[number]
  onClick(): void
  disabled?: boolean
}) {
  return (
    <button
      type="button"
      className="secondary-button oauth2-token-button"
      onClick={onClick}
      disabled={disabled}
    >
      {LABELS.map((l) => (
        <span
          key={l}
          aria-hidden={l === label ? undefined : true}
          className={l === label ? undefined : 'unshown'}
        >
          {l}
        </span>
      ))}
    </button>
  )
}

/**
 * How long the desktop app, which opened the sign-in page in the system browser itself, waits before it says
 * it is waiting for the person. A host that cannot open the page (the browser host) answers with the link
 * instead, however slowly: no waiting words there, since nothing is open to sign in at yet.
 */
const WAITING_WORDS_AFTER_MS = 1000

function useLater(on: boolean, ms: number): boolean {
  const [later, setLater] = useState(false)
  useEffect(() => {
    if (!on) return
    const timer = setTimeout(() => setLater(true), ms)
    return () => {
      clearTimeout(timer)
      setLater(false)
    }
  }, [on, ms])
  return on && later
}

/**
 * "Get token" under an OAuth 2.0 form: fetches the token a send would carry now (or finds it cached). Its token
 * request is on the timeline as a send's is; what the endpoint answered, or the token's type, scope, expiry and
 * a masked preview, shows right here, scrolled into sight when it comes (a short composer holds the form's top).
 */
function OAuth2TokenPanel({
  owner,
  auth,
  askKey,
  onGet,
}: {
  owner: string
  auth: AuthSpec
  /** What an answer must have been asked for to show (`tokenAskKey`). */
  askKey: string
  onGet(): void
}) {
  const asked = useAppStore((s) => s.oauth2Token)
  const mine = asked !== null && asked.owner === owner && asked.authKey === askKey ? asked : null
  const cancel = useAppStore((s) => s.cancelOAuth2SignIn)
  // A sign-in (authorization code) can wait minutes for the browser: while it does, the button ends the wait.
  const signIn = auth.type === 'oauth2' && auth.grant === 'authorization_code'
  const waiting = mine?.busy === true || mine?.signingIn === true
  const opensSignInPage = useAppStore((s) => s.info?.capabilities.openExternal === true)
  const waitingWords = useLater(mine?.busy === true && signIn && opensSignInPage, WAITING_WORDS_AFTER_MS)
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
          <SteadyButton label="Cancel sign-in" onClick={() => void cancel()} />
        ) : (
          <SteadyButton
            label={waiting ? 'Getting token…' : 'Get token'}
            onClick={onGet}
            disabled={waiting || mine?.ending === true}
          />
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
        ) : waitingWords ? (
          <span className="oauth2-sign-in" role="status">
            Waiting for you to sign in in the browser…
          </span>
        ) : null}
      </div>
      {mine?.view ? <TokenFacts view={mine.view} /> : null}
    </div>
  )
}

/** The composer's Get token: the active tab's auth, with its collection and environment. */
export function OAuth2TokenButton() {
  const auth = useActiveDraft((d) => d.auth)
  const tabId = useAppStore((s) => s.activeTabId)
  const getToken = useAppStore((s) => s.getOAuth2Token)
  return (
    <OAuth2TokenPanel owner={tabId} auth={auth} askKey={tokenAskKey(auth)} onGet={() => void getToken()} />
  )
}

/**
 * A folder's or the collection's Get token, in its settings: the auth and the folder's own variables as the
 * dialog shows them (saved or not), with the collection's environment; the requests that inherit it send this
 * token once the settings are saved as they are.
 */
export function FolderOAuth2TokenButton({
  dir,
  path,
  auth,
  variables,
}: {
  dir: string
  path: string
  auth: AuthSpec
  variables: readonly Variable[]
}) {
  const getToken = useAppStore((s) => s.getFolderOAuth2Token)
  return (
    <OAuth2TokenPanel
      owner={folderTokenOwner(dir, path)}
      auth={auth}
      askKey={tokenAskKey(auth, variables)}
      onGet={() => void getToken(dir, path, auth, variables)}
    />
  )
}
