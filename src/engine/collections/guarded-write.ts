import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { joinPath } from '../../shared/collection'
import { fail, ok, type Result } from '../../shared/result'
import { writeFileAtomic } from './atomic-write'
import type { Parsed } from './collection-file-format'
import { versionOf } from './loader'
import { renderYaml, type PlainMap } from './yaml-doc'
import { absPath } from './paths'
import { blockedOrFileFailure, checkInside } from './write-guard'
import { makeFolder } from '../files/make-folder'

/**
 * What every change to a collection file goes through: a filesystem error becomes a `file` refusal naming the
 * file; a file that exists but does not parse is never written over (the refusal gives its line and reason); a
 * document that parses is edited in place; a new file or folder gets a free name.
 */

const MAX_UNIQUE_TRIES = 1000

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
}

/** Run a change; a filesystem error becomes a `file` refusal naming `rel` instead of an internal error. */
export async function guarded<T>(rel: string, fn: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await fn()
  } catch (e) {
    return blockedOrFileFailure(rel, e)
  }
}

export function refusal(rel: string, r: Parsed<unknown>): Result<never> | null {
  if (r.ok) return null
  return fail(
    'parse',
    `${rel} does not parse (line ${r.problem.line}: ${r.problem.message}); it is left as it is — fix it in an editor first`,
  )
}

/** Write `plain` to `rel`, editing the existing document in place when there is one that parses. */
export async function writeDoc(
  dir: string,
  rel: string,
  plain: PlainMap,
  known: ReadonlySet<string>,
  check: (text: string) => Parsed<unknown>,
): Promise<Result<string>> {
  const abs = absPath(dir, rel)
  const inside = await checkInside(dir, rel, abs, true)
  if (!inside.ok) return inside
  const previous = await readIfExists(abs)
  if (previous !== null) {
    const bad = refusal(rel, check(previous))
    if (bad) return bad
  }
  const text = renderYaml(plain, previous, known)
  await makeFolder(parentOf(abs))
  await writeFileAtomic(abs, text)
  return ok(versionOf(text))
}

function parentOf(abs: string): string {
  return abs.slice(0, abs.length - basename(abs).length - 1) || abs
}

/**
 * A free file or folder name in `folder`: `stem`, then `stem-2`, `stem-3`, ... `from`: the first number to try,
 * for a writer that knows the ones before it are taken (an import writing thousands of requests of one name tried
 * each taken name again for each, and gave up at the 1,000th).
 */
export async function uniqueName(
  dir: string,
  folder: string,
  stem: string,
  ext: string,
  except?: string,
  from = 1,
): Promise<string> {
  for (let i = from; i < from + MAX_UNIQUE_TRIES; i++) {
    const name = `${i === 1 ? stem : `${stem}-${i}`}${ext}`
    const rel = joinPath(folder, name)
    if (rel === except || !(await exists(absPath(dir, rel)))) return name
  }
  throw new Error(`No free name for ${stem} in ${folder || 'the collection root'}`)
}
