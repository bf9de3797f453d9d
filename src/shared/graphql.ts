import type { KeyValue, RequestSpec } from './request'

/**
 * GraphQL without the `graphql` library: what every layer needs to speak it (the transports, how a request is
 * put on the wire, how a result's `errors` are read). Parsing and validating documents needs the library and
 * lives in graphql-document.ts, loaded only where a document is parsed.
 */

/**
 * How an operation travels. `http`: a query or mutation as a POST (or GET). `ws`: a subscription over a
 * WebSocket, offering both subprotocols and speaking the one the server accepts; `transport-ws` and `legacy-ws`
 * offer only `graphql-transport-ws` or only the legacy `graphql-ws`; `sse`: GraphQL over SSE (distinct
 * connections mode); `sse-single`: GraphQL over SSE's single connection mode (a reserved stream, then the
 * operation POSTed onto it).
 */
export const GRAPHQL_TRANSPORTS = ['http', 'ws', 'transport-ws', 'legacy-ws', 'sse', 'sse-single'] as const
export type GraphqlTransport = (typeof GRAPHQL_TRANSPORTS)[number]

export type OperationType = 'query' | 'mutation' | 'subscription'

/** The subprotocol of the `graphql-ws` library's protocol. */
export const TRANSPORT_WS = 'graphql-transport-ws'
/** The legacy subscriptions-transport-ws protocol's subprotocol (confusingly named like the new library). */
export const LEGACY_WS = 'graphql-ws'

/** The subprotocols a WebSocket transport offers, most wanted first. */
export function subprotocolsOf(transport: GraphqlTransport): string[] {
  if (transport === 'transport-ws') return [TRANSPORT_WS]
  if (transport === 'legacy-ws') return [LEGACY_WS]
  return [TRANSPORT_WS, LEGACY_WS]
}

/** The operation a request runs, once its document was parsed. */
export interface PickedOperation {
  type: OperationType
  /** Absent for an anonymous operation. */
  name?: string
}

/** `query GetUser`, or just `query` for an anonymous one: the timeline row's name. */
export function operationLabel(op: PickedOperation): string {
  return op.name ? `${op.type} ${op.name}` : op.type
}

/** What travels: the GraphQL-over-HTTP request parameters. */
export interface GraphqlParams {
  query: string
  variables?: Record<string, unknown>
  operationName?: string
  extensions?: Record<string, unknown>
}

/** The body of a POST, the payload of a subscribe message: the parameters as JSON, empty ones left out. */
export function paramsJson(p: GraphqlParams): string {
  return JSON.stringify(paramsObject(p))
}

export function paramsObject(p: GraphqlParams): Record<string, unknown> {
  const o: Record<string, unknown> = { query: p.query }
  if (p.variables !== undefined) o['variables'] = p.variables
  if (p.operationName !== undefined) o['operationName'] = p.operationName
  if (p.extensions !== undefined) o['extensions'] = p.extensions
  return o
}

/** The Accept a query sends: the GraphQL-over-HTTP media type first, plain JSON for servers that predate it. */
export const GRAPHQL_ACCEPT = 'application/graphql-response+json, application/json;q=0.9'

/**
 * A query or mutation as an HTTP request. POST carries the parameters as a JSON body; GET puts them in the
 * query string (a mutation must not go by GET: the spec forbids it, servers refuse it). Headers the person
 * set win over the defaults.
 */
