import type { ImportFormat } from '../../shared/collection-schemas'
import { sharedPool, TaskFailed, WorkerDied, type WorkerPool } from '../workers/pool'
import type { TaskOutput } from '../workers/protocol'
import { ImportError, ImportTooLarge } from './plan'

/**
 * Read, parse, validate and plan an import in the worker pool: a 3 MB OpenAPI spec is validated there, and a
 * hostile one (nested a million deep, `$ref`s that multiply) breaks a worker, not the engine.
 */
export async function planInWorker(
  source: { file?: string; text?: string },
  format: ImportFormat,
  pool: WorkerPool = sharedPool(),
): Promise<TaskOutput<'import.plan'>> {
  const input =
    source.text !== undefined ? { text: source.text, format } : { file: source.file ?? '', format }
  try {
    return await pool.run('import.plan', input)
  } catch (e) {
    if (e instanceof TaskFailed && e.failure.kind === 'import') throw new ImportError(e.failure.message)
    if (e instanceof TaskFailed && e.failure.kind === 'too_large') throw new ImportTooLarge(e.failure.message)
    if (e instanceof WorkerDied) {
      const what = source.file !== undefined ? `Importing ${source.file}` : 'Importing this text'
      throw new ImportError(
        e.reason === 'memory'
          ? `${what} ran out of memory in its worker (limit ${e.limitMb} MB); nothing was written`
          : e.reason === 'timeout'
            ? `${what} took longer than ${Math.round(e.timeoutMs / 1000)} s in its worker and was stopped; nothing was written`
            : `${what} stopped its worker (${e.message}); nothing was written`,
      )
    }
    if (e instanceof TaskFailed) throw new Error(e.failure.message)
    throw e
  }
}
