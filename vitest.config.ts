import { mkdtempSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

// No test may touch the person's config folder: the whole run (workers and the processes they start) gets a
// fresh one, and XDG_CONFIG_HOME too for code that builds the path itself.
const isolatedConfig = mkdtempSync(join(tmpdir(), 'flightdeck-vitest-config-'))
process.env['FLIGHTDECK_CONFIG_DIR'] = join(isolatedConfig, 'flightdeck')
process.env['XDG_CONFIG_HOME'] = isolatedConfig

export default defineConfig({
  // One `graphql` for every module, as in the app's bundle: Node loads graphql's CommonJS build for the packages
  // it loads itself (graphql-language-service, graphql-yoga), Vite took its ES build for ours, and graphql
  // refuses a schema from the other instance (so completion and validation could not be tested under Node).
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    env: { FLIGHTDECK_CONFIG_DIR: join(isolatedConfig, 'flightdeck'), XDG_CONFIG_HOME: isolatedConfig },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Timing assertions need a quiet machine: two cores, so keep files from crowding each other.
    maxWorkers: 2,
    // A worker process runs file after file, so Node and node_modules load once a process, not once a file (the
    // suite's import time was most of its CPU). Each file still starts from fresh modules of our own, with the
    // last file's worker pool closed and process.env and the working folder put back: test/setup/fresh-modules.ts.
    isolate: false,
    setupFiles: ['test/setup/fresh-modules.ts'],
  },
})
