import { join } from 'node:path'
import { configFolderError, ensureConfigFolder } from '../files/config-folder'
import { writeFileAtomic } from './atomic-write'
import { readUtf8 } from './callback-fs'

/**
 * workspace.json in the config folder: which collection folders are open, the recent ones, and the environment
 * chosen per folder. Read once at start (a broken or odd file reads as an empty workspace, bounded); written
 * one write at a time.
 */

export const MAX_OPEN = 32
export const MAX_RECENT = 12

export interface Workspace {
  open: string[]
  recent: string[]
  /** The environment chosen per collection folder. */
  env: Record<string, string>
}

export function emptyWorkspace(): Workspace {
  return { open: [], recent: [], env: {} }
}

/** A file's text, or null when it cannot be read. */
export async function readText(path: string): Promise<string | null> {
  try {
    return await readUtf8(path)
  } catch {
    return null
  }
}

export async function readWorkspace(configDir: string, persist: boolean): Promise<Workspace> {
  if (!persist) return emptyWorkspace()
  const text = await readText(join(configDir, 'workspace.json'))
  if (text === null) return emptyWorkspace()
  try {
    const data = JSON.parse(text) as Partial<Workspace>
    const strings = (v: unknown): string[] =>
      Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').slice(0, MAX_OPEN) : []
    const env: Record<string, string> = {}
    if (typeof data.env === 'object' && data.env !== null) {
      for (const [k, v] of Object.entries(data.env).slice(0, 1000)) if (typeof v === 'string') env[k] = v
    }
    return { open: strings(data.open), recent: strings(data.recent).slice(0, MAX_RECENT), env }
  } catch {
    return emptyWorkspace()
  }
}

/**
 * One write of workspace.json at a time: opening several folders at once made as many overlapping writes.
 * A change while one is writing queues one more write, which every later change joins; it reads the
 * workspace (`current`) when it starts, so the file ends with the latest state.
 */
export class WorkspaceWriter {
  /** The last workspace.json write, and one queued behind it that later changes join. */
  private last: Promise<void> = Promise.resolve()
  private queued: Promise<void> | null = null

  constructor(
    private readonly configDir: string,
    private readonly persist: boolean,
    private readonly current: () => Workspace,
  ) {}

  write(): Promise<void> {
    if (!this.persist) return Promise.resolve()
    if (this.queued) return this.queued
    const next = this.last.then(() => {
      this.queued = null
      return this.writeNow()
    })
    this.queued = next
    this.last = next.catch(() => undefined)
    return next
  }

  private async writeNow(): Promise<void> {
    const what = 'the list of open collections'
    await ensureConfigFolder(this.configDir, what)
    const path = join(this.configDir, 'workspace.json')
    await writeFileAtomic(path, `${JSON.stringify(this.current(), null, 2)}\n`).catch(async (e: unknown) => {
      throw await configFolderError(this.configDir, what, e)
    })
  }
}
