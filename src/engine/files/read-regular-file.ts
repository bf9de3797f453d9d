import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { open } from 'node:fs/promises'

/**
 * A file read whole, if it is a regular file no larger than `limit` bytes. A named pipe is opened without
 * waiting for a writer and a device (`/dev/zero`) is never read: both are 'not a file', decided by what was
 * opened (fstat), not by a path checked earlier. The read stops one byte past the file's size, so a file that
 * grew meanwhile is 'changed', never read whole.
 */
export type RegularFileRead =
  { ok: true; bytes: Buffer } | { ok: false; why: 'not_a_file' | 'too_large' | 'changed'; size?: number }

export async function readRegularFile(path: string, limit: number): Promise<RegularFileRead> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const info = await handle.stat()
    if (!info.isFile()) return { ok: false, why: 'not_a_file' }
    if (info.size > limit) return { ok: false, why: 'too_large', size: info.size }
    const bytes = Buffer.alloc(info.size + 1)
    let length = 0
    // Each read gives at least a byte or ends the loop: at most bytes.length turns.
    while (length < bytes.length) {
      const { bytesRead } = await handle.read(bytes, length, bytes.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > info.size) return { ok: false, why: 'changed' }
    return { ok: true, bytes: bytes.subarray(0, length) }
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/** readRegularFile for a caller that must not wait (a send's plan is made synchronously): the same checks. */
export function readRegularFileSync(path: string, limit: number): RegularFileRead {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const info = fstatSync(fd)
    if (!info.isFile()) return { ok: false, why: 'not_a_file' }
    if (info.size > limit) return { ok: false, why: 'too_large', size: info.size }
    const bytes = Buffer.alloc(info.size + 1)
    let length = 0
    while (length < bytes.length) {
      const bytesRead = readSync(fd, bytes, length, bytes.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > info.size) return { ok: false, why: 'changed' }
    return { ok: true, bytes: bytes.subarray(0, length) }
  } finally {
    closeSync(fd)
  }
}

/** Why a file an import walks was not read, in the words its note uses (`<file>: <why>; left out`). */
export function leftOutBecause(why: 'not_a_file' | 'too_large' | 'changed', limit: number): string {
  return why === 'not_a_file'
    ? 'not a file (a pipe, a device or a folder)'
    : why === 'too_large'
      ? `larger than ${limit / 1024 / 1024} MiB`
      : 'changed while it was read'
}
