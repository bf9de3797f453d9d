import type { GraphqlParams, GraphqlTransport } from '../../shared/graphql'
import { subprotocolsOf } from '../../shared/graphql'
import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import type { StreamEntry } from '../../shared/streams'
import { ok, type Result } from '../../shared/result'
import type { Assertion } from '../../shared/run-spec'
import type { AssertionResult } from '../runner/checks'
import type { AuthRunner } from '../auth/auth-runner'
import type { HttpEngine } from '../http/http-engine'
import type { StreamEngine } from '../streams/stream-engine'
import { connectOptionsOf } from '../sessions/connect-options'

/**
 * A run's GraphQL subscription step: what its saved request says beyond the URL, headers and auth. Over a
 * WebSocket transport it opens the session below; over `sse` the step is an SSE step, and this says that its
 * events are GraphQL results (for graphqlStepChecks).
 */
export interface GraphqlWsStepFields {
  transport: Exclude<GraphqlTransport, 'http'>
  operationName?: string
}

/**
 * A GraphQL subscription step's view of its results: which log entries are results (what message-count and
 * `stop: count` count), and the checks on their content (`json`, `body-contains`; other kinds are the stream
 * step's, null). Loaded only when a run has such a step.
 */
export async function graphqlStepChecks(
  streams: StreamEngine,
  fields: GraphqlWsStepFields,
): Promise<{
  assert(a: Assertion, sid: string): AssertionResult | null
  implied(assertions: readonly Assertion[], sid: string): AssertionResult[]
  counts(e: StreamEntry): boolean
}> {
  const { subscriptionAssertion, resultsWithoutErrors, isResultOver } = await import('./graphql-step-checks')
  const over = fields.transport === 'sse' || fields.transport === 'sse-single' ? fields.transport : 'ws'
  return {
    assert: (a, sid) => subscriptionAssertion(streams, sid, a, over),
    implied: (assertions, sid) => resultsWithoutErrors(streams, sid, assertions, over),
    counts: (e) => isResultOver(over, e),
  }
}

/**
 * How a run's GraphQL subscription over a WebSocket transport opens its session: the engine's GraphQL session
 * (graphql-ws-session.ts: handshake, subscribe, results, the protocol's stop on close), with no reconnects — a
 * run measures one connection. `texts` are the query, the variables and the connection params, their
 * `{{variables}}` already resolved. The rest of the step (stop conditions, counting results, assertions) is
 * the stream step's (runner/stream-step.ts). The document is parsed, and `graphql` loaded, only when such a
 * step runs.
 */
export function graphqlWsStepHooks(
  streams: StreamEngine,
  fields: GraphqlWsStepFields,
  texts: readonly string[],
  exchanges: { http: HttpEngine; auth?: AuthRunner | undefined },
): {
  open(spec: RequestSpec, auth: AuthSpec, refused?: () => void): Promise<Result<{ sid: string }>>
  afterOpen(): void
  authorizes: boolean
} {
  return {
    // Single connection mode's PUT, GET, POSTs and DELETE are each authorized as they are sent; a WebSocket's
    // upgrade arrives authorized.
    authorizes: fields.transport === 'sse-single',
    open: async (spec, auth, refused) => {
      if (fields.transport === 'sse-single')
        return openSseSingleStep(streams, fields, texts, exchanges, spec, auth)
      const [{ pickOperation }, handlers, { GraphqlWsSession }, { DEFAULT_GRAPHQL_WS_OPTIONS }] =
        await Promise.all([
          import('../../shared/graphql-document'),
          import('./graphql-handlers'),
          import('./graphql-ws-session'),
          import('./graphql-ws-options'),
        ])
      const [query = '', varsText = '', paramsText = ''] = texts
      const picked = pickOperation(query, fields.operationName)
      if (!picked.ok) return picked
      const variables = handlers.parseObject(varsText, 'variables')
      if (!variables.ok) return variables
      const connectionParams = handlers.parseObject(paramsText, 'connection params')
      if (!connectionParams.ok) return connectionParams
      const params: GraphqlParams = {
        query,
        ...(variables.value ? { variables: variables.value } : {}),
        ...(fields.operationName ? { operationName: fields.operationName } : {}),
      }
      const session = streams.openSession(
        'g',
        (init) =>
          new GraphqlWsSession({
            ...init,
            url: handlers.toWsUrl(spec.url),
            headers: spec.headers,
            protocols: subprotocolsOf(fields.transport),
            params,
            operation: picked.value,
            ...(connectionParams.value ? { connectionParams: connectionParams.value } : {}),
            ...(refused ? { onUnauthorized: refused } : {}),
            options: {
              ...DEFAULT_GRAPHQL_WS_OPTIONS,
              reconnect: false,
              ...connectOptionsOf(spec.options),
            },
          }),
      )
      session.start()
      return ok({ sid: session.sid })
    },
    // The subscribe is the session's own, sent once the server acknowledged.
    afterOpen: () => undefined,
  }
}

/**
 * A run's subscription over GraphQL over SSE's single connection mode: the engine's own (graphql-sse-single.ts:
 * the PUT that reserves a stream, the GET that opens it, the operation's POST onto it), on a stream of the
 * step's own — a run measures one connection — closed as the step's operation ends. Each exchange is authorized
 * with the step's auth as it is sent, as when the app sends the operation (a digest answer is for one method).
 */
async function openSseSingleStep(
  streams: StreamEngine,
  fields: GraphqlWsStepFields,
  texts: readonly string[],
  exchanges: { http: HttpEngine; auth?: AuthRunner | undefined },
  spec: RequestSpec,
  auth: AuthSpec,
): Promise<Result<{ sid: string }>> {
  const [{ pickOperation }, handlers, { openSseSingle, SseStreamPool }] = await Promise.all([
    import('../../shared/graphql-document'),
    import('./graphql-handlers'),
    import('./graphql-sse-single'),
  ])
  const [query = '', varsText = ''] = texts
  const picked = pickOperation(query, fields.operationName)
  if (!picked.ok) return picked
  const variables = handlers.parseObject(varsText, 'variables')
  if (!variables.ok) return variables
  const params: GraphqlParams = {
    query,
    ...(variables.value ? { variables: variables.value } : {}),
    ...(fields.operationName ? { operationName: fields.operationName } : {}),
  }
  const runner = exchanges.auth ?? new (await import('../auth/auth-runner')).AuthRunner(exchanges.http)
  const deps = { http: exchanges.http, auth: runner, streams, emit: () => undefined }
  const o = { spec, auth, params, op: picked.value }
  const opened = await openSseSingle(deps, new SseStreamPool(), o)
  return opened.ok ? ok({ sid: opened.value }) : opened
}
