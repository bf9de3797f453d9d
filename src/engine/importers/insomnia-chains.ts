import type { SavedRequest } from '../../shared/collection'
import type { TagMapper } from './insomnia-tags'

/**
 * Response chaining written into the plan: the extractions the template tags asked for go on the request read,
 * and each reader gets a `dependsOn` path to it (relative, as the files will be laid out), so a run sends the
 * read request first.
 */

/** Where a request's file will be, as folder slugs and file name: what `dependsOn` is written with. */
export interface Placed {
  folders: string[]
  file: string
  request: SavedRequest
}

/** `./login.yaml` or `../auth/login.yaml`: the path from `from`'s folder to `to`. */
function relativeDep(from: Placed, to: Placed): string {
  let common = 0
  while (
    common < from.folders.length &&
    common < to.folders.length &&
    from.folders[common] === to.folders[common]
  )
    common++
  const up = from.folders.length - common
  const down = [...to.folders.slice(common), to.file].join('/')
  return up === 0 ? `./${down}` : `${'../'.repeat(up)}${down}`
}

/** Put the chains the tags asked for into the requests: extractions on the source, dependsOn on the user. */
export function linkChains(tags: TagMapper, placed: ReadonlyMap<string, Placed>, u: string[]): void {
  for (const [id, list] of tags.extracts) {
    const p = placed.get(id)
    if (p) p.request.extract = [...(p.request.extract ?? []), ...list]
  }
  // One report line per request read, however many read it (a login read by 5,000 requests is one line).
  const readers = new Map<string, number>()
  for (const [id, deps] of tags.depends) {
    const from = placed.get(id)
    if (!from) continue
    const paths: string[] = []
    for (const dep of deps) {
      const to = placed.get(dep)
      if (!to) continue
      paths.push(relativeDep(from, to))
      readers.set(dep, (readers.get(dep) ?? 0) + 1)
    }
    if (paths.length > 0) from.request.dependsOn = paths
  }
  for (const [id, n] of readers) {
    const p = placed.get(id)
    if (!p) continue
    const names = (p.request.extract ?? []).map((x) => `{{${x.name}}}`).join(', ')
    u.push(
      `${p.request.name}: read by ${n} request${n === 1 ? '' : 's'} through response chaining: extracted here as ${names}, and each of them depends on it (a run sends it first)`,
    )
  }
}
