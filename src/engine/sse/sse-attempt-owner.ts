import type { RequestOptions } from '../../shared/request'
import type { SseOpenOptions } from '../../shared/stream-schemas'
import type { StreamLog } from '../streams/stream-log'
import type { StreamContext } from '../streams/stream-plumbing'
import type { SseAttempt } from './sse-attempt'
import type { AttemptEnd } from './sse-attempt-end'
import type { StreamHeadersTimeout } from './sse-headers-timeout'
import type { ReadMode } from './sse-response-policy'
import type { SseIdState, TextKind } from './stream-decoder'

/**
 * What one connection of an SSE session (an SseAttempt, the undici handler) needs from its session (SseSession):
 * the request's settings, where its messages go, and where it reports how it went. Every report names the
 * attempt, so the session can ignore a connection it has let go.
 */
export interface AttemptOwner {
  readonly sid: string
  readonly clock: StreamContext['clock']
  readonly requestOptions: RequestOptions
  readonly explicitIdleTimeout: number
  /** How long each connection waits for its response headers (sse-headers-timeout.ts). */
  readonly headersTimeout: StreamHeadersTimeout
  readonly forcedMode: SseOpenOptions['mode']
  /** Interim (1xx) responses after which the connection fails (informational.ts' limit unless set). */
  readonly informationalLimit: number | undefined
  readonly decoderStateRef: SseIdState
  readonly logRef: StreamLog
  /** Bytes off the wire and out of the content decoder, for the session's counts. */
  countBytes(wire: number, body: number): void
  isCurrent(attempt: SseAttempt): boolean
  emitPhase(attempt: SseAttempt, build: () => Parameters<StreamContext['emit']>[0] | null): void
  /** The response is a stream to read (`at`: when its headers came). */
  opened(attempt: SseAttempt, status: number, mode: ReadMode, at: number, note?: string): void
  /** The response was refused with this status (a 401 drops the credentials a reconnect used). */
  refusedWith(attempt: SseAttempt, status: number): void
  text(attempt: SseAttempt, kind: TextKind, data: string): void
  messages(
    attempt: SseAttempt,
    kind: TextKind,
    seq: number,
    count: number,
    size: number,
    preview: string,
    event: string | undefined,
    id: string | undefined,
  ): void
  bytes(attempt: SseAttempt, data: Buffer): void
  setRetry(ms: number): void
  progress(t: number): void
  attemptEnded(attempt: SseAttempt, end: AttemptEnd): void
  followRedirect(attempt: SseAttempt, status: number, location: string): void
}
