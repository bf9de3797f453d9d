import { serverTimingOf, type ServerTiming } from '../../shared/server-timing'
import type { AppError } from '../../shared/result'
import type {
  BodyProgressEvent,
  CancelledEvent,
  DoneEvent,
  ErrorEvent,
  HarTimings,
  HeaderList,
  RequestSentEvent,
  ResponseHeadersEvent,
} from '../../shared/timeline'
import type { ResponseBodyWriter } from './unkept-body'
import type { ConnectionTiming } from './connector'
import { EngineError } from './errors'
import { headerBlockBytes } from './http-headers'
import type { SocketInfo } from './socket-claim'

/**
 * The timeline events one exchange (./exchange.ts) reports as its hop goes: the request on the wire, the
 * response's headers, the body done; and the words of its own stops. Plain functions of what the exchange
 * measured, so the exchange itself is the undici handler and its state.
 */

/** The request as it went out, on the connection it went out on (`info` null: not known, taken as reused). */
export function requestSentEvent(
  sid: string,
  start: number,
  t: number,
  info: SocketInfo | null,
  headers: HeaderList,
  headersBytes: number,
  bodyBytes: number,
  note: string | undefined,
): RequestSentEvent {
  return {
    type: 'request-sent',
    sid,
    start,
    t,
    reused: info?.reused ?? true,
    connectionId: info?.connectionId ?? 0,
    protocol: info?.protocol ?? 'http/1.1',
    remoteAddress: info?.remoteAddress ?? '',
    remotePort: info?.remotePort ?? 0,
    headers,
    headersBytes,
    bodyBytes,
    ...(note !== undefined ? { note } : {}),
  }
}

export function responseHeadersEvent(
  sid: string,
  t: number,
  status: number,
  statusText: string,
  info: SocketInfo | null,
  headers: HeaderList,
): ResponseHeadersEvent {
  return {
    type: 'response-headers',
    sid,
    t,
    status,
    statusText,
    httpVersion: info?.protocol === 'h2' ? '2' : '1.1',
    headers,
    headersBytes: blockBytes(status, statusText, headers),
  }
}

/**
 * The last response head measured. pairHeaders hands the same list for the same header bytes (a server under
 * load sends the same block over and over), so its size is worked out once, not a byte count per field per
 * response.
 */
let lastBlock = { headers: null as HeaderList | null, status: 0, statusText: '', bytes: 0 }

function blockBytes(status: number, statusText: string, headers: HeaderList): number {
  const last = lastBlock
  if (last.headers === headers && last.status === status && last.statusText === statusText) return last.bytes
  const bytes = headerBlockBytes(status, statusText, headers)
  lastBlock = { headers, status, statusText, bytes }
  return bytes
}

/** The last header list found to say no Server-Timing (most responses): the same list is not read again. */
let lastUntimed: HeaderList | null = null

function serverTimingOfResponse(headers: HeaderList, trailers: HeaderList): ServerTiming | null {
  if (trailers.length === 0 && headers === lastUntimed) return null
  const timing = serverTimingOf(headers, trailers)
  if (timing === null && trailers.length === 0) lastUntimed = headers
  return timing
}

/** The response complete: its body where the store keeps it, and the Server-Timing its headers and trailers gave. */
export function doneEvent(
  sid: string,
  t: number,
  status: number,
  wireBytes: number,
  writer: ResponseBodyWriter,
  timings: HarTimings,
  headers: HeaderList,
  trailers: HeaderList,
): DoneEvent {
  const serverTiming = serverTimingOfResponse(headers, trailers)
  const done: DoneEvent = {
    type: 'done',
    sid,
    t,
    status,
    wireBytes,
    bodyBytes: writer.size,
    body: { id: writer.id, size: writer.size, contentType: writer.contentType, onDisk: writer.onDisk },
    timings,
  }
  // Set only when there is one (most responses have none): no empty object spread into every event.
  if (serverTiming) done.serverTiming = serverTiming
  return done
}

/** How far the body has come: on the wire, and decoded into the store. */
export function progressEvent(
  sid: string,
  t: number,
  wireBytes: number,
  bodyBytes: number,
): BodyProgressEvent {
  return { type: 'body-progress', sid, t, wireBytes, bodyBytes }
}

/** The exchange failed; the body bytes that had come (`partial`) were discarded. */
export function errorEvent(
  sid: string,
  t: number,
  error: AppError,
  timings: HarTimings,
  partial: number,
): ErrorEvent {
  return { type: 'error', sid, t, ...error, timings, ...(partial > 0 ? { partialBodyBytes: partial } : {}) }
}

/** The person cancelled the exchange; the body bytes that had come (`partial`) were discarded. */
export function cancelledEvent(sid: string, t: number, timings: HarTimings, partial: number): CancelledEvent {
  return { type: 'cancelled', sid, t, timings, ...(partial > 0 ? { partialBodyBytes: partial } : {}) }
}

/** Interim (1xx) responses kept coming but the final one did not, within the headers timeout. */
export function interimTimeout(host: string, count: number, headersTimeoutMs: number): EngineError {
  return new EngineError(
    'timeout_headers',
    `Timed out waiting for the final response from ${host}: ${count} interim (1xx) ${count === 1 ? 'response' : 'responses'} but no final one within the headers timeout of ${headersTimeoutMs} ms`,
  )
}

/** The body could not be written to its temp file (a full disk, a folder removed). */
export function storeFailed(e: unknown): EngineError {
  return new EngineError(
    'file',
    'Could not store the response body on disk',
    e instanceof Error ? e.message : String(e),
  )
}

/**
 * A connection attempt that failed ran until it failed: the phase it was in (connecting, or the TLS handshake)
 * ends at `endAt`, so the timeline shows how far it got.
 */
export function endFailedAttempt(timing: ConnectionTiming, endAt: number): void {
  if (timing.connectStart !== undefined && timing.connectEnd === undefined) timing.connectEnd = endAt
  if (timing.tlsStart !== undefined && timing.tlsEnd === undefined) timing.tlsEnd = endAt
  timing.claimed = true
}
