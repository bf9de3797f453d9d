import { randomFillSync } from 'node:crypto'

/**
 * Trace and span ids drawn from the system's random source, as the spec asks ("randomly generated") so two
 * clients never share a trace. A send ×10,000 draws 20,000 ids on the engine's thread, so they come from a
 * pool filled 4 KB at a time (one system call per ~170 sends, not two per send). All zeros is the spec's
 * invalid id: drawn again (a bounded number of times; the chance of even one all-zero draw is 2^-64 or less).
 */

const POOL_BYTES = 4096
const pool = Buffer.alloc(POOL_BYTES)
let used = POOL_BYTES

function take(bytes: number): Buffer {
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool)
    used = 0
  }
  const out = pool.subarray(used, used + bytes)
  used += bytes
  return out
}

function nonZeroHex(bytes: number): string {
  for (let i = 0; i < 8; i++) {
    const buf = take(bytes)
    if (buf.some((b) => b !== 0)) return buf.toString('hex')
  }
  // Unreachable in practice; still never all zeros.
  const buf = Buffer.from(take(bytes))
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
