import type { AuthType } from '../../shared/collection'
import { useAppStore } from '../store/store-context'
import { selectActiveTab } from '../tabs/active-draft'
import { useActiveDraft } from '../tabs/use-active-draft'

/** Kinds of request auth that an MQTT CONNECT or a Socket.IO handshake never carries (only OAuth 2.0 is sent). */
const NOT_SENT: Partial<Record<AuthType, string>> = {
  basic: 'Basic',
  bearer: 'Bearer token',
  apikey: 'API key',
  digest: 'Digest',
}

/**
 * What the request's collection auth (its file's `auth:`, or its folder's and the collection's when it inherits)
 * does for an MQTT or Socket.IO request, said where the person sets the protocol's own credentials: an OAuth 2.0
 * token is sent (the CONNECT password; the handshake's Bearer header and the payload's `token`), any other kind
 * is not, so a person coming from an HTTP client's Auth tab is not left thinking it was. A request outside any
 * collection has no folder or collection to inherit from, and its note says so.
 */
export function MessagingAuthNote({ mode }: { mode: 'mqtt' | 'socketio' }) {
  const type = useActiveDraft((d) => d.auth.type)
  const inQuery = useActiveDraft((d) => d.auth.type === 'oauth2' && d.auth.tokenIn === 'query')
  const inCollection = useAppStore((s) => (selectActiveTab(s)?.dir ?? null) !== null)
  const token =
    mode === 'mqtt'
      ? 'is sent as the password while Password is empty'
      : 'is sent as Authorization: Bearer and as the payload\u2019s token'
  const here = mode === 'mqtt' ? 'the user name and password above' : 'the auth payload above or Headers'
  const own = NOT_SENT[type]
  if (own)
    return (
      <p className="small auth-note messaging-auth-warning" role="note">
        This request{inCollection ? '\u2019s file' : ''} sets {own} auth, which{' '}
        {mode === 'mqtt' ? 'MQTT' : 'Socket.IO'} does not send: put credentials in {here}.
      </p>
    )
  // A token "As access_token in the query": MQTT refuses the open (messaging-token.ts), Socket.IO's handshake takes it.
  if (type === 'oauth2' && inQuery)
    return mode === 'mqtt' ? (
      <p className="small auth-note messaging-auth-warning" role="note">
        This request&apos;s OAuth 2.0 token goes &quot;As access_token in the query&quot;, and an MQTT CONNECT
        has no query: the open is refused unless Password is set. Choose &quot;In the Authorization
        header&quot; to send the token as the password.
      </p>
    ) : (
      <p className="muted small auth-note" role="note">
        This request&apos;s OAuth 2.0 token is sent as the handshake&apos;s access_token query parameter.
      </p>
    )
  if (type === 'oauth2')
    return (
      <p className="muted small auth-note" role="note">
        This request&apos;s OAuth 2.0 token {token}.
      </p>
    )
  if (type === 'none') return null
  if (!inCollection)
    return (
      <p className="muted small auth-note" role="note">
        This request is in no collection, so it inherits no auth: put credentials in {here}.
      </p>
    )
  return (
    <p className="muted small auth-note" role="note">
      A folder&apos;s or the collection&apos;s OAuth 2.0 token {token}; their Basic, Bearer, API key and
      Digest auth are not sent: put credentials in {here}.
    </p>
  )
}
