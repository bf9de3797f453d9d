import { buildSchema, GraphQLError, parse, validate, type GraphQLSchema } from 'graphql'
import { fail, ok, type Result } from './result'

/**
 * A schema from a `.graphql` SDL file (graphql 16's `buildSchema`), and a document checked against it before
 * anything is sent: what a server would refuse is said here, with its line and column. Loaded only where a
 * schema file is used, so nothing else pays for the library.
 */

/** Most bytes of an SDL file read (a larger one is refused, saying so). */
export const MAX_SDL_BYTES = 16 * 1024 * 1024
/** Validation errors listed in the detail (the count says how many there were). */
const LISTED = 20

export function schemaFromSdl(sdl: string, source: string): Result<GraphQLSchema> {
  if (!sdl.trim()) return fail('invalid_request', `The schema file ${source} is empty`)
  try {
    return ok(buildSchema(sdl, { noLocation: false }))
  } catch (e) {
    return fail('invalid_request', `The schema file ${source} is not a schema: ${located(e)}`)
  }
}

/** The document's validation errors against `schema`: none, or an error naming the first (line, column). */
export function validateAgainst(schema: GraphQLSchema, query: string): Result<void> {
  let errors: readonly GraphQLError[]
  try {
    errors = validate(schema, parse(query, { maxTokens: 1_000_000 }))
  } catch (e) {
    return fail('invalid_request', `The GraphQL query does not parse: ${located(e)}`)
  }
  const first = errors[0]
  if (!first) return ok(undefined)
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''
  const listed = errors.slice(0, LISTED).map(located)
  if (errors.length > LISTED) listed.push(`… ${errors.length - LISTED} more not listed`)
  return fail(
    'invalid_request',
    `The GraphQL query does not validate against the schema: ${located(first)}${more}`,
    listed.join('\n'),
  )
}

/** `line L, column C: message` for a GraphQL error (its first location), else the message. */
function located(e: unknown): string {
  if (!(e instanceof GraphQLError)) return e instanceof Error ? e.message : String(e)
  const at = e.locations?.[0]
  const message = e.message.replace(/^Syntax Error: /, '')
  return at ? `line ${at.line}, column ${at.column}: ${message}` : message
}
