import { getHeapStatistics } from 'node:v8'
import { workerData } from 'node:worker_threads'
import { EXIT_OUT_OF_MEMORY, type WorkerConfig } from './protocol'

/**
 * A worker's memory budget covers what `resourceLimits` does not: typed arrays and buffers live outside V8's
 * heap (an index's block tables are typed arrays), so V8 alone would let a hostile body grow them without
 * bound. Tasks call this between chunks of work; past the budget the worker ends itself, as V8 ends it past
 * its heap limit, and the pool reports it the same way.
 */
const budget = (workerData as WorkerConfig | null)?.memoryBytes ?? Infinity

export function checkMemory(): void {
  const s = getHeapStatistics()
  if (s.used_heap_size + s.external_memory > budget) process.exit(EXIT_OUT_OF_MEMORY)
}
