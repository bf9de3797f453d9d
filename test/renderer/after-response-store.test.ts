import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until as untilFor } from './engine-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { isTabDirty } from '../../src/renderer/tabs/request-tab'
import { startJobServer, type JobServer } from '../fixtures/job-server'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The composer's After response choice belongs to each tab and is saved with its request (`followJob:` /
 * `longPoll:`), through the store against a real engine, collection folder and job server.
 */

const until = (cond: () => boolean, ms = 8000): Promise<void> => untilFor(cond, ms)

let jobs: JobServer
let engine: TestEngine
let store: AppStore
let dir: string

const s = () => store.getState()
const file = (rel: string, text: string): void => {
  const abs = join(dir, rel)
  mkdirSync(join(abs, '..'), { recursive: true })
  writeFileSync(abs, text)
}
const read = (rel: string): string => readFileSync(join(dir, rel), 'utf8')
const activeTab = () => s().tabs.find((t) => t.id === s().activeTabId)!
const dirty = () => isTabDirty(activeTab())

const EXPORT = 'name: Export\nmethod: POST\nurl: "{{base}}/jobs?polls=2"\n'
const STATUS = 'name: Status\nmethod: GET\nurl: "{{base}}/jobs/j1"\n'

beforeAll(async () => {
  jobs = await startJobServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-after-'))
  file('collection.yaml', `flightdeck: 1\nname: After\nvariables:\n  base: ${jobs.url}\n`)
  file('export.yaml', EXPORT)
  file('status.yaml', STATUS)
  file('ticks.yaml', 'name: Ticks\nkind: sse\nmethod: GET\nurl: "{{base}}/ticks"\n')
  file(
    'tuned.yaml',
    'name: Tuned\nmethod: POST\nurl: "{{base}}/jobs?polls=1"\nfollowJob:\n  statusUrl:\n    from: location\n' +
      '  until:\n    status:\n      - 200\n  maxIntervalMs: 5000\n  honourRetryAfter: false\n',
  )
  engine = startEngine()
  store = engine.store()
  await openCollection(store, dir)
})
afterAll(async () => {
  await stopEngines()
  await jobs.close()
})

