import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parentPort, workerData } from 'node:worker_threads'
import { EXIT_OUT_OF_MEMORY, type MemoryNote, type WorkerConfig } from './protocol'

/**
 * A worker's memory budget covers what `resourceLimits` does not: typed arrays and buffers live outside V8's
 * heap (an index's block tables are typed arrays), so V8 alone would let a hostile body grow them without
 * bound. Tasks call this between chunks of work; past the budget the worker ends itself, as V8 ends it past
 * its heap limit, and the pool reports it the same way.
 */
const budget = (workerData as WorkerConfig | null)?.memoryBytes ?? Infinity

/**
 * Buffers already read and dropped count until a collection frees them; before giving up, collect once.
 * `--expose-gc` set at run time exposes `gc` only to contexts made after it, hence the new context.
 */
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void

export function memoryInUse(): number {
  const s = getHeapStatistics()
  return s.used_heap_size + s.external_memory
}

/**
 * Between chunks of work: end the worker past its budget, else tell the pool what it uses (its peak). Before
 * one native step that cannot be interrupted (JSON.parse of a large text), name what it will need in
 * `ahead`: V8 cannot stop a worker in the middle of such a step, and past its heap limit there it ends the
 * whole process, not just the worker.
 */
export function checkMemory(ahead = 0): void {
  let used = memoryInUse()
  if (used + ahead > budget) {
    collect()
    used = memoryInUse()
    if (used + ahead > budget) process.exit(EXIT_OUT_OF_MEMORY)
  }
  parentPort?.postMessage({ memory: used } satisfies MemoryNote)
}

/** The `worker.memory` task. */
export function workerMemory(p: { collect: boolean }): Promise<number> {
  if (p.collect) {
    // Buffers freed by one collection are released while the next runs: twice, for a settled figure.
    collect()
    collect()
  }
  return Promise.resolve(memoryInUse())
}
