import type { SavedGraphql } from '../../shared/graphql-saved'

/**
 * Postman's GraphQL body (`mode: graphql`, `graphql: { query, variables }`, variables as JSON text) to and from
 * a saved GraphQL request. Postman sends GraphQL over HTTP only: a subscription's transport has no place there.
 */
export function fromPostmanGraphql(g: unknown): SavedGraphql | null {
  if (typeof g !== 'object' || g === null) return null
  const o = g as Record<string, unknown>
  const query = typeof o['query'] === 'string' ? o['query'] : ''
  const variables = typeof o['variables'] === 'string' ? o['variables'].trim() : ''
  return { query, ...(variables && variables !== '{}' ? { variables } : {}) }
}

/** The export's body, and what it leaves out (a transport other than http). */
export function toPostmanGraphql(g: SavedGraphql): { body: Record<string, unknown>; note: string | null } {
  return {
    body: { mode: 'graphql', graphql: { query: g.query, variables: g.variables ?? '' } },
    note:
      g.transport && g.transport !== 'http'
        ? `GraphQL over ${g.transport} has no Postman equivalent; exported as an HTTP query`
        : null,
  }
}

/**
 * What Postman sends for a GraphQL body under a method Flightdeck sends otherwise, as a report line (null when
 * they agree). Postman (postman-runtime) sends the body as JSON whatever the method, and drops it from a GET
 * unless the request's disableBodyPruning is on; Flightdeck sends a GraphQL GET per GraphQL over HTTP (query,
 * variables and operationName in the URL's query) and any other method as a POST.
 */
export function postmanGraphqlMethodNote(method: string, keepsBody: boolean): string | null {
  const m = method.trim().toUpperCase()
  if (m === 'POST') return null
  if (m === 'GET')
    return keepsBody
      ? 'a GraphQL GET: Postman sends its query as a JSON body on the GET (disableBodyPruning is on); Flightdeck sends it in the URL’s query string (query, variables), as GraphQL over HTTP has it'
      : 'a GraphQL GET: Postman leaves its query out (it prunes a GET’s body: disableBodyPruning is off), so the server gets no query; Flightdeck sends it in the URL’s query string (query, variables), as GraphQL over HTTP has it'
  return `a GraphQL ${m}: Flightdeck sends a GraphQL request as a POST (or a GET), so it is sent as a POST; Postman sends it as a ${m}`
}
