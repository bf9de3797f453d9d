import type { SavedGraphql } from '../../shared/graphql-saved'

/**
 * What a GraphQL request loses on its way to Bruno, whose GraphQL requests are a query and its variables sent
 * over HTTP: one line per field it cannot hold, for the export's `skipped` list.
 */
export function brunoGraphqlNotes(g: SavedGraphql, where: string): string[] {
  const out: string[] = []
  if (g.transport && g.transport !== 'http')
    out.push(`${where}: GraphQL over ${g.transport} has no Bruno equivalent; exported as an HTTP query`)
  if (g.operationName)
    out.push(`${where}: operation name ${g.operationName} not exported (Bruno sends the whole document)`)
  if (g.connectionParams?.trim()) out.push(`${where}: GraphQL connection params not exported`)
  if (g.schemaFile) out.push(`${where}: GraphQL schema file not exported (Bruno fetches schemas itself)`)
  return out
}
