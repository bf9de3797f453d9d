import type { SavedRequest } from '../../shared/collection'
import { GRAPHQL_ACCEPT } from '../../shared/graphql'
import { graphqlPostSpec } from '../../shared/graphql-saved'
import { fail, ok, type Result } from '../../shared/result'
import { resolveTemplate, type DynamicValues } from '../../shared/template'

/**
 * A GraphQL request as the HTTP request a snippet (curl, fetch, requests, Go) shows: what Flightdeck sends.
 * A POST is its parameters as a JSON body (`{query, variables, operationName}`), put together as text so the
 * snippet's own variable filling reaches inside it; the code generator escapes it for its language. A GET has
 * them in the query string: their `{{variables}}` are filled in first (percent-encoded, they could not be
 * later). Over SSE it is the POST with `Accept: text/event-stream`; over a WebSocket there is no such request,
 * which the snippet says.
 */
export function graphqlSnippetRequest(
  req: SavedRequest,
  values: ReadonlyMap<string, string>,
  dyn: DynamicValues,
): Result<SavedRequest> {
  const g = req.graphql ?? { query: '' }
  const transport = g.transport ?? 'http'
  if (transport === 'ws' || transport === 'transport-ws' || transport === 'legacy-ws')
    return fail(
      'unsupported',
      `No snippet for GraphQL over ${transport}: curl and these libraries speak HTTP, not the WebSocket protocol`,
    )
  const method = transport === 'http' && req.method.trim().toUpperCase() === 'GET' ? 'GET' : 'POST'
  if (method === 'POST') {
    const spec = graphqlPostSpec(req, g, transport === 'http' ? GRAPHQL_ACCEPT : 'text/event-stream')
    return ok({ ...req, kind: 'http', method: 'POST', headers: spec.headers, body: spec.body })
  }
  const fill = (text: string): string => resolveTemplate(text, values, dyn).text
  const params = [`query=${encodeURIComponent(fill(g.query))}`]
  const vars = fill(g.variables?.trim() ?? '')
  if (vars) params.push(`variables=${encodeURIComponent(compact(vars))}`)
  if (g.operationName?.trim()) params.push(`operationName=${encodeURIComponent(g.operationName.trim())}`)
  const hash = req.url.indexOf('#')
  const url = hash >= 0 ? req.url.slice(0, hash) : req.url
  const has = req.headers.some((h) => h.enabled && h.name.toLowerCase() === 'accept')
  return ok({
    ...req,
    kind: 'http',
    method: 'GET',
    url: `${url}${url.includes('?') ? '&' : '?'}${params.join('&')}`,
    headers: has ? req.headers : [{ name: 'Accept', value: GRAPHQL_ACCEPT, enabled: true }, ...req.headers],
    body: { kind: 'none' },
  })
}

/** JSON text without its layout (a query string is no place for it); text that is not JSON as it is. */
function compact(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text))
  } catch {
    return text
  }
}

/**
 * A mutation by GET is refused as Send refuses it (GraphQL over HTTP forbids it; servers answer 405): a snippet
 * of it would be a request no server runs. The document is read as Send reads it, its `{{variables}}` filled with
 * `values` and its `\{{` escapes read; one that does not parse even so is left to the snippet as typed.
 */
export async function graphqlSnippetRefusal(
  req: SavedRequest,
  values: ReadonlyMap<string, string>,
): Promise<Result<never> | null> {
  const g = req.graphql
  if (!g || (g.transport ?? 'http') !== 'http' || req.method.trim().toUpperCase() !== 'GET') return null
  const { pickOperation } = await import('../../shared/graphql-document')
  // Dynamic values only need to be text here: the document's operation type is all that is read.
  const query = resolveTemplate(g.query, values, { uuid: () => '', now: () => 0, random: () => 0 }).text
  const picked = pickOperation(query, g.operationName)
  if (picked.ok && picked.value.type === 'mutation')
    return fail('invalid_request', 'A mutation cannot be sent with GET (GraphQL over HTTP allows only POST)')
  return null
}
