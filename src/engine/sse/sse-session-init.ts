import type { RequestSpec } from '../../shared/request'
import type { AppError, Result } from '../../shared/result'
import type { SseOpenOptions } from '../../shared/stream-schemas'
import type { EmptySecretUse } from '../../shared/timeline'
import type { StreamLog } from '../streams/stream-log'
import type { StreamContext } from '../streams/stream-plumbing'

/** What an SSE session (sse-session.ts) is made with, and what a protocol read on top of its events learns. */

export interface SseSessionInit {
  sid: string
  spec: RequestSpec
  stream: SseOpenOptions
  ctx: StreamContext
  log: StreamLog
  onEnd(sid: string): void
  /**
   * The request authorized again, for a reconnect, the way the first connection was (an OAuth 2.0 token from
   * the cache or fetched anew, a digest response with the next nonce count); `refused` is called should the
   * server answer it 401. Without it, reconnects send the first request's headers.
   */
  reauthorize?: () => Promise<Result<{ spec: RequestSpec; refused?: () => void }>>
  /** The row's name in place of the URL's path (a GraphQL subscription over SSE). */
  name?: string
  /** Secrets with no value here that the opening request used (sent empty), named on its `queued` event. */
  emptySecrets?: EmptySecretUse[]
  /** A protocol read on top of the events (GraphQL over SSE): told when the stream opens, of messages, of its end. */
  watch?: SseWatch
  /** Interim (1xx) responses after which a connection stops waiting for the answer (tests set a few). */
  informationalLimit?: number
}

/**
 * What a protocol carried in the event stream learns of it. `messages` runs before their tick is emitted and
 * returns how many of them were results with errors (marked on the tick); it must not end the session while
 * it runs (defer that). `ended` is asked when the server ends the stream: an error when that was too early.
 */
export interface SseWatch {
  opened?(): void
  /** `seq` -1: one event the log did not keep (it was cut), only its `event` type known. */
  messages?(log: StreamLog, seq: number, count: number, event?: string): number
  ended?(): AppError | undefined
}
