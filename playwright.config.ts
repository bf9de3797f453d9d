import { defineConfig } from '@playwright/test'
import { chromiumLaunchOptions } from './test/e2e/chromium'

/**
 * End-to-end tests through the browser host in Debian's Chromium (never a downloaded browser), plus the
 * Electron spec, which skips where the Electron binary is not installed. Both need `npm run build` first.
 */
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
