import { ancestorFolders, findNode, type FolderNode, type RequestScripts } from '../../shared/collection'
import type { ScriptPhase } from '../../shared/scripts'
import { scriptSources } from './script-host'
import type { ScriptSource } from './script-types'

/**
 * The scripts that run for a request: the collection's own (collection.yaml), each folder's above it, outer
 * first (folder.yaml), then the request's, in the order Postman runs them, for the pre-request phase and the
 * test phase alike. Each part is a script of its own (its own scope, as in Postman) and keeps where it came
 * from, so an error, a console line or a test names it (`pre-request script of folder "Auth": …`). A level
 * whose `translated` is true is not run: the checks an import made of it stand for it.
 */

export interface LevelScripts {
  origin: 'collection' | 'folder'
  /** How errors name it: `the collection`, `folder "Auth"`. */
  where: string
  scripts: RequestScripts
}

/**
 * The collection's and folders' scripts above `path` (a request file, or a folder for a request not yet
 * saved, whose own scripts then run too), outermost first. Only levels with scripts are listed.
 */
export function levelScriptsAt(root: FolderNode | undefined, path: string | undefined): LevelScripts[] {
  if (!root) return []
  const chain = ancestorFolders(root, path ?? '')
  const own = path !== undefined && path !== '' ? findNode(root, path) : null
  if (own?.type === 'folder' && chain[chain.length - 1] !== own) chain.push(own)
  const out: LevelScripts[] = []
  for (const f of chain) {
    if (!f.scripts) continue
    out.push(
      f === root
        ? { origin: 'collection', where: 'the collection', scripts: f.scripts }
        : { origin: 'folder', where: `folder "${f.name}"`, scripts: f.scripts },
    )
  }
  return out
}

/** One phase's scripts for a request: its levels' (outermost first), then its own. */
export function phaseScripts(
  levels: readonly LevelScripts[],
  own: RequestScripts | undefined,
  phase: ScriptPhase,
  requestName: string,
): ScriptSource[] {
  const out: ScriptSource[] = []
  for (const level of levels) {
    if (level.scripts.translated === true) continue
    const code = phase === 'pre' ? level.scripts.preRequest : level.scripts.test
    if (code === undefined || code.trim() === '') continue
    out.push({ origin: level.origin, where: level.where, code })
  }
  return [...out, ...scriptSources(own, phase, requestName)]
}

const CARRIED = /^\/\/ From (the collection|folder ".*")$/

/**
 * The parts of a request's own scripts that an older import carried down from a level (each after a
 * `// From the collection` / `// From folder "Auth"` line) while that level now has a script of its own for the
 * same phase (collection.yaml, folder.yaml): both run, so the carried code runs twice (a token fetched twice, a
 * test counted twice). One warning per phase and level, naming the request and what to remove.
 */
export function carriedTwice(
  levels: readonly LevelScripts[],
  own: RequestScripts | undefined,
  requestName: string,
  path: string,
): string[] {
  if (!own || own.translated === true) return []
  const out: string[] = []
  for (const phase of ['pre', 'post'] as const) {
    const text = phase === 'pre' ? own.preRequest : own.test
    if (text === undefined) continue
    const carried = new Set<string>()
    for (const line of text.split('\n')) {
      const m = CARRIED.exec(line.trimEnd())
      if (m?.[1] !== undefined) carried.add(m[1])
    }
    const script = phase === 'pre' ? 'pre-request' : 'test'
    for (const where of carried) {
      const level = levels.find((l) => l.where === where && l.scripts.translated !== true)
      const code = phase === 'pre' ? level?.scripts.preRequest : level?.scripts.test
      if (code === undefined || code.trim() === '') continue
      const file = where === 'the collection' ? 'collection.yaml' : `${where}'s folder.yaml`
      out.push(
        `request "${requestName}" (${path}): its ${script} script carries ${where}'s script down (the part after "// From ${where}", from an older import) and ${file} has a ${script} script of its own: both run, so that code runs twice. Remove the carried part from the request file.`,
      )
    }
  }
  return out
}

/** Whether any level above a request has a script that runs. */
export function levelsRun(levels: readonly LevelScripts[]): boolean {
  return levels.some(
    (l) =>
      l.scripts.translated !== true &&
      ((l.scripts.preRequest ?? '').trim() !== '' || (l.scripts.test ?? '').trim() !== ''),
  )
}
