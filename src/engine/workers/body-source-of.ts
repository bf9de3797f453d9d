import type { BodyWriter } from '../http/body-store'
import type { BodySource } from './protocol'

/** A finished body as a worker reads it: its temp file's path, or its bytes in shared memory. */
export function bodySourceOf(writer: BodyWriter): BodySource {
  const at = writer.location()
  return 'path' in at ? { path: at.path, size: writer.size } : { bytes: at.bytes, size: writer.size }
}
