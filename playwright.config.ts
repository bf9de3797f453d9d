import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from '@playwright/test'
import { chromiumLaunchOptions } from './test/e2e/chromium'
import { loopbackTestEnv } from './test/setup/loopback-env'

/**
 * End-to-end tests through the browser host in Debian's Chromium (never a downloaded browser), plus the
 * Electron spec, which skips where the Electron binary is not installed. Both need `npm run build` first.
 */
// No spec may touch the person's config folder: hosts started without their own get this run's temp one (the
// workers and every host they spawn inherit it; XDG_CONFIG_HOME covers Electron's userData).
if (!process.env['FLIGHTDECK_E2E_CONFIG_HOME']) {
  const home = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-config-'))
  process.env['FLIGHTDECK_E2E_CONFIG_HOME'] = home
  process.env['FLIGHTDECK_CONFIG_DIR'] = join(home, 'flightdeck')
  process.env['XDG_CONFIG_HOME'] = home
}
// No machine CA bundle for the hosts and workers, which only talk to loopback (test/setup/loopback-env.ts).
loopbackTestEnv()

/**
 * Where traces, failure screenshots and a test's own files go: FLIGHTDECK_E2E_OUTPUT when set, so two people (or
 * two engineers' runs on one checkout) do not empty each other's, else test-results/ (CI, `npm run test:e2e`).
 * Playwright empties each project's folder when it runs that project.
 */
const OUTPUT = process.env['FLIGHTDECK_E2E_OUTPUT'] || 'test-results'

/**
 * Specs that measure the page's own time and want the machine to themselves: frames painted while a request is
 * held, main-thread tasks' CPU time while a 5,000-type schema loads, bars' widths against their times, 2,000
 * requests at a concurrency of 200. `npm test` runs them last, one at a time (`--project=alone --workers=1`), once
 * everything else has ended; the others run two at a time before them (`--project=shared --workers=2`).
 */
const ALONE = [
  'timeline.spec.ts',
  'timeline-idle-paint.spec.ts',
  'timeline-room.spec.ts',
  'scale.spec.ts',
  'graphql-big-schema.spec.ts',
  'graphql-docs-show-all.spec.ts',
  'graphql-schema-limit.spec.ts',
].map((name) => `**/${name}`)

/**
 * The shared project's heaviest specs (each over 3% of its test time in a run at load ~17: users-eye 2 and 3 took
 * 91 s each there, the median spec 15 s). Playwright hands a worker the next file in alphabetical order, so these
 * (most near the end of the alphabet) ran last, one worker finishing them while the other idled. They form a
 * project of their own, also named `shared` and listed first: `--project=shared` runs both, these first, and the
 * light files then even out the two workers' ends.
 */
export const HEAVY_FIRST = [
  'users-eye-3.spec.ts',
  'users-eye-2.spec.ts',
  'users-eye.spec.ts',
  'daily-loop.spec.ts',
  'timeline-burst-rows.spec.ts',
  'scripts.spec.ts',
  'graphql-multiplex.spec.ts',
  'users-eye-4.spec.ts',
  'details-burst.spec.ts',
  'grpc.spec.ts',
].map((name) => `**/${name}`)

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // One at a time unless told (`--workers=2` for the shared project): a bare `playwright test` runs the timing
  // specs beside nothing else.
  workers: 1,
  fullyParallel: false,
  // Each project keeps its own artifacts: Playwright empties the output folder of the projects it runs, and the
  // alone run must not delete the traces of a shared spec that failed before it.
  projects: [
    { name: 'shared', testMatch: HEAVY_FIRST, outputDir: `${OUTPUT}/shared` },
    { name: 'shared', testIgnore: [...ALONE, ...HEAVY_FIRST], outputDir: `${OUTPUT}/shared` },
    { name: 'alone', testMatch: ALONE, outputDir: `${OUTPUT}/alone` },
  ],
  forbidOnly: !!process.env['CI'],
  // A trace is recorded only when a test runs again after failing: recording every test's (its screencast and DOM
  // snapshots) cost a third of the suite's CPU time. A test that passes only on its second run still fails the
  // run, so a retry never hides a failure. `--trace on` records every test's.
  retries: 1,
  failOnFlakyTests: true,
  reporter: [['list']],
  outputDir: OUTPUT,
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
})
