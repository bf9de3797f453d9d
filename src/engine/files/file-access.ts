import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { writeFileAtomic } from '../collections/atomic-write'
import { configFolderError, ensureConfigFolder } from './config-folder'
import type { FileScope } from './confine'

/**
 * The folders outside a collection whose files a collection's requests may send: the app's setting (kept in
 * the config dir, `file-access.json`) and, for one process only, the CLI's `--allow-files DIR`. The CLI never
 * reads the app's setting, so a run in CI depends on its command line alone.
 */

/** Folders one list holds, at most. */
export const MAX_ALLOWED = 100
const FILE = 'file-access.json'

export interface FileAccessOptions {
  configDir: string
  /** Read and write the setting in the config dir (false: the CLI, tests). */
  persist: boolean
  /** How a refusal says to allow a folder: the app's setting or the CLI's flag. */
  host: 'app' | 'cli'
}

export class FileAccess {
  private saved: string[] = []
  private readonly session: string[] = []

  constructor(private readonly options: FileAccessOptions) {}

  /** Read the saved setting (a missing or broken file allows nothing more). */
  async restore(): Promise<void> {
    if (!this.options.persist) return
    try {
      const data = JSON.parse(await readFile(this.path(), 'utf8')) as { allowed?: unknown }
      const list = Array.isArray(data.allowed) ? data.allowed : []
      this.saved = list
        .filter((d): d is string => typeof d === 'string' && isAbsolute(d))
        .slice(0, MAX_ALLOWED)
    } catch {
      this.saved = []
    }
  }

  /** The folders the user allowed in the app (the setting). */
  list(): string[] {
    return [...this.saved]
  }

  /** Allow `folder` from now on (saved in the config dir). It must be an existing folder, named absolutely. */
  async allow(folder: string): Promise<Result<string[]>> {
    const checked = await existingFolder(folder)
    if (!checked.ok) return checked
    if (!this.saved.includes(checked.value)) {
      if (this.saved.length >= MAX_ALLOWED)
        return fail('too_large', `At most ${MAX_ALLOWED} folders can be allowed; remove one first`)
      this.saved = [...this.saved, checked.value]
      await this.write()
    }
    return ok(this.list())
  }

  /** Stop allowing `folder`. */
  async forget(folder: string): Promise<string[]> {
    const target = resolve(folder)
    if (this.saved.includes(target)) {
      this.saved = this.saved.filter((d) => d !== target)
      await this.write()
    }
    return this.list()
  }

  /** Folders allowed for this process only (the CLI's `--allow-files`); each must exist. */
  async allowForSession(folders: readonly string[]): Promise<Result<string[]>> {
    for (const folder of folders) {
      const checked = await existingFolder(folder)
      if (!checked.ok) return checked
      if (!this.session.includes(checked.value)) this.session.push(checked.value)
    }
    return ok([...this.session])
  }

  /** What a request from the collection at `root` may read. */
  scope(root: string): FileScope {
    const cli = this.options.host === 'cli'
    return {
      root,
      allowed: [...this.saved, ...this.session],
      howToAllow: (folder) =>
        cli
          ? `run again with --allow-files ${folder}`
          : `allow ${folder} under File access (the sidebar's Files… button) and send again`,
    }
  }

  private path(): string {
    return join(this.options.configDir, FILE)
  }

  private async write(): Promise<void> {
    if (!this.options.persist) return
    const what = 'the folders allowed for file access'
    await ensureConfigFolder(this.options.configDir, what)
    await writeFileAtomic(this.path(), `${JSON.stringify({ allowed: this.saved }, null, 2)}\n`).catch(
      async (e: unknown) => {
        throw await configFolderError(this.options.configDir, what, e)
      },
    )
  }
}

async function existingFolder(folder: string): Promise<Result<string>> {
  if (folder.trim() === '' || folder.includes('\0')) return fail('invalid_request', 'Name a folder to allow')
  if (!isAbsolute(folder))
    return fail('invalid_request', `Name the folder to allow by its full path, not ${folder}`)
  const abs = resolve(folder)
  const st = await stat(abs).catch(() => null)
  if (!st) return fail('not_found', `${abs} does not exist`)
  if (!st.isDirectory()) return fail('invalid_request', `${abs} is not a folder`)
  return ok(abs)
}
