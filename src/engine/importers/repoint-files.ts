import { realpath } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { SavedRequest } from '../../shared/collection'
import { RELATIVE_FILES_NOTE } from './bruno-body'
import { notePlace, type ImportPlan, type PlanNode } from './plan'

/**
 * A Bruno collection's requests name their files (a file body, a multipart file part) relative to the Bruno
 * collection's folder; an imported request reads them relative to the folder the import is written to. So each
 * such path is re-pointed to the same file from there. Only a file inside the Bruno folder is: the path is
 * resolved with every symbolic link followed, and one that leads outside is kept as written (the send then
 * refuses it, as any path outside the collection) and named in the report.
 */

/** Most ancestors looked at for a file that does not exist (yet): its folder may. */
const MAX_UP = 64

/** `p` with every link followed; for a path that does not exist, its nearest existing folder's real path. */
async function realOrNearest(p: string): Promise<string> {
  let at = p
  const rest: string[] = []
  for (let i = 0; i < MAX_UP; i++) {
    const real = await realpath(at).catch(() => null)
    if (real !== null) return rest.length === 0 ? real : join(real, ...rest.reverse())
    const up = dirname(at)
    if (up === at) break
    rest.push(at.slice(up.length).replace(/^[/\\]+/, ''))
    at = up
  }
  return p
}

function inside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep)
}

/** A path Bruno reads from its collection folder: not absolute, not a variable. */
function isRelative(path: string): boolean {
  const p = path.trim()
  return p !== '' && !isAbsolute(p) && !/^([/\\]|[A-Za-z]:[\\/]|\{\{)/.test(p)
}

interface Pointed {
  /** The path as the imported request names it; the original when it was refused. */
  path: string
  /** The real file, or null when it leads outside the Bruno folder. */
  real: string | null
  exists: boolean
}

/** Re-point the relative file paths of a plan read from the Bruno folder `sourceDir`, written to `into`. */
export async function repointFiles(plan: ImportPlan, sourceDir: string, into: string): Promise<void> {
  const source = await realOrNearest(resolve(sourceDir))
  const target = await realOrNearest(resolve(into))
  const seen = new Map<string, Pointed>()
  const point = async (path: string): Promise<Pointed> => {
    const known = seen.get(path)
    if (known) return known
    const real = await realOrNearest(resolve(source, path.trim()))
    const exists = (await realpath(real).catch(() => null)) !== null
    const out: Pointed = inside(real, source)
      ? { path: relative(target, real).split(sep).join('/'), real, exists }
      : { path, real: null, exists }
    seen.set(path, out)
    return out
  }
  const lines: string[] = []
  const visit = async (nodes: readonly PlanNode[], at: string): Promise<void> => {
    for (const n of nodes) {
      if (n.type === 'folder') await visit(n.folder.children, notePlace(at, n.folder.name))
      else await request(n.request, notePlace(at, n.request.name))
    }
  }
  const request = async (r: SavedRequest, where: string): Promise<void> => {
    const moved: [string, Pointed][] = []
    const repoint = async (path: string): Promise<string> => {
      if (!isRelative(path)) return path
      const p = await point(path)
      if (p.real === null)
        lines.push(
          `${where}: file ${JSON.stringify(path.slice(0, 120))} leads outside the Bruno collection's folder (after its links are followed); kept as written, and the request refuses to read it`,
        )
      else moved.push([path, p])
      return p.path
    }
    const b = r.body
    if (b.kind === 'file') b.path = await repoint(b.path)
    if (b.kind === 'multipart')
      for (const part of b.parts) if (part.kind === 'file') part.path = await repoint(part.path)
    if (moved.length === 0) return
    const [first, p] = moved[0] as [string, Pointed]
    const more = moved.length > 1 ? ` and ${moved.length - 1} more` : ''
    const missing = moved.filter(([, m]) => !m.exists).length
    const outside = moved.some(([, m]) => m.real !== null && !inside(m.real, target))
    lines.push(
      `${where}: file ${JSON.stringify(first.slice(0, 120))}${more} re-pointed to the Bruno collection's copy (${JSON.stringify(p.path.slice(0, 160))})` +
        (missing > 0 ? `; ${missing} not found there` : '') +
        (outside
          ? `; it is outside this collection: allow ${source} (Files…; --allow-files) to send it`
          : ''),
    )
  }
  await visit(plan.children, '')
  plan.unmapped = plan.unmapped.filter((l) => !l.includes(RELATIVE_FILES_NOTE)).concat(lines)
}
