import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until as untilFor } from './engine-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { isTabDirty } from '../../src/renderer/tabs/request-tab'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The composer's Tests tab through the store, against a real engine and server: assertions and extractions
 * added by its actions are saved into the request's YAML, and a run of the folder checks and uses them.
 */

const until = (cond: () => boolean, ms = 15000): Promise<void> => untilFor(cond, ms)

let server: RunnerServer
let engine: TestEngine
let store: AppStore
let dir: string

const file = (rel: string, text: string): void => {
  const abs = join(dir, rel)
  mkdirSync(join(abs, '..'), { recursive: true })
  writeFileSync(abs, text)
}
const read = (rel: string): string => readFileSync(join(dir, rel), 'utf8')
const activeTab = () => store.getState().tabs.find((t) => t.id === store.getState().activeTabId)!
const dirty = () => isTabDirty(activeTab())

beforeAll(async () => {
  server = await startRunnerServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-composer-tests-'))
  file('collection.yaml', `flightdeck: 1\nname: Tests tab\nvariables:\n  base: ${server.url}\n`)
  file('api/me.yaml', 'name: Me\nmethod: GET\nurl: "{{base}}/echo?user=ann"\n')
  file('api/use.yaml', 'name: Use\nmethod: GET\nurl: "{{base}}/echo?got={{who}}"\n')
  file('api/events.yaml', 'name: Events\nkind: sse\nmethod: GET\nurl: "{{base}}/ticks?ms=5"\n')
  engine = startEngine()
  store = engine.store()
  await openCollection(store, dir)
})
afterAll(async () => {
  await stopEngines()
  await server.close()
})

