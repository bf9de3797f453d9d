import { graphqlHttpRequest, type GraphqlParams } from '../../shared/graphql'
import type { RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import { parseObject } from './graphql-handlers'

/** A GraphQL query step sent by GET: the operation its query string names (its query and variables are texts). */
export interface GraphqlGetStepFields {
  operationName?: string
}

/**
 * A GraphQL query step saved as a GET, once the step's `{{variables}}` are resolved: its query and variables go
 * in the URL's query string, each parameter percent-encoded once (so a value holding `&`, `=` or spaces stays
 * one value), as the app's Send does. The URL can only be put together now: encoding it at planning time would
 * encode the `{{…}}` and not the values. A mutation is refused in the app's words (GraphQL over HTTP forbids it
 * by GET, servers answer 405). The document is parsed here, so `graphql` is loaded only by a run that has one.
 */
export async function graphqlGetRequest(
  spec: RequestSpec,
  texts: readonly string[],
  get: GraphqlGetStepFields,
): Promise<Result<RequestSpec>> {
  const [query = '', variablesText = ''] = texts
  const { pickOperation } = await import('../../shared/graphql-document')
  const picked = pickOperation(query, get.operationName)
  if (!picked.ok) return picked
  if (picked.value.type === 'mutation')
    return fail('invalid_request', 'A mutation cannot be sent with GET (GraphQL over HTTP allows only POST)')
  if (picked.value.type === 'subscription')
    return fail(
      'invalid_request',
      'A subscription needs a streaming transport: WebSocket (ws, transport-ws, legacy-ws) or SSE',
    )
  const variables = parseObject(variablesText.trim(), 'variables')
  if (!variables.ok) return variables
  const params: GraphqlParams = {
    query,
    ...(variables.value ? { variables: variables.value } : {}),
    ...(get.operationName ? { operationName: get.operationName } : {}),
  }
  return ok(graphqlHttpRequest(spec.url, 'GET', params, spec.headers, spec.options))
}
