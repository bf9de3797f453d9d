import { readRegularFile, readRegularFileSync, type RegularFileRead } from './read-regular-file'

/**
 * Certificate and key files a request names (a CA file, a client certificate or key). A request may come
 * from a shared collection, so the path may be anything: `/dev/zero` was read until the engine held gigabytes,
 * a named pipe waited for a writer for good. Only a regular file up to MAX_PEM_BYTES is read; anything else
 * throws an Error whose message says why, which each caller puts under its own 'Cannot read the CA file …'.
 */

/** Larger than any real certificate bundle (the system's whole CA list is about 200 KB). */
export const MAX_PEM_BYTES = 16 * 1024 * 1024

function bytesOf(path: string, read: RegularFileRead): Buffer {
  if (read.ok) return read.bytes
  throw new Error(
    read.why === 'not_a_file'
      ? `${path} is not a file (a pipe, a device or a folder)`
      : read.why === 'too_large'
        ? `${path} is larger than ${MAX_PEM_BYTES / 1024 / 1024} MB`
        : `${path} changed while it was read`,
  )
}

/** A PEM file's text, read synchronously (a send's plan is made without waiting). */
export function readPemText(path: string): string {
  return bytesOf(path, readRegularFileSync(path, MAX_PEM_BYTES)).toString('utf8')
}

/** A PEM file's bytes. */
export async function readPemBytes(path: string): Promise<Buffer> {
  return bytesOf(path, await readRegularFile(path, MAX_PEM_BYTES))
}
