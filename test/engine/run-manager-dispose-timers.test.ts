import { createHook } from 'node:async_hooks'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startHeldDelayServer, type HeldDelayServer } from '../fixtures/held-delay-server'
import { makeService, sleep } from './helpers'

/**
 * Disposing the run manager (the engine closing: a window, the app, a CLI session) bounds its wait for the runs
 * it cancels with a timer: once the runs have ended, that timer is cleared, not left armed (unref'd, so it holds
 * no process open, but it holds its closure for its whole 5 s). Counted with an async hook (an unref'd timer is
 * not among the process's active resources): the Timeouts run-manager.ts made during `dispose()` still alive after it.
 */

let held: HeldDelayServer
let root = ''

beforeAll(async () => {
  held = await startHeldDelayServer()
  root = mkdtempSync(join(tmpdir(), 'fd-run-dispose-timers-'))
  writeFileSync(join(root, 'collection.yaml'), 'flightdeck: 1\nname: Dispose\n')
  writeFileSync(join(root, 'held.yaml'), `name: Held\nmethod: GET\nurl: ${held.url}/delay?ms=0\n`)
})

afterAll(async () => {
  await held.close()
  rmSync(root, { recursive: true, force: true })
})

/**
 * Timeouts the run manager made while `act` runs that are neither fired nor cleared a few turns after it ends.
 * Only its own (by where they were made): the files sharing this process, undici and the HTTP layer's shared
 * deadline timer may set timers of their own at the same moment.
 */
async function timeoutsLeftBy(act: () => Promise<void>): Promise<number> {
  const live = new Set<number>()
  const hook = createHook({
    init(id, type) {
      if (type === 'Timeout' && /run-manager\.ts/.test(new Error().stack ?? '')) live.add(id)
    },
    destroy(id) {
      live.delete(id)
    },
  })
  hook.enable()
  try {
    await act()
  } finally {
    hook.disable()
  }
  // Destroy hooks of cleared timers are delivered a turn later.
  const watch = createHook({ destroy: (id) => void live.delete(id) }).enable()
  for (let i = 0; i < 4 && live.size > 0; i++) await new Promise((r) => setImmediate(r))
  watch.disable()
  return live.size
}

async function eventually(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !ready(); i++) await sleep(20)
  if (!ready()) throw new Error('not within 5 s')
}

describe("the run manager's dispose", () => {
  it('leaves no timer armed when no run is going', async () => {
    const service: EngineService = makeService({ watchCollections: false, persistWorkspace: false })
    try {
      expect(await timeoutsLeftBy(() => service.runs.dispose())).toBe(0)
    } finally {
      await service.dispose()
    }
  })

  it('leaves no timer armed once the run it cancels has ended', async () => {
    const service: EngineService = makeService({ watchCollections: false, persistWorkspace: false })
    try {
      expect((await service.invoke('collection.open', { dir: root })).ok).toBe(true)
      const started = await service.invoke('run.start', {
        dir: root,
        path: 'held.yaml',
        concurrency: 1,
        iterations: 1,
      })
      if (!started.ok) throw new Error(started.error.message)
      await eventually(() => held.held() === 1)
      expect(await timeoutsLeftBy(() => service.runs.dispose())).toBe(0)
      const snap = service.runSnapshot(started.value.runId)
      expect(snap.ok && snap.value.finished?.cancelled).toBe(true)
    } finally {
      await service.dispose()
    }
  })
})
