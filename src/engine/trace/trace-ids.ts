import { randomFillSync } from 'node:crypto'
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

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
    if (!fillFromKernel(pool)) randomFillSync(pool)
    used = 0
  }
  const out = pool.subarray(used, used + bytes)
  used += bytes
  return out
}

/** The kernel's random device, where there is one; never a file or anything else put at its path. */
const RANDOM_DEVICE = '/dev/urandom'

/**
 * Fills `buf` from the kernel's random device, the source OpenSSL seeds node:crypto's generator from, and says
 * whether it could. The first id of a process draws the pool, and node:crypto with its ~20 modules, which a
 * Node that compiles its own modules does on every start, cost a one-request `flightdeck run` a tenth of its
 * instructions for one trace id. Windows has no such device: node:crypto fills it there.
 */
function fillFromKernel(buf: Buffer): boolean {
  if (process.platform === 'win32') return false
  let fd: number | null = null
  try {
    fd = openSync(RANDOM_DEVICE, 'r')
    if (!fstatSync(fd).isCharacterDevice()) return false
    let filled = 0
    // A read of a random device returns what was asked; a short one is read on from where it stopped.
    for (let reads = 0; reads < 8 && filled < buf.length; reads++) {
      const got = readSync(fd, buf, filled, buf.length - filled, null)
      if (got <= 0) break
      filled += got
    }
    return filled === buf.length
  } catch {
    return false
  } finally {
    if (fd !== null) closeQuietly(fd)
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // Read already, or not: either way nothing is left to do with it.
  }
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
