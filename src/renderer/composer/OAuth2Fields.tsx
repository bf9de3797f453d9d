import type { AuthSpec } from '../../shared/collection'
import { Field } from './AuthField'

type OAuth2 = Extract<AuthSpec, { type: 'oauth2' }>
type Grant = OAuth2['grant']

const GRANTS: Record<Grant, string> = {
  authorization_code: 'Authorization code (PKCE)',
  password: 'Password',
  client_credentials: 'Client credentials',
}

const NOTES: Record<Grant, string> = {
  authorization_code:
    'On send (or Get token) you sign in: the desktop app opens the page in your browser; here you are given its link. The code comes back to a listener on 127.0.0.1; the token is cached and renewed with its refresh token.',
  password:
    'The token is fetched on send (or with Get token) with these credentials, cached, and renewed with its refresh token.',
  client_credentials:
    'The token is fetched on send (or with Get token), cached until it expires, then fetched again.',
}

function Choice<T extends string>(props: {
  label: string
  value: T
  options: Record<T, string>
  onChange(v: T): void
}) {
  return (
    <label className="auth-field">
      <span className="auth-label">{props.label}</span>
      <select
        className="field-input"
        aria-label={props.label}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {(Object.keys(props.options) as T[]).map((k) => (
          <option key={k} value={k}>
            {props.options[k]}
          </option>
        ))}
      </select>
    </label>
  )
}

/** Without the grant-specific fields another grant left (a password does not linger under the code grant). */
function forGrant(auth: OAuth2, grant: Grant): OAuth2 {
  const { authUrl, redirectUri, pkce, username, password, ...common } = auth
  if (grant === 'authorization_code')
    return {
      ...common,
      grant,
      authUrl: authUrl ?? '',
      ...(redirectUri !== undefined ? { redirectUri } : {}),
      pkce: pkce ?? 'S256',
    }
  if (grant === 'password') return { ...common, grant, username: username ?? '', password: password ?? '' }
  return { ...common, grant }
}

/** The OAuth 2.0 auth's fields for its grant. */
export function OAuth2Fields({ auth, onChange }: { auth: OAuth2; onChange(a: AuthSpec): void }) {
  const put = (patch: Partial<OAuth2>): void => onChange({ ...auth, ...patch })
  const code = auth.grant === 'authorization_code'
  return (
    <>
      <Choice
        label="Grant type"
        value={auth.grant}
        options={GRANTS}
        onChange={(g) => onChange(forGrant(auth, g))}
      />
      {code ? (
        <Field
          label="Authorization URL"
          value={auth.authUrl ?? ''}
          onChange={(authUrl) => put({ authUrl })}
          placeholder="https://auth.example.com/authorize"
        />
      ) : null}
      <Field
        label="Token URL"
        value={auth.tokenUrl}
        onChange={(tokenUrl) => put({ tokenUrl })}
        placeholder="{{baseUrl}}/oauth/token"
      />
      <Field label="Client ID" value={auth.clientId} onChange={(clientId) => put({ clientId })} />
      <Field
        label="Client secret"
        value={auth.clientSecret}
        onChange={(clientSecret) => put({ clientSecret })}
        secret
        placeholder={code ? 'empty for a public client' : '{{clientSecret}}'}
      />
      {auth.grant === 'password' ? (
        <>
          <Field label="Username" value={auth.username ?? ''} onChange={(username) => put({ username })} />
          <Field
            label="Password"
            value={auth.password ?? ''}
            onChange={(password) => put({ password })}
            secret
            placeholder="{{password}}"
          />
        </>
      ) : null}
      <Field label="Scope" value={auth.scope} onChange={(scope) => put({ scope })} />
      {code ? (
        <>
          <Field
            label="Redirect URI"
            value={auth.redirectUri ?? ''}
            onChange={(redirectUri) => put({ redirectUri })}
            placeholder="http://127.0.0.1:<free port>/callback"
          />
          <Choice
            label="PKCE"
            value={auth.pkce ?? 'S256'}
            options={{ S256: 'SHA-256 (S256)', plain: 'Plain', off: 'Off' }}
            onChange={(pkce) => put({ pkce })}
          />
        </>
      ) : null}
      <Choice
        label="Send client credentials"
        value={auth.clientAuth}
        options={{ basic: 'As Basic auth header', body: 'In the request body' }}
        onChange={(clientAuth) => put({ clientAuth })}
      />
      <Choice
        label="Send the token"
        value={auth.tokenIn ?? 'header'}
        options={{ header: 'In the Authorization header', query: 'As access_token in the query' }}
        onChange={(tokenIn) => put({ tokenIn })}
      />
      <p className="muted small auth-note">{NOTES[auth.grant]}</p>
    </>
  )
}
