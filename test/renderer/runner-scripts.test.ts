import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from './engine-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startVendorStub, type VendorStub } from '../fixtures/vendor-stub'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The app's runner on a request imported with a script Flightdeck did not translate: the run form runs scripts by
 * default (the request passes); with "Run the requests' scripts" off the request fails with the reason shown,
 * and "Pass requests whose imported scripts were not run" lets it pass. Real engine, real server.
 */

let stub: VendorStub
let engine: TestEngine
let store: AppStore
let dir: string
const s = () => store.getState()

beforeAll(async () => {
  stub = await startVendorStub()
  dir = mkdtempSync(join(tmpdir(), 'fd-runner-scripts-'))
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Imported\nvariables:\n  base: ${stub.url}\n`,
  )
  writeFileSync(
    join(dir, 'pay.yaml'),
    `name: Pay\nmethod: POST\nurl: "{{base}}/payments"\nscripts:\n  preRequest: |\n    pm.environment.set("t", Date.now());\n`,
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

async function runOnce(runScripts: boolean, allow: boolean) {
  s().openRunner(dir, '', 'Imported')
  s().setRunConfig({ concurrency: 1, iterations: 1, runScripts, allowUntranslatedScripts: allow })
  await s().startRun()
  expect(s().runError).toBeNull()
  await until(() => s().run?.finished !== null && s().run?.finished !== undefined, 15_000)
  return s().run
}

describe('runner: untranslated imported scripts', () => {
  it('run by default: the request passes', async () => {
    const run = await runOnce(true, false)
    expect(run).toMatchObject({ passed: 1, failed: 0 })
  })

  it('with scripts off, fail the request with the reason, unless the run form allows them', async () => {
    const strict = await runOnce(false, false)
    expect(strict).toMatchObject({ passed: 0, failed: 1 })
    expect(strict?.requests[0]?.messages).toEqual([
      'pre-request scripts not run: they are kept in the request file, untranslated; allow untranslated scripts for the run (--allow-untranslated-scripts) to pass on the other checks',
    ])
    const allowed = await runOnce(false, true)
    expect(allowed).toMatchObject({ passed: 1, failed: 0 })
  })
})
