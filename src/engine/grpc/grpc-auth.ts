import type { AuthSpec } from '../../shared/collection'
import type { KeyValue, RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import { applySimpleAuth } from '../auth/apply-auth'

/**
 * A gRPC call's auth, as metadata: the one rule for the app's Invoke and a run's gRPC step. Basic, Bearer and an
 * API key in a header go as the HTTP request would send them (`authorization`, the key's name), a header the
 * person set by hand winning. The kinds a call cannot carry (an API key in the query: a call has no query;
 * Digest's challenge and OAuth 2.0's token fetch belong to HTTP requests) refuse the call, naming the kind, so
 * a credential the person set is never quietly left behind.
 */

const NOT_SENT: Partial<Record<AuthSpec['type'], string>> = {
  digest: 'Digest',
  oauth2: 'OAuth 2.0',
}

export function grpcAuthMetadata(metadata: KeyValue[], auth: AuthSpec): Result<KeyValue[]> {
  const kind =
    auth.type === 'apikey' && auth.in === 'query' && auth.key.trim() !== ''
      ? 'an API key in the query'
      : NOT_SENT[auth.type]
  if (kind !== undefined) {
    return fail(
      'invalid_request',
      `A gRPC call cannot send ${kind} auth (it sends Basic, Bearer or an API key in a header as metadata): set the request's Auth to one of them or None, or put the credential in Metadata. Nothing was sent`,
    )
  }
  const carrier: RequestSpec = {
    method: 'POST',
    url: '',
    headers: metadata,
    body: { kind: 'none' },
    options: {},
  }
  return ok(applySimpleAuth(carrier, auth).headers)
}
