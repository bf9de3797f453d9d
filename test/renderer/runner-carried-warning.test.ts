import { describe, expect, it } from 'vitest'
import { startVendorStub } from '../fixtures/vendor-stub'
import { runToFinish, useRunnerCollection } from './runner-collection'

/**
 * The app's runner on a request file from an older import that carries the collection's test script down while
 * collection.yaml has one of its own: the run it starts holds the plan's warning (shown above its results),
 * naming the request. Real engine, real server.
 */

const collection = useRunnerCollection('fd-runner-carried', startVendorStub, (base) => ({
  'collection.yaml': `flightdeck: 1\nname: Old\nvariables:\n  base: ${base}\nscripts:\n  test: |-\n    pm.test('answers', () => true)\n`,
  'pay.yaml': `name: Pay\nmethod: POST\nurl: "{{base}}/payments"\nscripts:\n  test: |-\n    // From the collection\n    pm.test('answers', () => true)\n  translated: false\n`,
}))

describe('runner: a carried-down script that runs twice', () => {
  it('the run holds the warning, naming the request', async () => {
    const run = await runToFinish(collection, '', 'Old', { concurrency: 1, iterations: 1 })
    expect(run.warnings).toEqual([
      expect.stringMatching(
        /^request "Pay" \(pay\.yaml\): its test script carries the collection's script down/,
      ),
    ])
  })
})
