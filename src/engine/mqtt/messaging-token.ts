import type { AuthSpec, RequestContext } from '../../shared/collection'
import type { KeyValue, RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import type { AuthRunner } from '../auth/auth-runner'
import { authChainFor, prepareRequest } from '../collections/handlers'
import type { CollectionManager } from '../collections/manager'
import { effectiveAuth } from '../send-rules/auth-chain'

/**
 * The OAuth 2.0 token an MQTT or Socket.IO session carries when its request (in a run) or its folder or
 * collection, or the request itself (in the app), uses OAuth 2.0: fetched, cached and refreshed by the engine's OAuth cache as an HTTP
 * send's, and dropped when the broker or server refuses it (`refused`), so the next open gets a fresh one, as
 * after an HTTP 401 or a GraphQL-WS refusal. MQTT sends it as CONNECT's password, Socket.IO as the handshake's
 * `Authorization` header and the auth payload's `token` (mqtt-handlers.ts, socketio-handlers.ts); with the auth's
 * `tokenIn: query` (`in`), Socket.IO sends it as the handshake's `access_token` query parameter instead (where
 * an HTTP request and Postman's OAuth 2.0 "Request URL" put it) and MQTT refuses the open (see mqttTokenInQuery).
 */
export interface MessagingToken {
  token: string
  in: TokenPlace
  refused: () => void
}

export type TokenPlace = 'header' | 'query'

/**
 * The token an authorized request carries where its OAuth 2.0 auth put it: the Authorization header's value after
 * its scheme, or the URL's `access_token` parameter (auth-runner.ts's withToken).
 */
export function tokenCarried(
  authorized: RequestSpec,
  auth: AuthSpec | undefined,
): { token: string; in: TokenPlace } | null {
  if (auth?.type === 'oauth2' && auth.tokenIn === 'query') {
    let token: string | null = null
    try {
      token = new URL(authorized.url).searchParams.get('access_token')
    } catch {
      token = null
    }
    return token ? { token, in: 'query' } : null
  }
  const header = authorized.headers.find((h) => h.enabled && h.name.toLowerCase() === 'authorization')
  // `<type> <token>`, as the cache wrote it.
  const token = header?.value.replace(/^\S+\s+/, '') ?? ''
  return token ? { token, in: 'header' } : null
}

/**
 * MQTT has no query: an OAuth 2.0 auth that sends its token in the query is refused in words before anything is
 * fetched or connected, rather than opening the session with no token.
 */
export function mqttTokenInQuery(): Result<never> {
  return fail(
    'auth',
    'OAuth 2.0 sends its token "As access_token in the query", and an MQTT CONNECT has no query: choose "In the Authorization header" (MQTT then sends the token as CONNECT\'s password), or give a password of your own',
  )
}

export type Authorize = AuthRunner['authorize']

/**
 * The token `auth` gives (null: not OAuth 2.0, or the request sets its own Authorization header). `protocol`
 * mqtt refuses a token sent in the query; gRPC's caller gives none (it sends a query token's auth as it is).
 */
export async function oauthToken(
  authorize: Authorize,
  spec: RequestSpec,
  auth: AuthSpec,
  protocol?: 'mqtt' | 'socketio',
): Promise<Result<MessagingToken | null>> {
  if (auth.type !== 'oauth2') return ok(null)
  if (protocol === 'mqtt' && auth.tokenIn === 'query') return mqttTokenInQuery()
  const r = await authorize(spec, auth, 'WebSocket')
  if (!r.ok) return r
  const { refused } = r.value
  if (!refused) return ok(null)
  const carried = tokenCarried(r.value.spec, auth)
  return carried ? ok({ ...carried, refused }) : ok(null)
}

/**
 * The token for a session the app opens: the request's own OAuth 2.0, or (its auth `inherit`, the default) its
 * folder's or collection's when it is a saved request.
 */
export type TokenFor = (
  protocol: 'mqtt' | 'socketio',
  url: string,
  context: RequestContext | undefined,
  own?: AuthSpec,
) => Promise<Result<MessagingToken | null>>

export function messagingTokens(
  manager: CollectionManager,
  auth: AuthRunner,
  ready?: Promise<void>,
): TokenFor {
  return async (protocol, url, context, own = { type: 'inherit' }) => {
    const saved = context !== undefined && context.path !== ''
    if (!saved && own.type !== 'oauth2') return ok(null)
    if (ready) await ready
    // Only OAuth 2.0 is resolved here: another auth (a bearer `{{token}}` unset, say) never stopped an open.
    const chain = saved ? authChainFor(manager, context, own) : [own]
    if (effectiveAuth(chain).type !== 'oauth2') return ok(null)
    const request: RequestSpec = { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} }
    const prepared = await prepareRequest(manager, request, own, context)
    if (!prepared.ok) return prepared
    return oauthToken(
      (s, a, k) => auth.authorize(s, a, k),
      prepared.value.spec,
      prepared.value.auth,
      protocol,
    )
  }
}

/**
 * A Socket.IO handshake carrying `token`: as its `Authorization: Bearer` header (what an HTTP or WebSocket
 * request of the same folder sends; a header of the request's own is kept) and as the auth payload's `token`
 * (where Socket.IO's own guide has a server read it, `socket.handshake.auth.token`; one the payload sets is kept).
 */
export function withToken(
  headers: KeyValue[],
  auth: Record<string, unknown> | null,
  token: string,
): { headers: KeyValue[]; auth: Record<string, unknown> } {
  const has = headers.some((h) => h.enabled && h.name.toLowerCase() === 'authorization')
  return {
    headers: has ? headers : [...headers, { name: 'Authorization', value: `Bearer ${token}`, enabled: true }],
    auth: auth && 'token' in auth ? auth : { ...auth, token },
  }
}
