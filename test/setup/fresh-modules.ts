import { appendFileSync } from 'node:fs'
import { afterAll, vi } from 'vitest'
import {
  grownResources,
  processResources,
  resourcesToSettle,
  runExitListenersSince,
  TOLERATED,
  LEFTOVERS_FAIL_IN,
  watchOwnTimers,
} from './process-resources'

/**
 * Runs before every file of vitest.config.ts's projects that run with `isolate: false` (shared-process,
 * cli-process): one worker process runs many files, so Node and the packages in node_modules load once a process
 * instead of once a file. What isolation gave each file is given back here:
 *
 * - our own modules (src/, test helpers) start fresh: every module the previous file evaluated is forgotten, so
 *   each file gets new module state (stores, caches, the engine's shared worker pool) as in its own process;
 * - the file's shared worker pool is closed: a file's fresh pool module would otherwise leave the old pool's idle
 *   threads alive for the rest of the process;
 * - the `exit` listeners the file's modules added (the engine removes its temp and config folders on exit) run
 *   and are removed when the file ends, as they would when its own process ended: left, every file added its own
 *   and the eleventh raised MaxListenersExceededWarning;
 * - process.env and the working folder are put back as the file found them.
 *
 * And what isolation hid is made loud: a file that leaves a server, socket, child process, watcher or process
 * listener behind fails, naming what it left (process-resources.ts), since it would live on beside every later file.
 * The timers counted are the ones the file made (watchOwnTimers), so an earlier file's timer running out meanwhile
 * cannot hide one the file left; a ref'd timer is logged rather than failed, as it runs out on its own.
 * Packages in node_modules are loaded by Node itself and stay shared (they keep no per-test state of ours).
 * `FLIGHTDECK_TEST_LEAK_LOG=<file>` also appends each such finding to that file.
 */

interface EvaluatedModule {
  evaluated: boolean
  exports: unknown
}
interface WorkerState {
  evaluatedModules: { idToModuleMap: Map<string, EvaluatedModule> }
  filepath?: string
  config: { name?: string }
}

function workerState(): WorkerState {
  return (globalThis as unknown as { __vitest_worker__: WorkerState }).__vitest_worker__
}

vi.resetModules()

const envBefore = { ...process.env }
const cwdBefore = process.cwd()
const exitListenersBefore = new Set(process.rawListeners('exit'))
const ownTimers = watchOwnTimers()
const resourcesBefore = processResources(ownTimers)

/** The pool module this file evaluated, if any: its shared pool is closed with the file. */
function evaluatedPoolModule(): { configureSharedPool: (o: object) => { close(): Promise<void> } } | null {
  for (const [id, node] of workerState().evaluatedModules.idToModuleMap) {
    if (id.endsWith('/src/engine/workers/pool.ts') && node.evaluated && node.exports)
      return node.exports as ReturnType<typeof evaluatedPoolModule>
  }
  return null
}

afterAll(async () => {
  ownTimers.stop()
  // configureSharedPool stops the file's pool (if it started one) and puts in a new one that has started nothing.
  await evaluatedPoolModule()?.configureSharedPool({}).close()
  runExitListenersSince(exitListenersBefore)

  for (const key of Object.keys(process.env)) if (!(key in envBefore)) delete process.env[key]
  for (const [key, value] of Object.entries(envBefore))
    if (process.env[key] !== value) process.env[key] = value
  if (process.cwd() !== cwdBefore) process.chdir(cwdBefore)

  const grown = grownResources(resourcesBefore, await resourcesToSettle(resourcesBefore, 2_000, ownTimers))
  if (grown.length === 0) return
  const file = workerState().filepath
  const leakLog = process.env['FLIGHTDECK_TEST_LEAK_LOG']
  if (leakLog) appendFileSync(leakLog, `${process.pid} ${file} ${grown.join(', ')}\n`)
  const leaks = grown.filter((g) => !TOLERATED.has(g.slice(0, g.lastIndexOf(' +'))))
  if (leaks.length === 0 || !LEFTOVERS_FAIL_IN.has(workerState().config.name ?? '')) return
  throw new Error(
    `${file} left running in this shared worker process: ${leaks.join(', ')}. Close what the file starts ` +
      `(afterAll/afterEach), or, if it must leave it, give it a process of its own (test/setup/own-process-files.ts).`,
  )
}, 20_000)
