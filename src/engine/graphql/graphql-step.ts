import type { SavedRequest } from '../../shared/collection'
import { GRAPHQL_ACCEPT } from '../../shared/graphql'
import { graphqlPostSpec } from '../../shared/graphql-saved'
import type { RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'

/**
 * A saved GraphQL request as a run's step: a query or mutation is an HTTP step (a POST of the GraphQL
 * parameters, so assertions and extractions read `$.data…` and `$.errors` as JSONPath on the result), a
 * subscription over SSE an SSE step (stop conditions as for any stream). The body is put together as text so
 * `{{variables}}` in the query and the variables still resolve at the step's start, as in any request. The
 * WebSocket transports need the engine's GraphQL session, which runs do not open yet: such a step is refused
 * when the run is planned, with words.
 */
export function graphqlStep(
  req: SavedRequest,
  where: string,
): Result<{ kind: 'http' | 'sse'; request: RequestSpec }> {
  const g = req.graphql
  if (!g || !g.query.trim()) return fail('invalid_request', `${where}: a GraphQL request needs a query`)
  const transport = g.transport ?? 'http'
  if (transport !== 'http' && transport !== 'sse')
    return fail(
      'unsupported',
      `${where}: runs take GraphQL over http and sse; a subscription over ${transport} runs from the app or flightdeck graphql`,
    )
  const variables = g.variables?.trim() ?? ''
  // A variables text without {{…}} is checked now; one with them once they are filled in (by the server).
  if (variables && !variables.includes('{{')) {
    let value: unknown
    try {
      value = JSON.parse(variables)
    } catch {
      value = null
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return fail('invalid_request', `${where}: the GraphQL variables are not a JSON object`)
  }
  const accept = transport === 'sse' ? 'text/event-stream' : GRAPHQL_ACCEPT
  return ok({ kind: transport, request: graphqlPostSpec(req, g, accept) })
}
