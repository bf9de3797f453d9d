import { describe, expect, it } from 'vitest'
import { startVendorStub } from '../fixtures/vendor-stub'
import { until } from './engine-client'
import { runToFinish, useRunnerCollection } from './runner-collection'

/**
 * The runner's results view for a request with a test script, run twice: its script tests are counted beside
 * it over both iterations and the failing one is listed by name with the assertion's message, once. Real engine
 * (the script runs in its sandbox), real server.
 */

const collection = useRunnerCollection('fd-runner-script-tests', startVendorStub, (base) => ({
  'collection.yaml': `flightdeck: 1\nname: Checked\nvariables:\n  base: ${base}\n`,
  'pay.yaml': [
    'name: Pay',
    'method: POST',
    'url: "{{base}}/payments"',
    'scripts:',
    '  test: |',
    "    pm.test('answers', () => pm.expect(pm.response.code).to.be.below(500))",
    "    pm.test('is a teapot', () => pm.response.to.have.status(418))",
    '',
  ].join('\n'),
}))

describe("runner's results: script tests", () => {
  it('are counted beside the request and the failing one is named, once', async () => {
    const run = await runToFinish(collection, '', 'Checked', { concurrency: 1, iterations: 2 }, 20_000)
    const req = run.requests[0]
    expect(run).toMatchObject({ passed: 0, failed: 2 })
    expect(req?.scriptTests).toEqual({ passed: 2, failed: 2 })
    expect(req?.messages).toHaveLength(1)
    expect(req?.messages[0]).toMatch(/^✗ is a teapot: .*418/)
    // The run's rows on the timeline carry the reports: the red badge's count. The timeline's batches travel
    // apart from the run's progress (flushed every 25 ms), so the report may land just after the run's end.
    const reported = () =>
      Object.values(collection.store.getState().timeline.rows).find((r) => r.scripts?.post)
    await until(() => reported() !== undefined, 5_000)
    expect(reported()?.sid).toBeDefined()
  })
})
