import type { SavedRequest } from '../../shared/collection'
import type { Assertion } from '../../shared/run-spec'
import { runAssertions, type AssertionResult, type ResponseView } from '../runner/checks'
import { graphqlRequestSpec } from '../../shared/graphql-saved'
import type { RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import type { GraphqlGetStepFields } from './graphql-get-step'
import type { GraphqlWsStepFields } from './graphql-ws-step'

/**
 * A saved GraphQL request as a run's step: a query or mutation is an HTTP step (a POST of the GraphQL
 * parameters, or a GET of them when saved so: graphql-get-step.ts builds its URL at the step's start; so assertions and extractions read `$.data…` and `$.errors` as JSONPath on the result), a
 * subscription over SSE an SSE step (stop conditions as for any stream). The body is put together as text so
 * `{{variables}}` in the query and the variables still resolve at the step's start, as in any request. Over a
 * WebSocket transport the step is a `graphql` stream step (graphql-ws-step.ts): the engine's GraphQL session,
 * its query, variables and connection params resolved at the step's start as texts of their own; over `sse-single`
 * too (graphql-ws-step.ts opens it on a reserved stream of the step's own).
 */
export function graphqlStep(
  req: SavedRequest,
  where: string,
): Result<
  | { kind: 'http'; request: RequestSpec; get?: GraphqlGetStepFields; texts?: string[] }
  | { kind: 'sse'; request: RequestSpec; graphql: GraphqlWsStepFields }
  | { kind: 'graphql'; request: RequestSpec; graphql: GraphqlWsStepFields; texts: string[] }
> {
  const g = req.graphql
  if (!g || !g.query.trim()) return fail('invalid_request', `${where}: a GraphQL request needs a query`)
  const transport = g.transport ?? 'http'
  if (!jsonObjectOrLater(g.variables))
    return fail('invalid_request', `${where}: the GraphQL variables are not a JSON object`)
  // The request as savedToSpec gives it, true to the transport and method saved.
  const request = graphqlRequestSpec(req, g)
  if (transport === 'http' && req.method.trim().toUpperCase() === 'GET') {
    // The URL is put together at the step's start, from the query and variables resolved as texts.
    return ok({
      kind: 'http',
      request,
      get: g.operationName?.trim() ? { operationName: g.operationName.trim() } : {},
      texts: [g.query, g.variables?.trim() ?? ''],
    })
  }
  if (transport === 'http') return ok({ kind: 'http', request })
  // An SSE step; `graphql` says its events are results, for the checks on their content.
  if (transport === 'sse')
    return ok({
      kind: 'sse',
      request,
      graphql: { transport: 'sse' },
    })
  // Single connection mode: the engine's reserved stream (a PUT, a GET, the operation's POST), one per step.
  if (transport === 'sse-single')
    return ok({
      kind: 'graphql',
      request,
      graphql: { transport, ...(g.operationName?.trim() ? { operationName: g.operationName.trim() } : {}) },
      texts: [g.query, g.variables?.trim() ?? ''],
    })
  if (!jsonObjectOrLater(g.connectionParams))
    return fail('invalid_request', `${where}: the GraphQL connection params are not a JSON object`)
  return ok({
    kind: 'graphql',
    request,
    graphql: { transport, ...(g.operationName?.trim() ? { operationName: g.operationName.trim() } : {}) },
    texts: [g.query, g.variables?.trim() ?? '', g.connectionParams?.trim() ?? ''],
  })
}

/** A text without {{…}} is checked now; one with them once they are filled in (at the step's start or by the server). */
function jsonObjectOrLater(text: string | undefined): boolean {
  const t = text?.trim() ?? ''
  if (!t || t.includes('{{')) return true
  try {
    const value: unknown = JSON.parse(t)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
  } catch {
    return false
  }
}

/** Whether a step checks `$.errors` itself (to expect errors, or to say which): then it decides alone. */
export function checksGraphqlErrors(assertions: readonly Assertion[]): boolean {
  return assertions.some((a) => a.kind === 'json' && a.path.replace(/\s/g, '').startsWith('$.errors'))
}

/**
 * A query or mutation step whose answer carried GraphQL `errors` fails, as `flightdeck graphql` exits 1 for it
 * (a GraphQL server answers errors with HTTP 200, so a status check alone would pass it). An answer that is not
 * JSON is left to the step's own checks.
 */
export function queryAnswerErrors(view: ResponseView): AssertionResult[] {
  const implied: Assertion = { kind: 'json', path: '$.errors', exists: false }
  const [r] = runAssertions([implied], view)
  if (!r || r.passed || r.message !== '$.errors exists') return []
  return [
    {
      assertion: implied,
      passed: false,
      message: 'GraphQL errors: $.errors exists (add a check on $.errors to expect them)',
    },
  ]
}

/**
 * A query sent by GET whose URL the server found too long (414, or 431 as Node answers a request line past its
 * header limit) fails its step, saying how long the URL was: without it a step with no status check would pass
 * on an answer that never reached GraphQL. The same request saved as a POST has no such limit.
 */
export function getUrlTooLong(view: ResponseView, url: string): AssertionResult[] {
  const status = view.done.status
  if (status !== 414 && status !== 431) return []
  return [
    {
      assertion: { kind: 'status', max: 413 },
      passed: false,
      message: `The server refused the GET's URL (${Buffer.byteLength(url)} bytes) with ${status}: save the request as a POST`,
    },
  ]
}
