import { mkdtempSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { cliProcessFiles } from './test/setup/cli-process-files'

// No test may touch the person's config folder: the whole run (workers and the processes they start) gets a
// fresh one, and XDG_CONFIG_HOME too for code that builds the path itself.
const isolatedConfig = mkdtempSync(join(tmpdir(), 'flightdeck-vitest-config-'))
process.env['FLIGHTDECK_CONFIG_DIR'] = join(isolatedConfig, 'flightdeck')
process.env['XDG_CONFIG_HOME'] = isolatedConfig

/** Files that keep no process-wide state of their own run one after another in a shared worker process. */
const SHARED_PROCESS = [
  'test/renderer/**/*.test.ts',
  'test/renderer/**/*.test.tsx',
  'test/shared/**/*.test.ts',
]

/**
 * Files whose cases start the `flightdeck` command as a child process, found by test/setup/cli-process-files.ts
 * (a file naming the CLI's entry, or importing a helper that does). They run the CLI bundle
 * test/setup/cli-bundle.ts provides once a run (out/cli when fresh, else a build of its own), not the source
 * through tsx; a case may still start several processes, each loading the CLI cold, and on a loaded two-core
 * runner that took tens of seconds. Their bound is longer; what they check is not time.
 */
const CLI_PROCESS = cliProcessFiles(fileURLToPath(new URL('.', import.meta.url)))

export default defineConfig({
  // One `graphql` for every module, as in the app's bundle: Node loads graphql's CommonJS build for the packages
  // it loads itself (graphql-language-service, graphql-yoga), Vite took its ES build for ours, and graphql
  // refuses a schema from the other instance (so completion and validation could not be tested under Node).
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    env: { FLIGHTDECK_CONFIG_DIR: join(isolatedConfig, 'flightdeck'), XDG_CONFIG_HOME: isolatedConfig },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Timing assertions need a quiet machine: two cores, so keep files from crowding each other.
    maxWorkers: 2,
    projects: [
      // Files that start servers, processes and floods keep a process each: measured on test/attack, sharing
      // processes cut import time but not the CPU the files spent in all (80 s either way).
      {
        extends: true,
        test: {
          name: 'own-process',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: [...SHARED_PROCESS, ...CLI_PROCESS],
        },
      },
      // Files that start the CLI as a child process (CLI_PROCESS). Their cost is in those processes, so a worker
      // runs file after file (as shared-process, below): 4 paired rounds of 12 such files, 32.0 s of CPU a run
      // isolated, 29.4 s so, and a fifth less wall time.
      {
        extends: true,
        test: {
          name: 'cli-process',
          include: CLI_PROCESS,
          globalSetup: ['test/setup/cli-bundle.ts'],
          isolate: false,
          setupFiles: ['test/setup/fresh-modules.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
      // Stores, layouts and shared helpers: a worker process runs file after file, so Node and node_modules load
      // once a process, not once a file (test/renderer: 91 s of CPU isolated, 35 s so). Each file still starts
      // from fresh modules of our own, with the last file's worker pool closed and process.env and the working
      // folder put back: test/setup/fresh-modules.ts.
      {
        extends: true,
        test: {
          name: 'shared-process',
          include: SHARED_PROCESS,
          exclude: CLI_PROCESS,
          isolate: false,
          setupFiles: ['test/setup/fresh-modules.ts'],
        },
      },
    ],
  },
})
