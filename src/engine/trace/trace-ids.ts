import { randomBytes } from 'node:crypto'

/**
 * Trace and span ids drawn from the system's random source, as the spec asks ("randomly generated") so two
 * clients never share a trace. All zeros is the spec's invalid id: drawn again (a bounded number of times; the
 * chance of even one all-zero draw is 2^-64 or less).
 */

function nonZeroHex(bytes: number): string {
  for (let i = 0; i < 8; i++) {
    const buf = randomBytes(bytes)
    if (buf.some((b) => b !== 0)) return buf.toString('hex')
  }
  // Unreachable in practice; still never all zeros.
  const buf = randomBytes(bytes)
  buf[bytes - 1] = 1
  return buf.toString('hex')
}

/** 16 random bytes as 32 lower-case hex digits. */
export function newTraceId(): string {
  return nonZeroHex(16)
}

/** 8 random bytes as 16 lower-case hex digits. */
export function newSpanId(): string {
  return nonZeroHex(8)
}
