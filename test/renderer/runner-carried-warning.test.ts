import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from './engine-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startVendorStub, type VendorStub } from '../fixtures/vendor-stub'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The app's runner on a request file from an older import that carries the collection's test script down while
 * collection.yaml has one of its own: the run it starts holds the plan's warning (shown above its results),
 * naming the request. Real engine, real server.
 */

let stub: VendorStub
let engine: TestEngine
let store: AppStore
let dir: string
const s = () => store.getState()

beforeAll(async () => {
  stub = await startVendorStub()
  dir = mkdtempSync(join(tmpdir(), 'fd-runner-carried-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Old\nvariables:\n  base: ${stub.url}\nscripts:\n  test: |-\n    pm.test('answers', () => true)\n`,
  )
  writeFileSync(
    join(dir, 'pay.yaml'),
    `name: Pay\nmethod: POST\nurl: "{{base}}/payments"\nscripts:\n  test: |-\n    // From the collection\n    pm.test('answers', () => true)\n  translated: false\n`,
  )
  engine = startEngine()
  store = engine.store()
  const opened = await engine.service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
})
afterAll(async () => {
  await stopEngines()
  await stub.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('runner: a carried-down script that runs twice', () => {
  it('the run holds the warning, naming the request', async () => {
    s().openRunner(dir, '', 'Old')
    s().setRunConfig({ concurrency: 1, iterations: 1 })
    await s().startRun()
    expect(s().runError).toBeNull()
    expect(s().run?.warnings).toEqual([
      expect.stringMatching(
        /^request "Pay" \(pay\.yaml\): its test script carries the collection's script down/,
      ),
    ])
    await until(() => s().run?.finished !== null && s().run?.finished !== undefined, 15_000)
  })
})
