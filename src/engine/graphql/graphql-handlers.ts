import type { CommandRequest, CommandResponse } from '../../shared/contract'
import {
  graphqlHttpRequest,
  operationLabel,
  paramsJson,
  subprotocolsOf,
  type GraphqlParams,
  type GraphqlTransport,
  type PickedOperation,
} from '../../shared/graphql'
import type { RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import type { TimelineEvent } from '../../shared/timeline'
import type { AuthRunner } from '../auth/auth-runner'
import { prepareRequest } from '../collections/handlers'
import type { CollectionManager } from '../collections/manager'
import type { HttpEngine } from '../http/http-engine'
import { checkUrlScheme, graphqlUrlMode } from '../sessions/url-schemes'
import type { StreamEngine } from '../streams/stream-engine'
import { DEFAULT_GRAPHQL_WS_OPTIONS } from './graphql-ws-options'
import { connectOptionsOf } from '../sessions/connect-options'
import { GraphqlWsSession } from './graphql-ws-session'
import { MuxPool } from './graphql-ws-mux'
import { resultEvent } from './graphql-result'
import { openSseDistinct } from './graphql-sse'
import { openSseSingle, SseStreamPool } from './graphql-sse-single'

/**
 * `graphql.send`: one GraphQL operation, over the transport asked for. A query or mutation over HTTP is an
 * exchange of the HTTP engine (every phase, auth, cookies, redirects), its row named after the operation; once
 * it ends its result is read and a `graphql` event tells the row its errors. A subscription (or any operation
 * over a streaming transport) is a session on the kernel: over a WebSocket (graphql-ws-session.ts) or SSE
 * (an SSE session whose request is the operation's POST).
 *
 * Variables, headers, the URL, the query and the connection params resolve `{{variables}}` as a request's do;
 * auth applies as for any request (to the upgrade or the POST).
 */

export interface GraphqlDeps {
  manager: CollectionManager
  auth: AuthRunner
  http: HttpEngine
  streams: StreamEngine
  emit(e: TimelineEvent): void
  ready?: Promise<void>
}

type Handler<C extends 'graphql.send' | 'graphql.schemaFile'> = (
  p: CommandRequest<C>,
) => Promise<Result<CommandResponse<C>>>

export function createGraphqlHandlers(deps: GraphqlDeps): {
  'graphql.send': Handler<'graphql.send'>
  'graphql.schemaFile': Handler<'graphql.schemaFile'>
} {
  // The engine's shared GraphQL WebSocket connections, by URL, subprotocols, headers and params.
  const pool = new MuxPool()
  // Its reserved GraphQL event streams (single connection mode), by URL, headers and auth.
  const ssePool = new SseStreamPool()
  return {
    'graphql.send': (p) => sendGraphql(deps, pool, ssePool, p),
    // Loaded with the first schema file: it brings `graphql` in.
    'graphql.schemaFile': async (p) =>
      (await import('./graphql-schema-file')).readSchemaFile(deps.manager, p),
  }
}

async function sendGraphql(
  deps: GraphqlDeps,
  pool: MuxPool,
  ssePool: SseStreamPool,
  p: CommandRequest<'graphql.send'>,
): Promise<Result<CommandResponse<'graphql.send'>>> {
  if (deps.ready) await deps.ready
  const transport = p.transport
  // Variables resolve inside the texts as they do in a request: the query, the variables and the params.
  const carrier: RequestSpec = {
    method: transport === 'http' ? (p.method ?? 'POST') : 'GET',
    url: p.url,
    headers: p.headers,
    body: { kind: 'none' },
    options: p.options ?? {},
  }
  const texts = [
    p.query,
    p.variablesText ?? (p.variables ? JSON.stringify(p.variables) : ''),
    p.connectionParamsText ?? (p.connectionParams ? JSON.stringify(p.connectionParams) : ''),
  ]
  const prepared = await prepareRequest(
    deps.manager,
    carrier,
    p.auth ?? { type: 'inherit' },
    p.context,
    texts,
  )
  if (!prepared.ok) return prepared
  const scheme = checkUrlScheme(graphqlUrlMode(transport), prepared.value.spec.url)
  if (!scheme.ok) return scheme
  const [query = p.query, varsText = '', paramsText = ''] = prepared.value.extra
  // The document is parsed as it is sent, its {{variables}} filled and its \{{ escapes read, as an HTTP body is:
  // a `\{{x}}` in a string literal is not GraphQL's escape, and a value may hold quotes or braces. The
  // `graphql` library is loaded only now: nothing else in the engine pays for it.
  const { pickOperation } = await import('../../shared/graphql-document')
  const picked = pickOperation(query, p.operationName)
  if (!picked.ok) return picked
  const op = picked.value
  if (op.type === 'subscription' && transport === 'http')
    return fail(
      'invalid_request',
      'A subscription needs a streaming transport: WebSocket (ws, transport-ws, legacy-ws) or SSE',
    )
  if (op.type === 'mutation' && transport === 'http' && p.method === 'GET')
    return fail('invalid_request', 'A mutation cannot be sent with GET (GraphQL over HTTP allows only POST)')
  const variables = parseObject(varsText, 'variables')
  if (!variables.ok) return variables
  const connectionParams = parseObject(paramsText, 'connection params')
  if (!connectionParams.ok) return connectionParams
  const params: GraphqlParams = {
    query,
    ...(variables.value ? { variables: variables.value } : {}),
    ...(p.operationName?.trim() ? { operationName: p.operationName.trim() } : {}),
  }
  const { spec, auth } = prepared.value
  const label = operationLabel(op)

  if (transport === 'http') {
    const request = graphqlHttpRequest(spec.url, p.method ?? 'POST', params, spec.headers, spec.options)
    const empty = prepared.value.emptySecrets
    const sent = await deps.auth.send(request, auth, 1, {
      name: label,
      ...(empty ? { emptySecrets: empty } : {}),
    })
    if (!sent.ok) return sent
    const sid = sent.value.sids[0] ?? ''
    void reportResult(deps, sid, op)
    return ok({ sid, operation: op, transport })
  }

  if (transport === 'sse' || transport === 'sse-single') {
    const o = { spec, auth, params, op }
    if (transport === 'sse-single') {
      const opened = await openSseSingle(deps, ssePool, o)
      return opened.ok ? ok({ sid: opened.value, operation: op, transport }) : opened
    }
    const post: RequestSpec = {
      method: 'POST',
      url: spec.url,
      headers: [{ name: 'Accept', value: 'text/event-stream', enabled: true }, ...spec.headers],
      body: { kind: 'json', text: paramsJson(params) },
      options: spec.options,
    }
    const authorized = await deps.auth.authorize(post, auth, 'SSE')
    if (!authorized.ok) return authorized
    const { spec: authorizedPost, refused } = authorized.value
    return ok({ sid: openSseDistinct(deps, o, authorizedPost, refused), operation: op, transport })
  }

  const wsUrl = toWsUrl(spec.url)
  const authorized = await deps.auth.authorize({ ...spec, url: wsUrl }, auth, 'WebSocket')
  if (!authorized.ok) return authorized
  // The request's TLS options and connect timeout reach the upgrade as they reach an HTTP send (its CA file
  // already confined to its collection by prepareRequest).
  const options = {
    ...DEFAULT_GRAPHQL_WS_OPTIONS,
    ...connectOptionsOf(spec.options),
    ...definedOnly(p.subscription ?? {}),
  }
  const connection = {
    url: authorized.value.spec.url,
    headers: authorized.value.spec.headers,
    protocols: subprotocolsOf(transport),
    ...(connectionParams.value ? { connectionParams: connectionParams.value } : {}),
    options,
    ...(authorized.value.refused ? { onUnauthorized: authorized.value.refused } : {}),
  }
  if (options.shareConnection && !options.reconnect) {
    const { openMuxed } = await import('./graphql-ws-operation')
    const sid = openMuxed({ streams: deps.streams, pool, connection, params, operation: op })
    return ok({ sid, operation: op, transport })
  }
  const session = deps.streams.openSession(
    'g',
    (init) => new GraphqlWsSession({ ...init, ...connection, params, operation: op }),
  )
  session.start()
  return ok({ sid: session.sid, operation: op, transport })
}

/** Once the exchange ends, its result's errors go on the row (a 200 with errors is marked by them). */
async function reportResult(deps: GraphqlDeps, sid: string, op: PickedOperation): Promise<void> {
  let result
  try {
    result = await deps.http.waitFor(sid)
  } catch {
    return
  }
  if (result.final.type !== 'done') return
  const event = await resultEvent(deps.http.bodies, result.final, op)
  deps.emit(event)
}

/** A JSON object's text (or none) once its {{variables}} are filled in: the object, or an error saying so. */
export function parseObject(text: string, what: string): Result<Record<string, unknown> | undefined> {
  if (!text) return ok(undefined)
  try {
    const v: unknown = JSON.parse(text)
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return ok(v as Record<string, unknown>)
  } catch {
    // Said below.
  }
  return fail('invalid_request', `The ${what} are not a JSON object once their {{variables}} are filled in`)
}

/** A WebSocket transport takes an http(s) URL too (the usual GraphQL endpoint) and opens it as ws(s). */
export function toWsUrl(url: string): string {
  // `http:/host` and `http:\\host` too, which URL parsers read as http://host (request-checks.ts).
  return url.replace(/^\s*http(s?):(?=[/\\])/i, (_m, s: string) => `ws${s}:`)
}

function definedOnly<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v
  return out as { [K in keyof T]?: Exclude<T[K], undefined> }
}

export type { GraphqlTransport }
