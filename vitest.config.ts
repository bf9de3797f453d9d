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

/** Files that keep no process-wide state of their own run one after another in a shared worker process. */
const SHARED_PROCESS = [
  'test/renderer/**/*.test.ts',
  'test/renderer/**/*.test.tsx',
  'test/shared/**/*.test.ts',
]

/**
 * Files whose cases start the `flightdeck` command as a child process. In a checkout whose source is newer than
 * out/cli, bin/flightdeck.js runs the source through tsx: about 3 s of CPU a start, measured at 10 to 15 s of wall
 * time at load 14 on two cores, and a case may start several. Their bound is longer; what they check is not time.
 */
const CLI_PROCESS = [
  'test/attack/ca-file-attack.test.ts',
  'test/attack/ca-file-content-attack.test.ts',
  'test/attack/cli-bidi-controls-attack.test.ts',
  'test/attack/cli-run-har-budget-attack.test.ts',
  'test/attack/cli-run-reports-attack.test.ts',
  'test/attack/cli-run-set-next-request-attack.test.ts',
  'test/attack/cli-terminal-escapes-attack.test.ts',
  'test/attack/collection-alias-bomb-attack.test.ts',
  'test/attack/collection-links-attack.test.ts',
  'test/attack/collection-special-files-attack.test.ts',
  'test/attack/data-file-deep-attack.test.ts',
  'test/attack/run-deep-json-attack.test.ts',
  'test/attack/run-internal-error-attack.test.ts',
  'test/attack/run-unreadable-file-attack.test.ts',
  'test/attack/tls-file-paths-attack.test.ts',
  'test/catalogue/temp-files.test.ts',
  'test/cli/fifo-paused-writer.test.ts',
  'test/cli/form-pipe.test.ts',
  'test/cli/graphql-fifo-signal.test.ts',
  'test/cli/graphql-file-limit.test.ts',
  'test/cli/grpc-fifo-signal.test.ts',
  'test/cli/grpc-reflection-signal.test.ts',
  'test/cli/grpc-saved-signal.test.ts',
  'test/cli/one-off-literal-braces.test.ts',
  'test/cli/piped-body.test.ts',
  'test/cli/send-stdin-body.test.ts',
  'test/cli/signals.test.ts',
  'test/cli/sse-line-times.test.ts',
  'test/engine/config-folder/folder-in-the-way.test.ts',
  'test/engine/sse-cli.test.ts',
  'test/hosts/cli-allow-files.test.ts',
  'test/hosts/cli-cacert.test.ts',
  'test/hosts/cli-collections.test.ts',
  'test/hosts/cli-empty-secret-messaging.test.ts',
  'test/hosts/cli-empty-secret-script.test.ts',
  'test/hosts/cli-empty-secret-sendrequest.test.ts',
  'test/hosts/cli-env-var.test.ts',
  'test/hosts/cli-oauth-ctrl-c.test.ts',
  'test/hosts/cli-oauth-sign-in.test.ts',
  'test/hosts/cli-run-job.test.ts',
  'test/hosts/cli-run.test.ts',
  'test/hosts/cli-server-timing.test.ts',
  'test/hosts/cli-startup-code-cache.test.ts',
  'test/hosts/cli-startup-wasm.test.ts',
  'test/hosts/cli-startup.test.ts',
  'test/hosts/cli-stream-log-cut.test.ts',
  'test/hosts/cli-ws-out-gone.test.ts',
  'test/hosts/cli.test.ts',
]

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
      // The same, for files that start the CLI as a child process (CLI_PROCESS).
      {
        extends: true,
        test: {
          name: 'cli-process',
          include: CLI_PROCESS,
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
          isolate: false,
          setupFiles: ['test/setup/fresh-modules.ts'],
        },
      },
    ],
  },
})