describe('Tests tab', () => {
  it('saves an assertion, an extraction and a dependency into the YAML, and a run of the folder uses them', async () => {
    const s = () => store.getState()
    await s().openRequest(dir, 'api/me.yaml')
    expect(selectActiveDraft(s()).run.assertions).toEqual([])
    expect(dirty()).toBe(false)

    s().addAssertion('status')
    const status = selectActiveDraft(s()).run.assertions[0]!
    expect(dirty()).toBe(true)
    s().updateAssertion(status.id, { value: '200' })
    s().addExtraction('json')
    const x = selectActiveDraft(s()).run.extract[0]!
    s().updateExtraction(x.id, { name: 'who', source: '$.query.user' })
    await s().saveActiveTab()
    expect(s().tabError).toBeNull()
    expect(dirty()).toBe(false)
    const me = read('api/me.yaml')
    expect(me).toContain('assertions:\n  - kind: status\n    equals: 200\n')
    expect(me).toContain('extract:\n  - name: who\n    from: json\n    path: $.query.user\n')
    // What was there stays as it was.
    expect(me.startsWith('name: Me\nmethod: GET\nurl: "{{base}}/echo?user=ann"\n')).toBe(true)

    // The second request waits for the first and uses what it extracted.
    await s().openRequest(dir, 'api/use.yaml')
    s().setDependsOn(['api/me'])
    s().addAssertion('json')
    const j = selectActiveDraft(s()).run.assertions[0]!
    s().updateAssertion(j.id, { name: '$.query.got', value: 'ann' })
    await s().saveActiveTab()
    expect(s().tabError).toBeNull()
    expect(read('api/use.yaml')).toContain('dependsOn:\n  - api/me\n')

    // The stream request in the same folder ends its run step on a stop condition set here.
    await s().openRequest(dir, 'api/events.yaml')
    expect(selectActiveDraft(s()).kind).toBe('sse')
    s().setStop({ count: '3' })
    s().addAssertion('message-count')
    const mc = selectActiveDraft(s()).run.assertions[0]!
    s().updateAssertion(mc.id, { value: '3' })
    await s().saveActiveTab()
    expect(s().tabError).toBeNull()
    expect(read('api/events.yaml')).toContain('stop:\n  count: 3\n')

    s().openRunner(dir, 'api', 'api')
    s().setRunConfig({ concurrency: 2, iterations: 1 })
    await s().startRun()
    expect(s().runError).toBeNull()
    await until(() => s().run?.finished !== null && s().run?.finished !== undefined)
    const run = s().run!
    const byName = (n: string) => run.requests.find((r) => r.name === n)
    expect(byName('Me')).toMatchObject({ passed: 1, failed: 0 })
    expect(byName('Use')).toMatchObject({ passed: 1, failed: 0 })
    expect(byName('Events')).toMatchObject({ passed: 1, failed: 0 })
    expect(server.urls('/echo')).toContain('/echo?got=ann')
  })

  it('a failing assertion saved from the tab shows its message in the run', async () => {
    const s = () => store.getState()
    await s().openRequest(dir, 'api/me.yaml')
    const status = selectActiveDraft(s()).run.assertions[0]!
    expect(status).toMatchObject({ kind: 'status', mode: 'equals', value: '200' })
    s().updateAssertion(status.id, { mode: 'oneOf' })
    s().updateAssertion(status.id, { value: '201, 204' })
    await s().saveActiveTab()
    expect(read('api/me.yaml')).toContain('  - kind: status\n    oneOf:\n      - 201\n      - 204\n')
    s().openRunner(dir, 'api/me.yaml', 'Me')
    await s().startRun()
    await until(() => s().run?.finished !== null && s().run?.finished !== undefined)
    const me = s().run!.requests.find((r) => r.name === 'Me')
    expect(me).toMatchObject({ passed: 0, failed: 1 })
    expect(me?.messages[0]).toMatch(/200/)
  })

  it('refuses to save a status that is not a number or a regex that does not compile, and writes nothing', async () => {
    const s = () => store.getState()
    await s().openRequest(dir, 'api/me.yaml')
    const before = read('api/me.yaml')
    const status = selectActiveDraft(s()).run.assertions[0]!
    s().updateAssertion(status.id, { mode: 'equals' })
    s().updateAssertion(status.id, { value: '2OO' })
    await s().saveActiveTab()
    expect(s().tabError).toMatch(/Tests tab.*Status must be a whole number/)
    expect(read('api/me.yaml')).toBe(before)
    s().updateAssertion(status.id, { value: '200' })
    const x = selectActiveDraft(s()).run.extract[0]!
    s().updateExtraction(x.id, { from: 'regex' })
    s().updateExtraction(x.id, { source: 'user=(\\w+' })
    await s().saveActiveTab()
    expect(s().tabError).toMatch(/Tests tab/)
    expect(read('api/me.yaml')).toBe(before)
    s().updateExtraction(x.id, { source: 'user=(\\w+)' })
    await s().saveActiveTab()
    expect(s().tabError).toBeNull()
    expect(read('api/me.yaml')).toContain('from: regex\n    pattern: user=(\\w+)\n')
  })

  it('removing the last assertion and turning retry off take them out of the file', async () => {
    const s = () => store.getState()
    await s().openRequest(dir, 'api/me.yaml')
    s().setRetry({ on: true, retries: '2', onStatus: '503' })
    await s().saveActiveTab()
    expect(read('api/me.yaml')).toContain('retry:\n  retries: 2\n  onStatus:\n    - 503\n')
    for (const a of selectActiveDraft(s()).run.assertions) s().removeAssertion(a.id)
    for (const x of selectActiveDraft(s()).run.extract) s().removeExtraction(x.id)
    s().setRetry({ on: false })
    expect(dirty()).toBe(true)
    await s().saveActiveTab()
    expect(s().tabError).toBeNull()
    const text = read('api/me.yaml')
    expect(text).not.toContain('assertions:')
    expect(text).not.toContain('extract:')
    // Retry off removes the policy from the file.
    expect(text).not.toContain('retry:')
    expect(dirty()).toBe(false)
    // Opened afresh, the tab shows retry off and is clean.
    s().closeTab(activeTab().id)
    await s().openRequest(dir, 'api/me.yaml')
    expect(selectActiveDraft(s()).run.retry.on).toBe(false)
    expect(dirty()).toBe(false)
  })
})
