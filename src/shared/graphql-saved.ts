import { z } from 'zod'
import { GRAPHQL_ACCEPT, GRAPHQL_TRANSPORTS } from './graphql'
import type { KeyValue, RequestSpec } from './request'
import { lazySchema } from './lazy-schema'

/**
 * A saved GraphQL request's own fields (`graphql:` in its file): the document as a block string so diffs read
 * line by line, the variables as JSON text (as typed, `{{variables}}` allowed), the operation to run and the
 * transport. The request's url, headers, auth and options are the file's usual keys.
 */
export const savedGraphqlSchema = lazySchema(() =>
  z
    .object({
      query: z.string().max(8 * 1024 * 1024),
      variables: z
        .string()
        .max(8 * 1024 * 1024)
        .optional(),
      operationName: z.string().max(1024).optional(),
      transport: z.enum(GRAPHQL_TRANSPORTS).optional(),
      /** WebSocket transports: connection_init's payload, as JSON text. */
      connectionParams: z
        .string()
        .max(1024 * 1024)
        .optional(),
      /**
       * WebSocket transports, in the app: `false` gives the subscription a connection of its own instead of
       * the endpoint's shared one (left out when on, the default). `flightdeck run` never shares.
       */
      shareConnection: z.boolean().optional(),
      /** A `.graphql` SDL file for completion, validation and the docs (relative to the collection folder). */
      schemaFile: z.string().max(4096).optional(),
    })
    .strict(),
)
export type SavedGraphql = z.infer<typeof savedGraphqlSchema>

/**
 * A saved GraphQL request as the HTTP request that runs it as a query: a POST of the GraphQL parameters. The
 * body is put together as text so `{{variables}}` in the query and the variables still resolve when it is sent,
 * as in any request (the variables text is inserted as written: it is JSON once they are filled in).
 */
export function graphqlPostSpec(
  req: { url: string; headers: KeyValue[]; options: RequestSpec['options'] },
  g: SavedGraphql,
  accept: string,
): RequestSpec {
  const variables = g.variables?.trim() ?? ''
  const parts = [`"query":${JSON.stringify(g.query)}`]
  if (variables) parts.push(`"variables":${variables}`)
  if (g.operationName) parts.push(`"operationName":${JSON.stringify(g.operationName)}`)
  const has = (name: string): boolean =>
    req.headers.some((h) => h.enabled && h.name.toLowerCase() === name.toLowerCase())
  const extra: KeyValue[] = has('accept') ? [] : [{ name: 'Accept', value: accept, enabled: true }]
  return {
    method: 'POST',
    url: req.url,
    headers: [...extra, ...req.headers],
    body: { kind: 'json', text: `{${parts.join(',')}}` },
    options: req.options,
  }
}

/**
 * A saved GraphQL request as the request that carries it, its `{{variables}}` unresolved: a query or mutation
 * the POST of its parameters, or the GET of them when saved so (its query string is put together once they are
 * resolved, engine/graphql/graphql-get-step.ts: the URL here is the endpoint's); over SSE that POST asking for
 * `text/event-stream`; over `sse-single` the POST of its reserved stream (the engine puts the operation in it);
 * over a WebSocket the GET of the upgrade.
 */
export function graphqlRequestSpec(
  req: { method: string; url: string; headers: KeyValue[]; options: RequestSpec['options'] },
  g: SavedGraphql,
): RequestSpec {
  const transport = g.transport ?? 'http'
  const bare = (method: string): RequestSpec => ({
    method,
    url: req.url,
    headers: req.headers,
    body: { kind: 'none' },
    options: req.options,
  })
  if (transport === 'http' && req.method.trim().toUpperCase() === 'GET')
    return { ...graphqlPostSpec(req, g, GRAPHQL_ACCEPT), method: 'GET', body: { kind: 'none' } }
  if (transport === 'http') return graphqlPostSpec(req, g, GRAPHQL_ACCEPT)
  if (transport === 'sse') return graphqlPostSpec(req, g, 'text/event-stream')
  return bare(transport === 'sse-single' ? 'POST' : 'GET')
}
