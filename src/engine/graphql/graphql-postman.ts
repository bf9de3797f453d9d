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
