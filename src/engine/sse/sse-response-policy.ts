import type { AppError } from '../../shared/result'
import { isKnownCoding } from '../http/decompression-guard'
import { EngineError } from '../http/errors'
import type { StreamMode } from '../../shared/timeline'
import { streamModeFor } from './stream-decoder'

/**
 * What a streamed response's status and Content-Type make of it, by the EventSource rules where they apply:
 *
 * - Not 2xx (after redirects): the connection fails. Nothing is read as messages, nothing is retried; the
 *   body, up to ERROR_BODY_BYTES (error-body.ts), becomes the error's detail: what the server said.
 * - 200 `text/event-stream` (or a forced mode): an event stream, reconnected when it ends if reconnect is on.
 * - Another 2xx: read as NDJSON lines or raw chunks by its Content-Type; never reconnected (EventSource would
 *   fail it). Raw chunks come with a note saying why, so nobody mistakes them for events.
 */

export type ReadMode = Extract<StreamMode, 'sse' | 'ndjson' | 'chunks'>

export type ResponsePolicy =
  { kind: 'fail'; error: AppError } | { kind: 'read'; mode: ReadMode; eventStream: boolean; note?: string }

export function responsePolicy(
  status: number,
  statusText: string,
  contentType: string,
  forced: 'auto' | ReadMode,
): ResponsePolicy {
  if (status < 200 || status >= 300) {
    const line = `${status} ${statusText}`.trim()
    return {
      kind: 'fail',
      error: {
        code: 'protocol',
        message: `The server answered ${line} instead of a stream (a stream needs a 2xx response)`,
      },
    }
  }
  // 204 No Content has no body to read and no Content-Type to name (EventSource's "stop reconnecting"): no
  // note about raw chunks, which would only mislead.
  if (status === 204) return { kind: 'read', mode: forced === 'auto' ? 'sse' : forced, eventStream: false }
  const mode = streamModeFor(contentType, forced)
  const eventStream = status === 200 && mode === 'sse'
  if (mode !== 'chunks' || forced === 'chunks') return { kind: 'read', mode, eventStream }
  const type = (contentType.split(';')[0] ?? '').trim() || 'no Content-Type'
  return {
    kind: 'read',
    mode,
    eventStream,
    note: `Read as raw chunks: the response is ${type}, not text/event-stream (no events, no reconnect)`,
  }
}

/**
 * The content coding to undo of a stream whose Content-Encoding is `given` ('' for none or identity), or the error
 * it fails with when the engine cannot undo it. `none` is not a registered coding, but servers send it to mean
 * identity (graphql-yoga on every stream).
 */
export function streamCoding(given: string): string | EngineError {
  const coding = given.trim().toLowerCase()
  if (coding === '' || coding === 'none' || coding === 'identity') return ''
  if (isKnownCoding(coding)) return coding
  return new EngineError('network', `The stream uses content encoding "${coding}", which is not supported`)
}
