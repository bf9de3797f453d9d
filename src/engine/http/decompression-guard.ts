import { EngineError } from './errors'

/**
 * The decompression-bomb guard every decoded HTTP body goes through, a whole response (exchange.ts) or an
 * endless event stream (sse-attempt.ts): once the decoded bytes pass DECODE_FLOOR they may be at most
 * MAX_EXPANSION times the bytes that came over the wire. Real compressed responses and streams stay far below
 * 100:1 at that size; a gzip of zeros runs at about 1000:1, and nested or brotli codings at far more. Without
 * it a few MB on the wire become GB in memory or on disk in seconds.
 */
export const DECODE_FLOOR = 64 * 1024 * 1024
export const MAX_EXPANSION = 100

/** The codings decoders.ts undoes. */
export function isKnownCoding(coding: string): boolean {
  return coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate' || coding === 'br'
}

/**
 * The guard's verdict on `decoded` bytes out of `wire` bytes: null while within bounds, else the error that
 * stops decoding, saying how far it got. `what` names the thing decoded ("response body", "event stream").
 */
export function expansionError(decoded: number, wire: number, what: string): EngineError | null {
  if (decoded <= DECODE_FLOOR || decoded <= wire * MAX_EXPANSION) return null
  return new EngineError(
    'decompression_bomb',
    `The ${what} expands to more than ${MAX_EXPANSION} times its compressed size (${decoded} bytes from ${wire}); Flightdeck stopped decoding it`,
  )
}