export function graphqlHttpRequest(
  url: string,
  method: 'GET' | 'POST',
  params: GraphqlParams,
  headers: KeyValue[],
  options: RequestSpec['options'] = {},
): RequestSpec {
  const has = (name: string): boolean =>
    headers.some((h) => h.enabled && h.name.toLowerCase() === name.toLowerCase())
  const extra: KeyValue[] = []
  if (!has('accept')) extra.push({ name: 'Accept', value: GRAPHQL_ACCEPT, enabled: true })
  if (method === 'GET') {
    let target = url
    const q: string[] = [`query=${encodeURIComponent(params.query)}`]
    if (params.variables !== undefined)
      q.push(`variables=${encodeURIComponent(JSON.stringify(params.variables))}`)
    if (params.operationName !== undefined)
      q.push(`operationName=${encodeURIComponent(params.operationName)}`)
    if (params.extensions !== undefined)
      q.push(`extensions=${encodeURIComponent(JSON.stringify(params.extensions))}`)
    const hash = target.indexOf('#')
    if (hash >= 0) target = target.slice(0, hash)
    target += (target.includes('?') ? '&' : '?') + q.join('&')
    return { method, url: target, headers: [...extra, ...headers], body: { kind: 'none' }, options }
  }
  return {
    method,
    url,
    headers: [...extra, ...headers],
    body: { kind: 'json', text: paramsJson(params) },
    options,
  }
}

/** One entry of a result's `errors`, as much of it as the spec defines. */
export interface GraphqlErrorInfo {
  message: string
  path?: (string | number)[]
  locations?: { line: number; column: number }[]
}

/** What a result says: whether it carried data, and its errors (the first MAX_KEPT_ERRORS, with the count). */
export interface GraphqlResultSummary {
  hasData: boolean
  errorCount: number
  errors: GraphqlErrorInfo[]
}

/** Errors kept per result on an event; the rest are counted (the body has them all). */
export const MAX_KEPT_ERRORS = 20
const MAX_MESSAGE = 2000

/**
 * Read a GraphQL result (`{ data, errors, extensions }`). Null when the value is not a JSON object with `data`
 * or `errors`: then it is not a GraphQL result at all (an HTML error page, a proxy's JSON).
 */
export function summarizeResult(value: unknown): GraphqlResultSummary | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const o = value as Record<string, unknown>
  if (!('data' in o) && !('errors' in o)) return null
  const raw = Array.isArray(o['errors']) ? (o['errors'] as unknown[]) : []
  const errors: GraphqlErrorInfo[] = []
  for (const e of raw) {
    if (errors.length >= MAX_KEPT_ERRORS) break
    errors.push(errorInfo(e))
  }
  // `errors: null` or `[]` is no error; anything else that is not a list is a malformed result, said as one.
  const malformed = o['errors'] !== undefined && o['errors'] !== null && !Array.isArray(o['errors'])
  if (malformed) errors.push({ message: 'The result has an `errors` field that is not a list' })
  return {
    hasData: o['data'] !== undefined && o['data'] !== null,
    errorCount: raw.length + (malformed ? 1 : 0),
    errors,
  }
}

function errorInfo(e: unknown): GraphqlErrorInfo {
  if (typeof e !== 'object' || e === null) return { message: clip(String(e)) }
  const o = e as Record<string, unknown>
  const info: GraphqlErrorInfo = {
    message: typeof o['message'] === 'string' ? clip(o['message']) : clip(JSON.stringify(e) ?? ''),
  }
  if (Array.isArray(o['path'])) {
    const path = o['path'].filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
    info.path = path.slice(0, 64)
  }
  if (Array.isArray(o['locations'])) {
    const locations: { line: number; column: number }[] = []
    for (const l of o['locations'].slice(0, 16)) {
      if (typeof l !== 'object' || l === null) continue
      const { line, column } = l as Record<string, unknown>
      if (typeof line === 'number' && typeof column === 'number') locations.push({ line, column })
    }
    if (locations.length) info.locations = locations
  }
  return info
}

function clip(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s
}

/** One error as a line for people: `message (at user.name, line 2:3)`. */
export function errorLine(e: GraphqlErrorInfo): string {
  const where: string[] = []
  if (e.path?.length) where.push(`at ${e.path.join('.')}`)
  if (e.locations?.length) where.push(`line ${e.locations.map((l) => `${l.line}:${l.column}`).join(', ')}`)
  return where.length ? `${e.message} (${where.join(', ')})` : e.message
}
