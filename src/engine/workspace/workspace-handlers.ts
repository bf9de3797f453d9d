import { fail, ok, type Result } from '../../shared/result'
import type { CommandHandlers, WorkspaceCommand } from '../../shared/contract'
import { configFolderError, configFolderFailure, ensureConfigFolder } from '../files/config-folder'
import type { TimelineJournal } from '../sessions/timeline-journal'
import { readLastSessionHar } from './last-session'
import { readLastSessionInfo, readWorkspace, writeWorkspace } from './workspace-store'

type WorkspaceHandlers = CommandHandlers<WorkspaceCommand>

export interface WorkspaceHandlerDeps {
  configDir: string
  journal: TimelineJournal
  /** `har.import`: the last session goes onto the timeline as any imported HAR does (read-only rows). */
  importHar(text: string, name: string): Promise<Result<{ sids: string[]; skipped: number }>>
}

/** `workspace.*` and `timeline.replay`: what brings a window back after a reload or a restart. */
export function createWorkspaceHandlers(deps: WorkspaceHandlerDeps): WorkspaceHandlers {
  // Saves arrive debounced, but two may still overlap (a save on pagehide after a debounced one): one at a
  // time, in order, so the last one asked for is the one on disk, and a read waits for the writes before it.
  let writing: Promise<unknown> = Promise.resolve()
  return {
    'workspace.get': async () => {
      // A reloading page's last save (sent on pagehide) may still be on its way to disk: read what it wrote.
      await writing
      const [read, lastSession] = await Promise.all([
        readWorkspace(deps.configDir),
        readLastSessionInfo(deps.configDir),
      ])
      return ok({ ...read, lastSession })
    },
    'workspace.save': async (p) => {
      const write = writing.then(async () => {
        await ensureConfigFolder(deps.configDir, 'the workspace')
        return writeWorkspace(deps.configDir, p.workspace).catch(async (e: unknown) => {
          throw e instanceof RangeError ? e : await configFolderError(deps.configDir, 'the workspace', e)
        })
      })
      writing = write.catch(() => undefined)
      try {
        return ok({ bytes: await write })
      } catch (e) {
        if (e instanceof RangeError) return fail('too_large', e.message)
        const config = configFolderFailure(e)
        if (config) return config
        return fail('file', `Could not save the workspace: ${e instanceof Error ? e.message : String(e)}`)
      }
    },
    'workspace.openLastSession': async () => {
      let text: string
      try {
        text = await readLastSessionHar(deps.configDir)
      } catch {
        return fail('not_found', 'No timeline was kept from the last session')
      }
      return deps.importHar(text, 'Last session')
    },
    'timeline.replay': async (p) => ok(deps.journal.page(p.from ?? 0, p.limit)),
    'timeline.forget': async (p) => ok({ forgotten: deps.journal.forget(p.sids) }),
  }
}
