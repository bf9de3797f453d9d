import { ImportError } from '../importers/plan'
import { planImport, readImportFile } from '../importers/index'
import type { TaskInput, TaskOutput } from './protocol'
import { TaskFailure } from './task-failure'

/** Worker side of imports: read the file, parse it, validate it (OpenAPI), and build the plan. */
export async function importPlan(p: TaskInput<'import.plan'>): Promise<TaskOutput<'import.plan'>> {
  try {
    const text = p.text ?? (p.file !== undefined ? await readImportFile(p.file) : '')
    return await planImport(text, p.format)
  } catch (e) {
    if (e instanceof ImportError) throw new TaskFailure({ kind: 'import', message: e.message })
    throw e
  }
}
