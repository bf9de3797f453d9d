import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from '@playwright/test'
import { chromiumLaunchOptions } from './test/e2e/chromium'

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

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Timing-sensitive specs (bars ending in order) want the machine to themselves.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
})
