import type { AppError } from '../../shared/result'
import type { EndedReport } from '../sessions/kernel/session-transport'

/** How one connection of an SSE session ended: the server ended it, it failed (may be retried), or for good. */
export type AttemptEnd =
  { kind: 'ended' } | { kind: 'error'; error: AppError } | { kind: 'fatal'; error: AppError }

/** Why a connection answered 204 ended the session: EventSource's way for a server to stop reconnects. */
export const NO_RECONNECT_REASON = 'The server answered 204 No Content: it asks the client not to reconnect'

/** What the connection was when it ended. */
export interface EndedAttempt {
  /** Its response was a stream being read. */
  opened: boolean
  /** Its response was `text/event-stream` (the only kind a reconnect resumes). */
  isEventStream: boolean
  status: number
}

/**
 * What the kernel is told of an ended connection: the reason in words, and whether a reconnect could help. A
 * refused response or a limit would repeat; a stream that ended or a connection that failed may not.
 */
export function endedReport(attempt: EndedAttempt, end: AttemptEnd, lastEventId: string): EndedReport {
  const wasOpen = attempt.opened
  const reason =
    end.kind === 'ended'
      ? wasOpen
        ? attempt.status === 204
          ? NO_RECONNECT_REASON
          : 'The server ended the stream'
        : 'The server closed the connection'
      : end.error.message
  return {
    reason,
    ...(end.kind === 'ended' ? {} : { error: end.error }),
    reconnectable: end.kind !== 'fatal' && (wasOpen ? attempt.isEventStream : end.kind === 'error'),
    by: end.kind === 'ended' ? 'server' : 'network',
    lastEventId,
  }
}
