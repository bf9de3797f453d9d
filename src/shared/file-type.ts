import { types } from 'mime-types'

/**
 * The Content-Type a file goes out with when nobody gave it one, guessed from its name as Postman and
 * Insomnia guess it: both look the extension up in the `mime-types` table (Postman through form-data and
 * postman-request, Insomnia in its multipart builder), so this reads the same table. Only the last path
 * segment's extension counts (`/a.d/file` has none, `.bashrc` has none); the case is ignored. Null when the
 * table does not know it: the sender then falls back to `application/octet-stream`, as they do.
 */
export function guessFileType(path: string): string | null {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1)
  const dot = base.lastIndexOf('.')
  if (dot <= 0) return null
  const ext = base.slice(dot + 1).toLowerCase()
  return Object.hasOwn(types, ext) ? (types[ext] ?? null) : null
}

/** What a file is sent as when it has no type of its own: the guess, else `application/octet-stream`. */
export function fileTypeOrDefault(path: string): string {
  return guessFileType(path) ?? 'application/octet-stream'
}
