import type { OAuth2TokenView } from '../../shared/contract'
import { LinkedWords } from './LinkedWords'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'

/** "expires at 22:59 (60 min from when you asked)", "expired": when the token ends, and how long it had at `asked`. */
export function expiryText(expiresAt: number | null, asked: number): string {
  if (expiresAt === null) return 'no expiry given by the server'
  const left = expiresAt - asked
  if (left <= 0) return 'expired'
  const at = new Date(expiresAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  const span =
    left < 90_000
      ? `${Math.round(left / 1000)} s`
      : left < 90 * 60_000
        ? `${Math.round(left / 60_000)} min`
        : `${Math.round(left / 3_600_000)} h`
  return `expires at ${at} (${span} from when you asked)`
}

function TokenFacts({ view, asked }: { view: OAuth2TokenView; asked: number }) {
  const scope =
    view.scope === ''
      ? view.scopeGranted
        ? 'none granted'
        : 'none asked for'
      : view.scopeGranted
        ? view.scope
        : `${view.scope} (asked for; the server named none)`
  return (
    <dl className="oauth2-token-facts" aria-label="Token held">
      <dt>Token</dt>
      <dd>
        {view.tokenType} · <span className="mono">{view.preview}</span>
      </dd>
      <dt>Scope</dt>
      <dd>{scope}</dd>
      <dt>Expiry</dt>
      <dd>
        {expiryText(view.expiresAt, asked)}
        {view.refreshable ? ', then renewed with its refresh token' : ''}
      </dd>
    </dl>
  )
}

/**
 * The OAuth 2.0 form's "Get token": fetches the token a send would carry now (or finds it cached), with the tab's
 * environment. Its token request is on the timeline as a send's is; what the endpoint answered, or the token's
 * type, scope, expiry and a masked preview, shows right here.
 */
export function OAuth2TokenButton() {
  const auth = useActiveDraft((d) => d.auth)
  const tabId = useAppStore((s) => s.activeTabId)
  const asked = useAppStore((s) => s.oauth2Token)
  const getToken = useAppStore((s) => s.getOAuth2Token)
  const mine =
    asked !== null && asked.tabId === tabId && asked.authKey === JSON.stringify(auth) ? asked : null
  return (
    <div className="oauth2-token">
      <div className="oauth2-token-row">
        <button
          type="button"
          className="secondary-button"
          onClick={() => void getToken()}
          disabled={mine?.busy === true}
        >
          {mine?.busy === true ? 'Getting token…' : 'Get token'}
        </button>
        {mine?.error ? (
          <span className="field-error" role="alert">
            <LinkedWords text={mine.error.message} />
          </span>
        ) : null}
      </div>
      {mine?.view ? <TokenFacts view={mine.view} asked={mine.answeredAt} /> : null}
    </div>
  )
}
