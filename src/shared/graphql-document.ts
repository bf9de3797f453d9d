import { GraphQLError, Kind, parse, type OperationDefinitionNode } from 'graphql'
import { fail, ok, type Result } from './result'
import type { PickedOperation } from './graphql'

/**
 * A GraphQL document as the person wrote it: parsed with `graphql` (16.x: 17 needs a newer Node than the CLI
 * runs on) and the operation to run picked from it. Loaded only where a document is parsed (the engine's
 * GraphQL commands, the CLI's `graphql`, the composer), so nothing else pays for the library.
 */

/** The operations a document defines, in order (for the composer's picker). */
export function operationsOf(query: string): Result<PickedOperation[]> {
  const doc = parseDocument(query)
  if (!doc.ok) return doc
  return ok(doc.value.map(picked))
}

/**
 * The operation a request runs. A document with one operation runs it; with several, `operationName` must
 * name one of them (the GraphQL spec's rule: a server refuses the request otherwise, so we say so first and
 * list the names).
 */
export function pickOperation(query: string, operationName?: string): Result<PickedOperation> {
  const doc = parseDocument(query)
  if (!doc.ok) return doc
  const ops = doc.value
  if (ops.length === 0) return fail('invalid_request', 'The document defines no operation to run')
  const name = operationName?.trim() || undefined
  if (name !== undefined) {
    const found = ops.find((o) => o.name?.value === name)
    if (found) return ok(picked(found))
    return fail('invalid_request', `The document has no operation named ${name}`, `It has: ${names(ops)}`)
  }
  const only = ops[0]
  if (ops.length === 1 && only) return ok(picked(only))
  return fail(
    'invalid_request',
    `The document has ${ops.length} operations: choose one with the operation name (${names(ops)})`,
  )
}

function parseDocument(query: string): Result<OperationDefinitionNode[]> {
  if (!query.trim()) return fail('invalid_request', 'The GraphQL query is empty')
  try {
    const doc = parse(query, { noLocation: false, maxTokens: 1_000_000 })
    return ok(
      doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION),
    )
  } catch (e) {
    if (e instanceof GraphQLError) {
      const at = e.locations?.[0]
      return fail(
        'invalid_request',
        `The GraphQL query does not parse${at ? ` (line ${at.line}, column ${at.column})` : ''}: ${e.message.replace(/^Syntax Error: /, '')}`,
      )
    }
    return fail('invalid_request', 'The GraphQL query does not parse', String(e))
  }
}

function picked(o: OperationDefinitionNode): PickedOperation {
  return o.name ? { type: o.operation, name: o.name.value } : { type: o.operation }
}

function names(ops: OperationDefinitionNode[]): string {
  const list = ops.map((o) => o.name?.value ?? '(anonymous)')
  return list.length > 10 ? `${list.slice(0, 10).join(', ')}, … ${list.length - 10} more` : list.join(', ')
}
