import type { AuthSpec } from '../../shared/collection'
import type { KeyValue, RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import { applySimpleAuth } from '../auth/apply-auth'
import { oauthToken, type Authorize } from '../mqtt/messaging-token'

/**
 * A gRPC call's auth, as metadata: the one rule for the app's Invoke and reflection, `flightdeck grpc
 * --collection` and a run's gRPC step. Basic, Bearer and an API key in a header go as the HTTP request would send
 * them (`authorization`, the key's name), a header the person set by hand winning. OAuth 2.0's token is fetched
 * (and cached, refreshed, shared) by the engine's OAuth cache as an HTTP send's is, and goes as `authorization:
 * Bearer <token>`, as Postman and Insomnia send it. The kinds a call cannot carry (an API key or an OAuth 2.0
 * token in the query: a call has no query; Digest's challenge is an HTTP exchange) refuse the call, naming the
 * kind, so a credential the person set is never quietly left behind.
 */

const NOT_SENT: Partial<Record<AuthSpec['type'], string>> = {
  digest: 'Digest',
  oauth2: 'OAuth 2.0',
}

const CARRIES =
  'it sends Basic, Bearer, an API key in a header or an OAuth 2.0 token in the authorization header as metadata'

function refusal(kind: string): Result<never> {
  return fail(
    'invalid_request',
    `A gRPC call cannot send ${kind} auth (${CARRIES}): set the request's Auth to one of them or None, or put the credential in Metadata. Nothing was sent`,
  )
}

function inQuery(auth: AuthSpec): string | null {
  if (auth.type === 'apikey' && auth.in === 'query' && auth.key.trim() !== '')
    return 'an API key in the query'
  if (auth.type === 'oauth2' && auth.tokenIn === 'query') return 'an OAuth 2.0 token in the query'
  return null
}

/**
 * The metadata with the auth's credential, for the kinds that need no exchange; OAuth 2.0 (whose token needs
 * one) is refused here: `grpcCallMetadata` fetches it.
 */
export function grpcAuthMetadata(metadata: KeyValue[], auth: AuthSpec): Result<KeyValue[]> {
  const kind = inQuery(auth) ?? NOT_SENT[auth.type]
  if (kind !== undefined) return refusal(kind)
  const carrier: RequestSpec = {
    method: 'POST',
    url: '',
    headers: metadata,
    body: { kind: 'none' },
    options: {},
  }
  return ok(applySimpleAuth(carrier, auth).headers)
}

export interface GrpcCallAuth {
  metadata: KeyValue[]
  /** For the caller to call when the server answers UNAUTHENTICATED: the OAuth 2.0 token used is dropped. */
  refused?: () => void
}

/**
 * The metadata a call sends, its auth's credential in it; for OAuth 2.0 the token comes from `authorize` (the
 * engine's AuthRunner), before anything is sent: a token request that fails refuses the call in its words.
 */
export async function grpcCallMetadata(
  metadata: KeyValue[],
  auth: AuthSpec,
  authorize: Authorize | undefined,
): Promise<Result<GrpcCallAuth>> {
  if (auth.type !== 'oauth2' || authorize === undefined || inQuery(auth) !== null) {
    const simple = grpcAuthMetadata(metadata, auth)
    return simple.ok ? ok({ metadata: simple.value }) : simple
  }
  const carrier: RequestSpec = {
    method: 'POST',
    url: '',
    headers: metadata,
    body: { kind: 'none' },
    options: {},
  }
  const token = await oauthToken(authorize, carrier, auth)
  if (!token.ok) {
    const said = token.error.message.replace(/[.\s]+$/, '')
    return fail(token.error.code, `${said}. Nothing was sent`, token.error.detail)
  }
  // null: an authorization row set by hand, which wins.
  if (token.value === null) return ok({ metadata })
  return ok({
    metadata: [...metadata, { name: 'authorization', value: `Bearer ${token.value.token}`, enabled: true }],
    refused: token.value.refused,
  })
}
