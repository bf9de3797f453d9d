import { join } from 'node:path'
import type { FileProblem } from '../shared/collection'

/**
 * A folder with its own collection.yaml inside the collection being run is a collection of its own: the outer
 * one leaves it out (../engine/collections/loader.ts lists it among its problems). A run that finds no requests,
 * or is pointed into such a folder, says which nested collections it left out and the command that runs each.
 */

const COLLECTION_FILE = 'collection.yaml'
/** Nested collections named one per line; the rest are counted. */
const MAX_NAMED = 10

/** The folders (relative to the collection) that are collections of their own, from the loader's problems. */
function nestedFolders(problems: readonly FileProblem[]): string[] {
  return problems
    .filter((p) => p.path !== COLLECTION_FILE && p.path.endsWith(`/${COLLECTION_FILE}`))
    .map((p) => p.path.slice(0, -COLLECTION_FILE.length - 1))
}

/**
 * One line per nested collection a run of `path` in the collection at `dir` (as typed) did not include: those
 * under `path`, or the one `path` points into (then with the rest of the path to run inside it).
 */
export function nestedCollectionLines(dir: string, path: string, problems: readonly FileProblem[]): string[] {
  const chosen = path.replace(/^\/+|\/+$/g, '')
  const lines: string[] = []
  let more = 0
  for (const folder of nestedFolders(problems)) {
    let rest: string | null = null
    if (chosen === '' || folder.startsWith(`${chosen}/`)) rest = ''
    else if (chosen === folder) rest = ''
    else if (chosen.startsWith(`${folder}/`)) rest = chosen.slice(folder.length + 1)
    if (rest === null) continue
    if (lines.length >= MAX_NAMED) {
      more++
      continue
    }
    const command = `flightdeck run ${quoted(join(dir, folder))}${rest ? ` ${quoted(rest)}` : ''}`
    lines.push(
      `${folder} is a collection of its own (it has its own ${COLLECTION_FILE}), so this run leaves it out: run it with ${command}`,
    )
  }
  if (more > 0) lines.push(`… and ${more} more collections of their own inside it`)
  return lines
}

/** A path as a shell reads it back: quoted only when it needs to be. */
function quoted(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}
