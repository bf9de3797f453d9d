import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import type { RunConfig, RunView } from '../../src/renderer/runner/runner-slice'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/** What a runner test works on: its server, and a store over a real engine with the collection folder open. */
export interface RunnerCollection<S> {
  readonly server: S
  readonly engine: TestEngine
  readonly store: AppStore
  /** The collection folder (a fresh temp one, removed after the file's tests). */
  readonly dir: string
}

/**
 * Sets up a test file of the runner's view: before its tests, `startServer`, a temp collection folder holding
 * `files(serverUrl)` (relative path → text), a real engine and a store over it with the folder open; after
 * them, all stopped and removed. Read the fields inside a test.
 */
export function useRunnerCollection<S extends { url: string; close(): Promise<void> }>(
  prefix: string,
  startServer: () => Promise<S>,
  files: (serverUrl: string) => Record<string, string>,
): RunnerCollection<S> {
  let server: S | undefined
  let engine: TestEngine | undefined
  let store: AppStore | undefined
  let dir = ''
  beforeAll(async () => {
    server = await startServer()
    dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
    for (const [rel, text] of Object.entries(files(server.url))) {
      mkdirSync(join(dir, rel, '..'), { recursive: true })
      writeFileSync(join(dir, rel), text)
    }
    engine = startEngine()
    store = engine.store()
    const opened = await engine.service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
  })
  afterAll(async () => {
    await stopEngines()
    await server?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the collection opens before the tests: read it inside a test')
    return value
  }
  return {
    get server() {
      return ready(server)
    },
    get engine() {
      return ready(engine)
    },
    get store() {
      return ready(store)
    },
    get dir() {
      return dir
    },
  }
}

/**
 * Runs the folder `path` of the open collection (`label` as the runner names it) with `config`, as the run
 * form does; the run must start, and this waits (bounded by `ms`) until it has finished.
 */
export async function runToFinish(
  c: RunnerCollection<unknown>,
  path: string,
  label: string,
  config: Partial<RunConfig>,
  ms = 15_000,
): Promise<RunView> {
  const s = c.store.getState
  s().openRunner(c.dir, path, label)
  s().setRunConfig(config)
  await s().startRun()
  expect(s().runError).toBeNull()
  await until(() => s().run?.finished != null, ms)
  const run = s().run
  if (!run) throw new Error('the run is gone')
  return run
}

/** A request file's assertion that it answers 200. */
export const STATUS_200 = 'assertions:\n  - kind: status\n    equals: 200\n'
