import { brunoFolderOf, importBrunoFolder } from '../importers/bruno'
import { openCollectionFolderOf, importOpenCollectionFolder } from '../importers/opencollection'
import { ImportError } from '../importers/plan'
import { planImport, readImportFile } from '../importers/index'
import type { TaskInput, TaskOutput } from './protocol'
import { TaskFailure } from './task-failure'

/** Worker side of imports: read the file, parse it, validate it (OpenAPI), and build the plan. */
export async function importPlan(p: TaskInput<'import.plan'>): Promise<TaskOutput<'import.plan'>> {
  try {
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
    return await planImport(text, p.format)
  } catch (e) {
    if (e instanceof ImportError) throw new TaskFailure({ kind: 'import', message: e.message })
    throw e
  }
}
