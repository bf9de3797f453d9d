import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from './engine-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startVendorStub, type VendorStub } from '../fixtures/vendor-stub'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The runner's results view for a request with a test script, run twice: its script tests are counted beside
 * it over both iterations and the failing one is listed by name with the assertion's message, once. Real engine
 * (the script runs in its sandbox), real server.
 */

let stub: VendorStub
let engine: TestEngine
let store: AppStore
let dir: string
const s = () => store.getState()

beforeAll(async () => {
  stub = await startVendorStub()
  dir = mkdtempSync(join(tmpdir(), 'fd-runner-script-tests-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Checked\nvariables:\n  base: ${stub.url}\n`,
  )
  writeFileSync(
    join(dir, 'pay.yaml'),
    [
      'name: Pay',
      'method: POST',
      'url: "{{base}}/payments"',
      'scripts:',
      '  test: |',
      "    pm.test('answers', () => pm.expect(pm.response.code).to.be.below(500))",
      "    pm.test('is a teapot', () => pm.response.to.have.status(418))",
      '',
    ].join('\n'),
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

describe("runner's results: script tests", () => {
  it('are counted beside the request and the failing one is named, once', async () => {
    s().openRunner(dir, '', 'Checked')
    s().setRunConfig({ concurrency: 1, iterations: 2 })
    await s().startRun()
    expect(s().runError).toBeNull()
    await until(() => s().run?.finished !== null && s().run?.finished !== undefined, 20_000)
    const req = s().run?.requests[0]
    expect(s().run).toMatchObject({ passed: 0, failed: 2 })
    expect(req?.scriptTests).toEqual({ passed: 2, failed: 2 })
    expect(req?.messages).toHaveLength(1)
    expect(req?.messages[0]).toMatch(/^✗ is a teapot: .*418/)
    // The run's rows on the timeline carry the reports: the red badge's count.
    const sid = Object.values(s().timeline.rows).find((r) => r.scripts?.post)?.sid
    expect(sid).toBeDefined()
  })
})
