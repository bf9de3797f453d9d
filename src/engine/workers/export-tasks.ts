import { buildExport } from '../exporters/export-build'
import type { TaskInput, TaskOutput } from './protocol'
import { checkMemory } from './worker-memory'

/** Worker side of collection exports (Postman, Insomnia, Bruno): every request file read, the text built. */
export async function exportBuild(p: TaskInput<'export.build'>): Promise<TaskOutput<'export.build'>> {
  const built = await buildExport(p.collection, p.format)
  checkMemory()
  return built
}
