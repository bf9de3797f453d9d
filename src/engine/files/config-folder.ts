import { fail, type Result } from '../../shared/result'
import { folderBlocker } from './folder-blocker'
import { makeFolder } from './make-folder'

/**
 * Flightdeck's own config folder (recent collections, global variables, allowed folders, the workspace, the
 * last session, the browser host's and CLI's secrets). It is made on the first save. When something else is in
 * the way (a file by that name, a link to nothing, a folder nobody may write to), every save into it is
 * refused with a sentence that names the path and what to do, instead of an `internal` EEXIST; whatever is in
 * the way is left exactly as it was.
 */

/** A save into the config folder that could not happen; the dispatcher answers it as a `file` error. */
export class ConfigFolderError extends Error {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message)
    this.name = 'ConfigFolderError'
  }
}

const ADVICE = 'or start Flightdeck with FLIGHTDECK_CONFIG_DIR set to another folder'

/** Make the config folder `dir` if it is missing; throws ConfigFolderError naming what is in the way. */
export async function ensureConfigFolder(dir: string, what: string, mode?: number): Promise<void> {
  try {
    await makeFolder(dir, mode)
  } catch (e) {
    throw await configFolderError(dir, what, e)
  }
}

/** The ConfigFolderError for a failed save of `what` into `dir` (a filesystem error); anything else as it is. */
export async function configFolderError(dir: string, what: string, e: unknown): Promise<unknown> {
  if (e instanceof ConfigFolderError) return e
  const code = (e as NodeJS.ErrnoException | null)?.code
  if (typeof code !== 'string') return e
  const detail = e instanceof Error ? e.message : String(e)
  const head = `Could not save ${what}: Flightdeck's config folder ${dir}`
  const blocker = await folderBlocker(dir)
  if (blocker) {
    const self = blocker.path === dir ? 'itself' : `(${blocker.path})`
    return new ConfigFolderError(
      `${head} cannot be made because the path ${self} ${blocker.what}. It was left as it is; ` +
        `move or rename ${blocker.path}, ${ADVICE}`,
      detail,
    )
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new ConfigFolderError(
      `${head} cannot be written (permission denied). Nothing in it was changed; ` +
        `give your user write access to it, ${ADVICE}`,
      detail,
    )
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new ConfigFolderError(`${head} is on a full disk. Nothing in it was changed`, detail)
  return new ConfigFolderError(`${head} cannot be written (${code}). Nothing in it was changed`, detail)
}

/** A thrown ConfigFolderError as the answer to a command; null for any other error. */
export function configFolderFailure(e: unknown): Result<never> | null {
  return e instanceof ConfigFolderError ? fail('file', e.message, e.detail) : null
}
