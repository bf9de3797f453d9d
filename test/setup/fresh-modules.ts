import { appendFileSync } from 'node:fs'
import { afterAll, vi } from 'vitest'

/**
 * Runs before every file of vitest.config.ts's `shared-process` and `cli-process` projects, which run with
 * `isolate: false`: one worker process runs many files, so Node and the packages in node_modules load once a
 * process instead of once a file. What isolation gave each file is given back here:
 *
 * - our own modules (src/, test helpers) start fresh: every module the previous file evaluated is forgotten, so
 *   each file gets new module state (stores, caches, the engine's shared worker pool) as in its own process;
 * - the previous file's shared worker pool is closed: a file's fresh pool module would otherwise leave the old
 *   pool's idle threads alive for the rest of the process;
 * - process.env and the working folder are put back as the file found them.
 *
 * Packages in node_modules are loaded by Node itself and stay shared (they keep no per-test state of ours).
 * `FLIGHTDECK_TEST_LEAK_LOG=<file>` appends, per file, what it left running (handles, timers, child processes,
 * worker threads, process listeners): the audit behind this setup.
 */

interface EvaluatedModule {
  evaluated: boolean
  exports: unknown
}
interface WorkerState {
  evaluatedModules: { idToModuleMap: Map<string, EvaluatedModule> }
  filepath?: string
}

function workerState(): WorkerState {
  return (globalThis as unknown as { __vitest_worker__: WorkerState }).__vitest_worker__
}

vi.resetModules()

const envBefore = { ...process.env }
const cwdBefore = process.cwd()
const leakLog = process.env['FLIGHTDECK_TEST_LEAK_LOG']
const resourcesBefore = leakLog ? countResources() : null

function countResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  for (const event of ['exit', 'uncaughtException', 'unhandledRejection', 'SIGINT', 'SIGTERM', 'warning'])
    counts[`listener:${event}`] = process.listenerCount(event)
  return counts
}

/** The pool module this file evaluated, if any: its shared pool is closed with the file. */
function evaluatedPoolModule(): { configureSharedPool: (o: object) => { close(): Promise<void> } } | null {
  for (const [id, node] of workerState().evaluatedModules.idToModuleMap) {
    if (id.endsWith('/src/engine/workers/pool.ts') && node.evaluated && node.exports)
      return node.exports as ReturnType<typeof evaluatedPoolModule>
  }
  return null
}

afterAll(async () => {
  // configureSharedPool stops the file's pool (if it started one) and puts in a new one that has started nothing.
  await evaluatedPoolModule()?.configureSharedPool({}).close()

  for (const key of Object.keys(process.env)) if (!(key in envBefore)) delete process.env[key]
  for (const [key, value] of Object.entries(envBefore))
    if (process.env[key] !== value) process.env[key] = value
  if (process.cwd() !== cwdBefore) process.chdir(cwdBefore)

  if (leakLog && resourcesBefore) {
    const after = countResources()
    const grown = Object.entries(after)
      .filter(([kind, n]) => n > (resourcesBefore[kind] ?? 0))
      .map(([kind, n]) => `${kind} +${n - (resourcesBefore[kind] ?? 0)}`)
    if (grown.length > 0)
      appendFileSync(leakLog, `${process.pid} ${workerState().filepath} ${grown.join(', ')}\n`)
  }
}, 20_000)