describe('After response, per tab and saved with the request', () => {
  it('each tab has its own choice; an edit marks it unsaved; Ctrl/Cmd+S writes it; reopening shows it', async () => {
    await s().openRequest(dir, 'export.yaml')
    const exportTab = activeTab().id
    expect(selectActiveDraft(s()).after.mode).toBe('none')
    expect(dirty()).toBe(false)
    s().setAfterResponse({ mode: 'follow', intervalMs: 20, maxPolls: 5 })
    expect(dirty()).toBe(true)

    // Another tab shows its own choice, and an unsaved new tab keeps one in memory.
    await s().openRequest(dir, 'status.yaml')
    expect(selectActiveDraft(s()).after.mode).toBe('none')
    s().newTab()
    const scratch = activeTab().id
    s().setAfterResponse({ mode: 'long-poll', repeats: 7 })
    s().activateTab(exportTab)
    expect(selectActiveDraft(s()).after).toMatchObject({ mode: 'follow', intervalMs: 20, maxPolls: 5 })
    s().activateTab(scratch)
    expect(selectActiveDraft(s()).after).toMatchObject({ mode: 'long-poll', repeats: 7 })

    s().activateTab(exportTab)
    await s().saveActiveTab()
    expect(s().tabError).toBeNull()
    expect(dirty()).toBe(false)
    expect(read('export.yaml')).toBe(
      `${EXPORT}followJob:\n  statusUrl:\n    from: location\n  until:\n    jsonPath: $.status\n    equals: succeeded\n` +
        '  failWhen:\n    jsonPath: $.status\n    equals: failed\n  intervalMs: 20\n  maxPolls: 5\n',
    )
    // The other tabs were not touched by it.
    expect(read('status.yaml')).toBe(STATUS)

    s().closeTab(exportTab)
    await s().openRequest(dir, 'export.yaml')
    expect(selectActiveDraft(s()).after).toMatchObject({
      mode: 'follow',
      source: 'location',
      intervalMs: 20,
      maxPolls: 5,
      untilPath: '$.status',
      untilEquals: 'succeeded',
      failEquals: 'failed',
      deadlineS: 60,
    })
    expect(dirty()).toBe(false)
  })

  it('a send from a tab uses that tab’s choice', async () => {
    await s().openRequest(dir, 'export.yaml')
    await s().send()
    const sid = s().selectedSid ?? ''
    await until(() => {
      const job = s().timeline.rows[sid]?.job
      return job !== undefined && job.state !== 'running'
    })
    expect(s().timeline.rows[sid]?.job).toMatchObject({ mode: 'follow', state: 'completed', polls: 2 })
    // The status tab's choice is Nothing: a plain request, no job.
    await s().openRequest(dir, 'status.yaml')
    await s().send()
    const plain = s().selectedSid ?? ''
    await until(() => s().timeline.rows[plain]?.status !== undefined)
    expect(s().timeline.rows[plain]?.job).toBeUndefined()
  })

  it('switching to long polling, then to Nothing, rewrites and then removes the entry', async () => {
    await s().openRequest(dir, 'export.yaml')
    s().setAfterResponse({ mode: 'long-poll', repeats: 4, untilPath: '' })
    await s().saveActiveTab()
    expect(s().tabError).toBeNull()
    expect(read('export.yaml')).toBe(`${EXPORT}longPoll:\n  maxRepeats: 4\n`)
    s().setAfterResponse({ mode: 'none' })
    expect(dirty()).toBe(true)
    await s().saveActiveTab()
    expect(read('export.yaml')).toBe(EXPORT)
    expect(dirty()).toBe(false)
  })

  it('what the panel does not show is kept: an untouched tab is clean, and an edit keeps the rest', async () => {
    await s().openRequest(dir, 'tuned.yaml')
    expect(selectActiveDraft(s()).after).toMatchObject({
      mode: 'follow',
      untilStatus: '200',
      untilPath: '',
      maxIntervalMs: 5000,
      honourRetryAfter: false,
    })
    expect(dirty()).toBe(false)
    s().setAfterResponse({ intervalMs: 250 })
    await s().saveActiveTab()
    expect(s().tabError).toBeNull()
    expect(read('tuned.yaml')).toContain(
      '  until:\n    status:\n      - 200\n  intervalMs: 250\n  maxIntervalMs: 5000\n  honourRetryAfter: false\n',
    )

    // An entry the panel cannot show as it is (a value to compare, but no JSONPath to compare it at) is kept.
    const odd =
      'name: Odd\nmethod: POST\nurl: "{{base}}/jobs"\nfollowJob:\n  statusUrl:\n    from: location\n' +
      '  until:\n    status:\n      - 200\n    equals: 5\n'
    file('odd.yaml', odd)
    await s().openRequest(dir, 'odd.yaml')
    expect(dirty()).toBe(false)
    s().setUrl('{{base}}/jobs?polls=1')
    await s().saveActiveTab()
    expect(read('odd.yaml')).toBe(odd.replace('/jobs"', '/jobs?polls=1"'))
  })

  it('refuses to save a choice it cannot write, naming the problem; nothing is written', async () => {
    await s().openRequest(dir, 'status.yaml')
    s().setAfterResponse({ mode: 'follow', untilPath: 'status' })
    await s().saveActiveTab()
    expect(s().tabError).toBe(
      'Not saved: the After response tab has a problem: The done condition must be a JSONPath starting with $.',
    )
    expect(read('status.yaml')).toBe(STATUS)
    s().setAfterResponse({ mode: 'none' })

    await s().openRequest(dir, 'ticks.yaml')
    s().setAfterResponse({ mode: 'long-poll' })
    await s().saveActiveTab()
    expect(s().tabError).toBe(
      'Not saved: After response (Long poll) applies to HTTP requests; set it to Nothing for this SSE request.',
    )
    s().setAfterResponse({ mode: 'none' })
    expect(dirty()).toBe(false)
  })

  it('a run from the app follows the job the saved request starts', async () => {
    await s().openRequest(dir, 'export.yaml')
    s().setAfterResponse({ mode: 'follow', intervalMs: 10, untilPath: '$.status' })
    await s().saveActiveTab()
    expect(s().tabError).toBeNull()
    const gets = () => jobs.requests.filter((q) => q.method === 'GET').length
    const before = gets()
    s().openRunner(dir, 'export.yaml', 'Export')
    await s().startRun()
    expect(s().runError).toBeNull()
    await until(() => s().run?.finished !== null && s().run?.finished !== undefined)
    const req = s().run!.requests.find((r) => r.name === 'Export')
    expect(req).toMatchObject({ passed: 1, failed: 0 })
    // The job needs two polls to finish.
    expect(gets() - before).toBe(2)
  })
})
