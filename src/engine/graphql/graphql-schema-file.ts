import { isAbsolute, resolve } from 'node:path'
import type { CommandRequest, CommandResponse } from '../../shared/contract'
import { MAX_SDL_BYTES } from '../../shared/graphql-sdl'
import { fail, ok, type Result } from '../../shared/result'
import { collectionFileScope } from '../collections/handlers'
import type { CollectionManager } from '../collections/manager'
import { confinePath, SCHEMA_NOT_LOADED } from '../files/confine'
import { readRegularFile } from '../files/read-regular-file'

/**
 * `graphql.schemaFile`: the text of a request's `.graphql` SDL file, for the composer's completion, validation
 * and docs (the renderer builds the schema). A request saved in a collection names it relative to the
 * collection folder and may not leave it (after links), as any collection path; an Untitled tab's must be
 * absolute. The file is bounded: a larger one is refused, saying its size and the limit. It must be a file: a
 * named pipe (opened without waiting for a writer) or a device (`/dev/zero`) is refused, not read.
 */
export async function readSchemaFile(
  manager: CollectionManager,
  p: CommandRequest<'graphql.schemaFile'>,
): Promise<Result<CommandResponse<'graphql.schemaFile'>>> {
  const raw = p.path.trim()
  if (!raw) return fail('invalid_request', 'The schema file path is empty')
  const scope = collectionFileScope(manager, p.context)
  let path: string
  if (scope) {
    const confined = await confinePath(raw, scope, 'The schema file', SCHEMA_NOT_LOADED)
    if (!confined.ok) return confined
    path = confined.value
  } else if (isAbsolute(raw)) path = resolve(raw)
  else
    return fail(
      'invalid_request',
      `The schema file ${raw} is relative, and this request is in no collection: save it in one, or give an absolute path`,
    )
  const tooLarge = (size: number): Result<never> =>
    fail(
      'file',
      `The schema file ${raw} is ${size.toLocaleString('en-US')} bytes, past the ${MAX_SDL_BYTES.toLocaleString('en-US')}-byte limit`,
    )
  try {
    const read = await readRegularFile(path, MAX_SDL_BYTES)
    if (read.ok) return ok({ path, sdl: read.bytes.toString('utf8') })
    if (read.why === 'not_a_file')
      return fail('file', `The schema file ${raw} is not a file (a pipe, a device or a folder)`)
    if (read.why === 'too_large') return tooLarge(read.size ?? 0)
    return fail('file', `The schema file ${raw} changed while it was read; try again`)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e))
    return fail('file', `The schema file ${raw} cannot be read (${code})`)
  }
}
