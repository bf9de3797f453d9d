import { Kind, parse, type DocumentNode } from 'graphql'
import { mapTemplate } from '../../shared/template-scan'

/**
 * The document as Send parses it: the engine fills its `{{variables}}` and reads its `\{{` escapes before it
 * parses (graphql-handlers.ts). The picker only needs its shape, so each variable stands in as a name, which
 * parses where a value, a name or a string's text goes (`user(id: {{id}})`, `"{{who}}"`).
 */
function parseAsSent(query: string): DocumentNode {
  return parse(
    mapTemplate(query, () => '__variable'),
    { noLocation: true },
  )
}

/**
 * The named operations of a document, for the composer's picker; [] while it does not parse (the editor's
 * validation says why). Bounded: a document of more than 1 MB is not parsed on each keystroke.
 */
export function operationNames(query: string): string[] {
  if (!query.trim() || query.length > 1024 * 1024) return []
  try {
    const doc = parseAsSent(query)
    const names: string[] = []
    for (const d of doc.definitions)
      if (d.kind === Kind.OPERATION_DEFINITION && d.name) names.push(d.name.value)
    return names
  } catch {
    return []
  }
}

/**
 * Whether the operation that would run is a subscription: the one named, or the document's only one. False
 * while the document does not parse or names none of its several operations.
 */
export function runsSubscription(query: string, operationName: string): boolean {
  if (!query.trim() || query.length > 1024 * 1024) return false
  try {
    const doc = parseAsSent(query)
    const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION)
    const op =
      operationName !== ''
        ? ops.find((d) => d.name?.value === operationName)
        : ops.length === 1
          ? ops[0]
          : null
    return op?.operation === 'subscription'
  } catch {
    return false
  }
}
