import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  MAX_WORKSPACE_BYTES,
  workspaceSchema,
  type LastSessionInfo,
  type Workspace,
  type WorkspaceGetResult,
} from '../../shared/workspace-schemas'
import { writeFileAtomic } from '../collections/atomic-write'
import { groupDigits } from '../../shared/group-digits'

/**
 * workspace-tabs.json in the app's config dir: what the window had open (tabs with their drafts, the active
 * collection and environment, the Send ×N count). Beside the collections' workspace.json (open and recent
 * folders, written by the collection manager), which it must not overwrite: one file, one writer. One atomic write per save (a crash mid-save leaves the last
 * good file), validated when read back: a broken or oversized file is reported and left on disk untouched, and
 * the app starts with an empty workspace rather than refusing to start.
 */
export const WORKSPACE_FILE = 'workspace-tabs.json'
export const LAST_SESSION_HAR = 'last-session.har'
export const LAST_SESSION_INFO = 'last-session.json'

export async function readWorkspace(configDir: string): Promise<Omit<WorkspaceGetResult, 'lastSession'>> {
  const path = join(configDir, WORKSPACE_FILE)
  let size: number
  try {
    size = (await stat(path)).size
  } catch {
    return { workspace: null }
  }
  if (size > MAX_WORKSPACE_BYTES)
    return {
      workspace: null,
      problem: `${path} is ${groupDigits(size)} bytes, over the ${groupDigits(MAX_WORKSPACE_BYTES)}-byte limit: not read (left as it is)`,
    }
  let data: unknown
  try {
    data = JSON.parse(await readFile(path, 'utf8'))
  } catch (e) {
    return {
      workspace: null,
      problem: `${path} is not JSON (${e instanceof Error ? e.message : String(e)}): not read (left as it is)`,
    }
  }
  const parsed = workspaceSchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
    return {
      workspace: null,
      problem: `${path} does not hold a workspace${where}: ${issue?.message ?? 'malformed'} (left as it is)`,
    }
  }
  return { workspace: parsed.data }
}

export async function writeWorkspace(configDir: string, workspace: Workspace): Promise<number> {
  const text = JSON.stringify(workspace)
  const bytes = Buffer.byteLength(text)
  if (bytes > MAX_WORKSPACE_BYTES)
    throw new RangeError(
      `The workspace is ${groupDigits(bytes)} bytes, over the ${groupDigits(MAX_WORKSPACE_BYTES)}-byte limit`,
    )
  await writeFileAtomic(join(configDir, WORKSPACE_FILE), text, { mode: 0o600 })
  return bytes
}

export async function readLastSessionInfo(configDir: string): Promise<LastSessionInfo | null> {
  try {
    const data: unknown = JSON.parse(await readFile(join(configDir, LAST_SESSION_INFO), 'utf8'))
    if (typeof data !== 'object' || data === null) return null
    const d = data as Record<string, unknown>
    const num = (k: string): number | null => {
      const v = d[k]
      return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null
    }
    const savedAt = num('savedAt')
    const sessions = num('sessions')
    const omitted = num('omitted')
    const bodyBytes = num('bodyBytes')
    if (savedAt === null || sessions === null || omitted === null || bodyBytes === null) return null
    await stat(join(configDir, LAST_SESSION_HAR))
    return { savedAt, sessions, omitted, bodyBytes }
  } catch {
    return null
  }
}
