import { resolve } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'

/**
 * Playwright empties a project's output folder when it runs it: two runs on one checkout (two engineers, or a
 * person and an agent) cleared each other's traces. FLIGHTDECK_E2E_OUTPUT gives a run its own; unset, CI keeps
 * test-results/ (playwright.config.ts).
 */

const saved = process.env['FLIGHTDECK_E2E_OUTPUT']

afterEach(() => {
  if (saved === undefined) delete process.env['FLIGHTDECK_E2E_OUTPUT']
  else process.env['FLIGHTDECK_E2E_OUTPUT'] = saved
  vi.resetModules()
})

async function outputDirs(): Promise<string[]> {
  vi.resetModules()
  // Set, so loading the config leaves this process's config folder (and the files after it) as they are.
  const home = process.env['FLIGHTDECK_E2E_CONFIG_HOME']
  process.env['FLIGHTDECK_E2E_CONFIG_HOME'] = home ?? 'unused'
  const config = (await import('../../playwright.config')).default
  if (home === undefined) delete process.env['FLIGHTDECK_E2E_CONFIG_HOME']
  // The shared project is two entries of one name (its heavy specs first), with one folder: each folder once.
  const dirs = [config.outputDir ?? '', ...(config.projects ?? []).map((p) => p.outputDir ?? '')]
  return [...new Set(dirs.map((d) => resolve(d)))]
}

describe("the e2e run's output folder", () => {
  it('is FLIGHTDECK_E2E_OUTPUT when set, for the run and each project', async () => {
    process.env['FLIGHTDECK_E2E_OUTPUT'] = '.flightdeck-tmp/X/pw-out'
    const own = resolve('.flightdeck-tmp/X/pw-out')
    expect(await outputDirs()).toEqual([own, `${own}/shared`, `${own}/alone`])
  })

  it('is test-results/ when unset, as in CI', async () => {
    delete process.env['FLIGHTDECK_E2E_OUTPUT']
    const ci = resolve('test-results')
    expect(await outputDirs()).toEqual([ci, `${ci}/shared`, `${ci}/alone`])
  })
})
