import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import { RunnerPanel } from '../../src/renderer/runner/RunnerPanel'
import { RunnerReturn } from '../../src/renderer/runner/RunnerReturn'
import { startVendorStub } from '../fixtures/vendor-stub'
import { renderOverStore } from './render-over-store'
import { runToFinish, useRunnerCollection } from './runner-collection'

/**
 * The app's runner on a request file from an older import that carries the collection's test script down while
 * collection.yaml has one of its own: the run it starts holds the plan's warning (shown above its results),
 * naming the request. Real engine, real server.
 */

const collection = useRunnerCollection('fd-runner-carried', startVendorStub, (base) => ({
  'collection.yaml': `flightdeck: 1\nname: Old\nvariables:\n  base: ${base}\nscripts:\n  test: |-\n    pm.test('answers', () => true)\n`,
  // A name others chose, with a zero-width space and a line break in it (a double-quoted YAML string).
  'pay.yaml': `name: "Pay\\u200b\\nnow"\nmethod: POST\nurl: "{{base}}/payments"\nscripts:\n  test: |-\n    // From the collection\n    pm.test('answers', () => true)\n  translated: false\n`,
}))

/** What a person reads: the markup's text, each invisible character's escape in it (its mark's tags gone). */
const text = (html: string): string =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')

describe('runner: a carried-down script that runs twice', () => {
  it('the run holds the warning, naming the request', async () => {
    const run = await runToFinish(collection, '', 'Old', { concurrency: 1, iterations: 1 })
    expect(run.warnings).toEqual([
      expect.stringMatching(
        /^request "Pay\u200b\nnow" \(pay\.yaml\): its test script carries the collection's script down/,
      ),
    ])
  })

  it('the warning, a refusal and the toolbar\'s "Run …" show a zero-width space as its escape, a line break in sight', async () => {
    const s = collection.store.getState
    // The runner is named after what it runs (here a collection whose name holds both).
    const label = 'Old\u200b\nshop'
    await runToFinish(collection, '', label, { label, concurrency: 1, iterations: 1 })
    const panel = renderOverStore(collection.store, createElement(RunnerPanel))
    expect(text(panel)).toContain('request "Pay\\u200b\nnow" (pay.yaml)')
    expect(panel).toContain('Pay<span class="bidi-control" title="U+200B ZERO WIDTH SPACE')
    // The runner's own title is one line: its line break is drawn as ⏎, not as a space.
    expect(text(panel)).toContain('Old\\u200b ⏎ shop')
    // So is the request's name in the results, a button.
    expect(text(panel)).toContain('✓Pay\\u200b ⏎ now')
    // An accessible name is read out, not drawn: only what is drawn is checked.
    expect(panel.replace(/aria-label="[^"]*"/g, '')).not.toMatch(/\u200b/)

    // Aside, the toolbar's button brings it back by the same name, on one line.
    s().closeRunner()
    const back = text(renderOverStore(collection.store, createElement(RunnerReturn)))
    expect(back).toBe('Run Old\\u200b ⏎ shop: finished 1/1')

    // A run the engine refuses: its reason names the data file as typed.
    s().reopenRunner()
    s().setRunConfig({ dataFile: 'rows\u200b\n.csv' })
    await s().startRun()
    expect(s().runError?.message).toContain('rows\u200b\n.csv')
    const refused = renderOverStore(collection.store, createElement(RunnerPanel))
    const alert = /<p class="webhook-error run-error" role="alert">([^]*?)<\/p>/.exec(refused)?.[1] ?? ''
    expect(alert).toContain('rows<span class="bidi-control"')
    expect(alert).not.toMatch(/\u200b/)
  })
})
