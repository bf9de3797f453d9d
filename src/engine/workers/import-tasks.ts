import { graphqlRequests } from '../graphql/graphql-import'
import { brunoFolderOf, importBrunoFolder } from '../importers/bruno'
import { openCollectionFolderOf, importOpenCollectionFolder } from '../importers/opencollection'
import { countPlan, ImportError, ImportTooLarge, refuseTooLarge } from '../importers/plan'
import { planImport, readImportFile } from '../importers/index'
import type { TaskInput, TaskOutput } from './protocol'
import { TaskFailure } from './task-failure'
import { checkMemory } from './worker-memory'

/** Worker side of imports: read the file, parse it, validate it (OpenAPI), and build the plan. */
export async function importPlan(p: TaskInput<'import.plan'>): Promise<TaskOutput<'import.plan'>> {
  try {
    const planned = await planOf(p)
    const out = { ...planned, plan: graphqlRequests(planned.plan) }
    // Here, not on the engine's thread: a plan too large to write is never copied back (250,000 requests
    // took seconds to clone).
    refuseTooLarge(countPlan(out.plan.children))
    return out
  } catch (e) {
    if (e instanceof ImportTooLarge) throw new TaskFailure({ kind: 'too_large', message: e.message })
    if (e instanceof ImportError) throw new TaskFailure({ kind: 'import', message: e.message })
    // A document nested past what a recursive step (a schema's sample, a $ref walk) can follow: it is the
    // file's shape, so it is refused in words, not thrown as an internal error.
    if (e instanceof RangeError && /call stack/i.test(e.message))
      throw new TaskFailure({
        kind: 'import',
        message: 'the file is nested too deeply to import (thousands of levels); nothing was written',
      })
    throw e
  }
}

async function planOf(p: TaskInput<'import.plan'>): Promise<TaskOutput<'import.plan'>> {
  // A Bruno collection is a folder, not one file.
  const bruno = p.text === undefined && p.file !== undefined ? await brunoFolderOf(p.file) : null
  if (bruno !== null) {
    if (p.format !== 'auto' && p.format !== 'bruno')
      throw new ImportError(`the folder is a Bruno collection, not ${p.format}`)
    return { format: 'bruno', plan: await importBrunoFolder(bruno) }
  }
  const oc = p.text === undefined && p.file !== undefined ? await openCollectionFolderOf(p.file) : null
  if (oc !== null) {
    if (p.format !== 'auto' && p.format !== 'bruno')
      throw new ImportError(`the folder is an OpenCollection (Bruno) collection, not ${p.format}`)
    return { format: 'bruno', plan: await importOpenCollectionFolder(oc) }
  }
  const text = p.text ?? (p.file !== undefined ? await readImportFile(p.file) : '')
  const plan = await planImport(text, p.format)
  // A parse can grow the heap past the budget in one call (V8's own limit is set far above it): end the worker
  // here, cleanly, if what is left is still over the budget.
  checkMemory()
  return plan
}
