import { basename } from 'node:path'
import type { FileProblem } from '../../shared/collection'
import { COLLECTION_FILE, ENVIRONMENTS_DIR, FOLDER_FILE } from '../collections/collection-file-format'
import { stemOf } from '../collections/file-names'
import type { RunStep } from './run-step'

/**
 * A request file the collection's scan could not read (it does not parse, it is a link, a folder could not be
 * listed) stays in the run as a step that fails at once, naming the file and why, as newman reports an item it
 * cannot send and goes on: the rest of the run still runs and the run fails. A problem with a file every request
 * depends on (collection.yaml, a folder.yaml, the chosen environment, the scan as a whole) still refuses the run.
 */

/** The problem concerns a file the requests under it inherit from: the run cannot go on without it. */
export function refusesRun(problem: FileProblem, env: string | undefined): boolean {
  const p = problem.path
  return (
    p === '' ||
    p === COLLECTION_FILE ||
    basename(p) === FOLDER_FILE ||
    (env !== undefined && env !== '' && p.startsWith(`${ENVIRONMENTS_DIR}/${env}.`))
  )
}

/** The problem is with a request file (or a folder of them) under `under` ('' the whole collection). */
export function failsItem(problem: FileProblem, under: string): boolean {
  const p = problem.path
  if (p.startsWith(`${ENVIRONMENTS_DIR}/`)) return false
  // A collection of its own inside this one (../collections/loader.ts): not one of its requests; nothing failed.
  if (p !== COLLECTION_FILE && basename(p) === COLLECTION_FILE) return false
  return under === '' || p === under || p.startsWith(`${under}/`)
}

/** The step that fails, each iteration, saying why its file was not read. */
export function unreadableStep(problem: FileProblem): RunStep {
  const where = problem.line > 0 ? ` line ${problem.line}` : ''
  return {
    id: problem.path,
    name: stemOf(basename(problem.path)),
    path: problem.path,
    request: { method: 'GET', url: '', headers: [], body: { kind: 'none' }, options: {} },
    assertions: [],
    extract: [],
    unreadable: `${problem.path}${where}: ${problem.message}`,
  }
}
