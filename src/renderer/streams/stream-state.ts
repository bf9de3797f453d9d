import type { SessionRow } from '../timeline/session-row'
import type { LaneTicks } from './lane-ticks'

/**
 * What a stream session's details pane says it is. A session that ended in an error is `failed`, whatever
 * came before (a refused handshake never opened; a stream that broke off did): never `closed`, which means
 * it ended cleanly (the server's end, or the person's close).
 */
export type StreamState = 'failed' | 'closed' | 'open' | 'reconnecting' | 'connecting' | 'waiting'

export function streamState(row: SessionRow, lane: LaneTicks | undefined): StreamState {
  if (row.terminal?.type === 'error') return 'failed'
  if (row.end !== null) return 'closed'
  if (lane?.openSince !== null && lane?.openSince !== undefined) return 'open'
  if (waitingForHeaders(row)) return 'waiting'
  return lane && lane.reconnects > 0 ? 'reconnecting' : 'connecting'
}

/**
 * An SSE connection whose request went out and whose response headers have not come (the server took the
 * connection and has not answered yet): up to the stream's headers timeout, 30 s unless the request sets one.
 */
export function waitingForHeaders(row: SessionRow): boolean {
  if (row.queued.kind !== 'sse' || !row.sent) return false
  return !row.response || row.response.t < row.sent.t
}

/**
 * Why an SSE session shows raw chunks rather than events, when it does: what the server said its body is.
 * Null for any other mode.
 */
export function rawChunksNote(row: SessionRow, lane: LaneTicks | undefined): string | null {
  if (row.queued.kind !== 'sse' || lane?.mode !== 'chunks') return null
  const type = row.response?.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1]
  const what = type ? (type.split(';')[0] ?? type).trim() : 'no Content-Type'
  return `Read as raw chunks: the response is ${what}, not text/event-stream (no events, no reconnect)`
}
