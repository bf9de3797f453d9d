import type { AppError } from '../../shared/result'
import type { OperationType, PickedOperation } from '../../shared/graphql'
import { operationFailure } from './graphql-errors'
import type { Reaction } from './ws-protocols'
import { closeCodeText } from '../../shared/streams'
import type { EndedReport } from '../sessions/kernel/session-transport'
import { serverCloseFailure, stripClose, type WsFailure } from '../ws/ws-errors'

/** graphql-ws closes with this on a message it cannot take; we do the same to a server that breaks it. */
export const BAD_MESSAGE = 4400

/**
 * How a message that ends the conversation ends the attempt, and the close code the socket is closed with:
 * the operation completed or failed, the connection refused (legacy connection_error), or the protocol broken.
 */
export function reactionEnd(
  r: Extract<Reaction, { kind: 'complete' | 'error' | 'refused' | 'violation' }>,
  op: PickedOperation,
): { code: number; outcome: AttemptOutcome } {
  switch (r.kind) {
    case 'complete':
      return {
        code: 1000,
        outcome: { reason: `The server completed the ${op.type}`, reconnectable: false, by: 'server' },
      }
    case 'error':
      return {
        code: 1000,
        outcome: {
          reason: `The server answered the ${op.type} with an error`,
          error: operationFailure(r.payload, op),
          reconnectable: false,
          by: 'server',
        },
      }
    case 'refused':
      return {
        code: 1000,
        outcome: {
          reason: 'The server refused the connection (connection_error)',
          error: {
            code: 'auth',
            message: `The server refused the connection (connection_error)`,
            ...(r.payload !== undefined ? { detail: JSON.stringify(r.payload).slice(0, 2000) } : {}),
          },
          reconnectable: false,
          by: 'server',
        },
      }
    case 'violation':
      return {
        code: BAD_MESSAGE,
        outcome: {
          reason: r.message,
          error: { code: 'protocol', message: r.message },
          reconnectable: false,
          by: 'client',
        },
      }
  }
}

/** How an attempt ends once its outcome is known (complete, error, a violation, no ack): set before the close. */
export interface AttemptOutcome {
  reason: string
  error?: AppError
  reconnectable: boolean
  by: 'client' | 'server'
}

/**
 * A GraphQL WebSocket's socket closed: how its attempt ended, for the kernel to reconnect or end the session.
 * An outcome known before the close wins; else a handshake that failed, a WebSocket-level failure, or the server
 * closing (or the connection dropping) before the operation completed, which is never a silent end. A 44xx
 * close is graphql-ws's way of saying the conversation broke: not retried.
 */
export function closeReport(c: {
  code: number
  reason: string
  opened: boolean
  outcome: AttemptOutcome | null
  failure: WsFailure | null
  host: string
  operation: OperationType
}): EndedReport {
  const { code, reason, outcome, failure } = c
  if (outcome)
    return {
      reason: outcome.reason,
      ...(outcome.error ? { error: outcome.error } : {}),
      reconnectable: outcome.reconnectable,
      by: outcome.by,
      code,
    }
  if (!c.opened) {
    const f = failure ?? {
      code: 'network' as const,
      message: `The WebSocket handshake with ${c.host} failed`,
    }
    return { reason: f.message, error: stripClose(f), reconnectable: true, by: 'network' }
  }
  if (failure?.closeCode !== undefined)
    return {
      reason: failure.message,
      error: stripClose(failure),
      reconnectable: false,
      by: 'client',
      code: failure.closeCode,
    }
  const op = c.operation
  const words =
    code === 1006
      ? `The connection dropped before the ${op} completed (${closeCodeText(1006)})`
      : `The server closed before the ${op} completed, with ${closeCodeText(code)}${reason ? `: ${reason}` : ''}`
  const broke = code >= 4400 && code < 4500
  const error: AppError =
    code === 1006
      ? { code: 'reset', message: words }
      : broke
        ? { code: 'protocol', message: words }
        : (serverCloseFailure(code, words) ?? { code: 'network', message: words })
  return { reason: words, error, reconnectable: !broke, by: code === 1006 ? 'network' : 'server', code }
}
