import { errorLine, summarizeResult, type PickedOperation } from '../../shared/graphql'
import type { AppError } from '../../shared/result'

/**
 * A failed operation's errors as the session's error: the first error's message in the sentence, every kept
 * error (path, locations) one line each in the detail. `payload` is what the server sent with `error`: a list
 * of GraphQL errors (graphql-transport-ws), or one error object or a result (the legacy protocol).
 */
export function operationFailure(payload: unknown, op: PickedOperation): AppError {
  const summary = Array.isArray(payload)
    ? summarizeResult({ errors: payload })
    : (summarizeResult(payload) ?? summarizeResult({ errors: [payload] }))
  const errors = summary?.errors ?? []
  const first = errors[0]
  const count = summary?.errorCount ?? 0
  const more = count > 1 ? ` (and ${count - 1} more)` : ''
  return {
    code: 'graphql',
    message: `The ${op.type} failed: ${first ? errorLine(first) : 'the server sent an error without a message'}${more}`,
    ...(errors.length ? { detail: errors.map(errorLine).join('\n') } : {}),
  }
}
