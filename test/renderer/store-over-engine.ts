import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEngineService, type EngineService, type EngineServiceOptions } from '../../src/engine/service'
import { createAppStore, type AppStore } from '../../src/renderer/store/app-store'
import { engineClient } from './engine-client'

/**
 * The renderer's store over a real engine service in this process, as the store tests drive it: the engine
 * every host runs (real sockets, real files, its own worker pool), with only the transport left out
 * (engineClient). Every engine a test file starts here is stopped by `stopEngines()`, its temp config folder
 * removed.
 *
 *   let engine: TestEngine
 *   beforeAll(() => { engine = startEngine() })
 *   afterAll(stopEngines)
 *   it('…', async () => { const store = engine.store(); … })
 */

export interface TestEngine {
  service: EngineService
  /** The engine's config folder: a fresh temp one (removed when the engine stops) unless the test gave one. */
  configDir: string
  /** A new store over this engine, as a window opening it: connected to its events unless `connect` is false. */
  store(options?: { connect?: boolean }): AppStore
  /** Stop the engine and remove the config folder it made; a second call does nothing. */
  dispose(): Promise<void>
}

/**
 * What the store tests want unless they say otherwise: no folder watcher and no remembered collections (each
 * test opens its own), and batches flushed every 5 ms so a test waits on events, not on the flush timer.
 */
const DEFAULTS = { host: 'test', watchCollections: false, persistWorkspace: false, flushEveryMs: 5 } as const

const running = new Set<TestEngine>()

/** A real engine for a test, with `options` over DEFAULTS; give `configDir` to share one across restarts. */
export function startEngine(options: Partial<EngineServiceOptions> = {}): TestEngine {
  const ownDir = options.configDir === undefined
  const configDir = options.configDir ?? mkdtempSync(join(tmpdir(), 'fd-store-engine-'))
  const service = createEngineService({ ...DEFAULTS, ...options, configDir })
  let stopped: Promise<void> | null = null
  const engine: TestEngine = {
    service,
    configDir,
    store: ({ connect = true } = {}) => {
      const store = createAppStore(engineClient(service), { localNow: () => 0 })
      if (connect) store.getState().connect()
      return store
    },
    dispose: () => {
      stopped ??= (async () => {
        running.delete(engine)
        await service.dispose()
        if (ownDir) rmSync(configDir, { recursive: true, force: true })
      })()
      return stopped
    },
  }
  running.add(engine)
  return engine
}

/** Stop every engine `startEngine` made in this test file that is still running (for afterAll / afterEach). */
export async function stopEngines(): Promise<void> {
  for (const engine of [...running]) await engine.dispose()
}

/** Open the collection folder `dir` in the store as the sidebar does; throws with the store's words if it fails. */
export async function openCollection(store: AppStore, dir: string): Promise<void> {
  if (!(await store.getState().openCollection(dir, false)))
    throw new Error(store.getState().collectionError ?? `${dir} was not opened`)
}
