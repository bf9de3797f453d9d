import type { PlaywrightTestConfig } from '@playwright/test'
import { afterEach, describe, expect, it, vi } from 'vitest'

/**
 * The end-to-end suite records a trace only for a test that failed, on its second run: recording every test's
 * trace (its screencast and DOM snapshots) took about a third of the suite's CPU time (users-eye-3.spec, 9
 * tests: 60 s of CPU with every test traced, 41 s without). The second run must not hide the first failure.
 */

afterEach(() => {
  vi.resetModules()
})

async function config(): Promise<PlaywrightTestConfig> {
  vi.resetModules()
  // Set, so loading the config leaves this process's config folder (and the files after it) as they are.
  const home = process.env['FLIGHTDECK_E2E_CONFIG_HOME']
  process.env['FLIGHTDECK_E2E_CONFIG_HOME'] = home ?? 'unused'
  const loaded = (await import('../../playwright.config')).default
  if (home === undefined) delete process.env['FLIGHTDECK_E2E_CONFIG_HOME']
  return loaded
}

describe("the e2e run's traces", () => {
  it('are recorded when a failed test runs again, not for every test', async () => {
    const c = await config()
    expect(c.use?.trace).toBe('on-first-retry')
    expect(c.retries).toBe(1)
  })

  it('a test that passes only when run again still fails the run', async () => {
    expect((await config()).failOnFlakyTests).toBe(true)
  })
})
