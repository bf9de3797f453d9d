import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs'

/**
 * A file that a folder's listing said is a regular file, read through one descriptor: open, fstat, read, close.
 * A cold scan otherwise stats each file by its path (for the parse cache's mtime and size) and then reads it by
 * its path again, which walks the path twice and made each file cost two calls' bookkeeping more (5,000 files:
 * ~85 ms of CPU against ~53 through the descriptor).
 *
 * O_NONBLOCK: should the name have become a pipe since the listing, opening it does not wait for a writer; its
 * fstat then says it is no file and it is not read.
 */

/** Reused for every file that fits (nearly all): a buffer a file would otherwise be garbage at once. */
const SHARED_BYTES = 64 * 1024
let shared: Buffer | null = null

const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)
/** A name that has become a link since the listing is not followed here (the caller's stat judges it). */
const NO_LINK_FLAGS = FLAGS | (constants.O_NOFOLLOW ?? 0)

export type ListedFile = { stats: Stats; text: string } | { stats: Stats; error: unknown }

/**
 * The file's stats and text (not read, '' then, when it is not a regular file or is over `maxBytes`), or null
 * when it cannot be opened (the caller then goes by the path and words why).
 */
export function readListedFile(abs: string, maxBytes: number): ListedFile | null {
  let fd: number
  try {
    fd = openSync(abs, FLAGS)
  } catch {
    return null
  }
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile() || stats.size > maxBytes) return { stats, text: '' }
    try {
      return { stats, text: readAll(fd, stats.size, maxBytes) }
    } catch (error) {
      return { stats, error }
    }
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}

/**
 * A small listed file's text, without its stats, for a scan that keeps none (./parse-cache.ts): Node 20 makes a
 * Stats object with four Dates for each fstat, ~3.6 ms of CPU for 1,000 files cold, a third of reading them. Null
 * whenever this cannot tell a whole regular file was read: it cannot be opened (gone, a link now), the positioned
 * read fails (a folder, a pipe: they have no positions), it is empty, or it fills the shared buffer (a big file,
 * a device). The caller then reads it the way that looks at its stats and words why.
 */
export function readSmallListedText(abs: string): string | null {
  let fd: number
  try {
    fd = openSync(abs, NO_LINK_FLAGS)
  } catch {
    return null
  }
  try {
    const buf = (shared ??= Buffer.allocUnsafeSlow(SHARED_BYTES))
    const got = readSync(fd, buf, 0, SHARED_BYTES, 0)
    return got > 0 && got < SHARED_BYTES ? buf.toString('utf8', 0, got) : null
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}

/**
 * Every byte to the end (the file may have grown since its fstat), as UTF-8. A read that returns less than it
 * was given room for has met the end: a regular file's read is short only there.
 */
function readAll(fd: number, size: number, maxBytes: number): string {
  let buf =
    size < SHARED_BYTES ? (shared ??= Buffer.allocUnsafeSlow(SHARED_BYTES)) : Buffer.allocUnsafe(size + 1)
  let n = 0
  for (;;) {
    const room = buf.length - n
    const got = readSync(fd, buf, n, room, n)
    n += got
    if (got < room) return buf.toString('utf8', 0, n)
    if (n > maxBytes) throw new Error(`File is larger than ${maxBytes} bytes`)
    const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxBytes + 1))
    buf.copy(bigger, 0, 0, n)
    buf = bigger
  }
}
