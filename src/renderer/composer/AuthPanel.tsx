import type { ReactNode } from 'react'
import type { AuthSpec, AuthType, RequestKind } from '../../shared/collection'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import { Field } from './AuthField'
import { inheritedAuthNotes, requestAuthNote } from './auth-notes'
import { OAuth2Fields } from './OAuth2Fields'
import { OAuth2TokenButton } from './OAuth2TokenButton'

const LABELS: Record<AuthType, string> = {
  inherit: 'Inherit from folder / collection',
  none: 'No auth',
  basic: 'Basic',
  bearer: 'Bearer token',
  apikey: 'API key',
  digest: 'Digest',
  oauth2: 'OAuth 2.0',
}

/** A fresh auth of a kind, keeping what carries over (a username from basic to digest). */
export function switchAuth(current: AuthSpec, type: AuthType): AuthSpec {
  const user = ('username' in current ? current.username : '') ?? ''
  const pass = ('password' in current ? current.password : '') ?? ''
  switch (type) {
    case 'inherit':
    case 'none':
      return { type }
    case 'basic':
    case 'digest':
      return { type, username: user, password: pass }
    case 'bearer':
      return { type, token: '' }
    case 'apikey':
      return { type, key: 'X-API-Key', value: '', in: 'header' }
    case 'oauth2':
      return {
        type,
        grant: 'client_credentials',
        tokenUrl: '',
        clientId: '',
        clientSecret: '',
        scope: '',
        clientAuth: 'basic',
      }
  }
}

/** The request's auth. Values may use {{variables}}; a secret belongs in a secret variable, not here. */
export function AuthPanel() {
  const auth = useActiveDraft((d) => d.auth)
  const kind = useActiveDraft((d) => d.kind)
  const setAuth = useAppStore((s) => s.setAuth)
  return (
    <AuthEditor
      auth={auth}
      onChange={setAuth}
      inheritNote="Uses the nearest folder's auth, else the collection's."
      kind={kind}
    >
      {auth.type === 'oauth2' ? <OAuth2TokenButton /> : null}
    </AuthEditor>
  )
}

/**
 * Auth fields for any owner: a request, a folder or the collection. `inherited`: the owner is a folder or the
 * collection, whose gRPC, MQTT and Socket.IO requests inside treat some kinds otherwise than HTTP; `kind`: the owner
 * is a request of that kind. What the chosen kind does for those protocols is said beside the type picker.
 */
export function AuthEditor({
  auth,
  onChange: setAuth,
  inheritNote,
  inherited = false,
  kind,
  children,
}: {
  auth: AuthSpec
  onChange(auth: AuthSpec): void
  inheritNote: string
  inherited?: boolean
  kind?: RequestKind
  /** What goes under the fields: Get token under an OAuth 2.0 auth (a request's, a folder's, the collection's). */
  children?: ReactNode
}) {
  const put = (patch: Partial<AuthSpec>): void => setAuth({ ...auth, ...patch } as AuthSpec)
  const own = kind === undefined ? null : requestAuthNote(auth, kind)
  const notes = [...(own === null ? [] : [own]), ...(inherited ? inheritedAuthNotes(auth) : [])]

  return (
    <div className="auth-panel">
      <label className="auth-field">
        <span className="auth-label">Type</span>
        <select
          className="field-input"
          aria-label="Auth type"
          value={auth.type}
          onChange={(e) => setAuth(switchAuth(auth, e.target.value as AuthType))}
        >
          {(Object.keys(LABELS) as AuthType[]).map((t) => (
            <option key={t} value={t}>
              {LABELS[t]}
            </option>
          ))}
        </select>
      </label>
      {notes.map((note) => (
        <p key={note} className="muted small auth-note" role="note">
          {note}
        </p>
      ))}
      {/* A gRPC call cannot carry Digest: its fields would invite a credential never sent (Basic keeps them). */}
      {auth.type === 'basic' || (auth.type === 'digest' && kind !== 'grpc') ? (
        <>
          <Field label="Username" value={auth.username} onChange={(username) => put({ username })} />
          <Field
            label="Password"
            value={auth.password}
            onChange={(password) => put({ password })}
            secret
            placeholder="{{password}}"
          />
        </>
      ) : null}
      {auth.type === 'bearer' ? (
        <>
          <Field
            label="Token"
            value={auth.token}
            onChange={(token) => put({ token })}
            placeholder="{{token}}"
          />
          <Field
            label="Prefix"
            value={auth.prefix ?? ''}
            // Empty is the default word: the key is left out, so a plain bearer's file stays as it was.
            onChange={(prefix) =>
              setAuth({ type: 'bearer', token: auth.token, ...(prefix === '' ? {} : { prefix }) })
            }
            placeholder="Bearer"
          />
        </>
      ) : null}
      {auth.type === 'apikey' ? (
        <>
          <Field label="Key" value={auth.key} onChange={(key) => put({ key })} />
          <Field
            label="Value"
            value={auth.value}
            onChange={(value) => put({ value })}
            placeholder="{{apiKey}}"
          />
          <label className="auth-field">
            <span className="auth-label">Add to</span>
            <select
              className="field-input"
              aria-label="API key location"
              value={auth.in}
              onChange={(e) => put({ in: e.target.value === 'query' ? 'query' : 'header' })}
            >
              <option value="header">Header</option>
              <option value="query">Query parameter</option>
            </select>
          </label>
        </>
      ) : null}
      {auth.type === 'oauth2' ? <OAuth2Fields auth={auth} onChange={setAuth} /> : null}
      {children}
      {auth.type === 'inherit' ? <p className="muted small auth-note">{inheritNote}</p> : null}
    </div>
  )
}
