import { describe, expect, it } from 'vitest'
import { startVendorStub } from '../fixtures/vendor-stub'
import { runToFinish, useRunnerCollection } from './runner-collection'

/**
 * The app's runner on a request imported with a script Flightdeck did not translate: the run form runs scripts by
 * default (the request passes); with "Run the requests' scripts" off the request fails with the reason shown,
 * and "Pass requests whose imported scripts were not run" lets it pass. Real engine, real server.
 */

const collection = useRunnerCollection('fd-runner-scripts', startVendorStub, (base) => ({
  'collection.yaml': `flightdeck: 1\nname: Imported\nvariables:\n  base: ${base}\n`,
  'pay.yaml': `name: Pay\nmethod: POST\nurl: "{{base}}/payments"\nscripts:\n  preRequest: |\n    pm.environment.set("t", Date.now());\n`,
}))

const runOnce = (runScripts: boolean, allowUntranslatedScripts: boolean) =>
  runToFinish(collection, '', 'Imported', {
    concurrency: 1,
    iterations: 1,
    runScripts,
    allowUntranslatedScripts,
  })

describe('runner: untranslated imported scripts', () => {
  it('run by default: the request passes', async () => {
    const run = await runOnce(true, false)
    expect(run).toMatchObject({ passed: 1, failed: 0 })
  })

  it('with scripts off, fail the request with the reason, unless the run form allows them', async () => {
    const strict = await runOnce(false, false)
    expect(strict).toMatchObject({ passed: 0, failed: 1 })
    expect(strict.requests[0]?.messages).toEqual([
      'pre-request scripts not run: they are kept in the request file, untranslated; allow untranslated scripts for the run (--allow-untranslated-scripts) to pass on the other checks',
    ])
    const allowed = await runOnce(false, true)
    expect(allowed).toMatchObject({ passed: 1, failed: 0 })
  })
})
