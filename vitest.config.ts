import { mkdtempSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { cliProcessFiles } from './test/setup/cli-process-files'
import { loopbackTestEnv } from './test/setup/loopback-env'
import { ownProcessFiles } from './test/setup/own-process-files'

// No test may touch the person's config folder: the whole run (workers and the processes they start) gets a
// fresh one, and XDG_CONFIG_HOME too for code that builds the path itself.
const isolatedConfig = mkdtempSync(join(tmpdir(), 'flightdeck-vitest-config-'))
process.env['FLIGHTDECK_CONFIG_DIR'] = join(isolatedConfig, 'flightdeck')
process.env['XDG_CONFIG_HOME'] = isolatedConfig
// No machine CA bundle for processes that only talk to loopback (test/setup/loopback-env.ts).
loopbackTestEnv()

const root = fileURLToPath(new URL('.', import.meta.url))
const TEST_FILES = ['test/**/*.test.ts', 'test/**/*.test.tsx']

/**
 * Files whose cases start the `flightdeck` command as a child process, found by test/setup/cli-process-files.ts
 * (a file naming the CLI's entry, or importing a helper that does). They run the CLI bundle
 * test/setup/cli-bundle.ts provides once a run (out/cli when fresh, else a build of its own), not the source
 * through tsx; a case may still start several processes, each loading the CLI cold, and on a loaded two-core
 * runner that took tens of seconds. Their bound is longer; what they check is not time.
 */
const CLI_PROCESS = cliProcessFiles(root)

/**
 * Files that need a process of their own, found by test/setup/own-process-files.ts: they measure the process's
 * memory, set V8 flags, listen on process events, start worker threads, flood, or say so in a comment.
 */
const OWN_PROCESS = ownProcessFiles(root).filter((f) => !CLI_PROCESS.includes(f))

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
    // Three workers on two cores: the files' waits (servers, children, timers) left a third of two workers' CPU
    // idle. The 625 files took 367 s at three, alone, against 466 s at two beside the static checks (2026-12-07,
    // quiet machine); the suite's waits are bounded by CPU time where load could stretch them.
    maxWorkers: 3,
    projects: [
      // Every other file runs one after another in a worker process (isolate: false), so Node, node_modules and
      // the transform of our modules load once a process rather than once a file: ~1 s of CPU a file, 400 s of
      // the 1,100 s two workers spent on 580 files when 379 had a process each. Each file still starts as if
      // alone (fresh modules of our own, process.env and the working folder put back), and one that leaves a
      // server, socket, child process or process listener running fails, naming it: test/setup/fresh-modules.ts.
      {
        extends: true,
        test: {
          name: 'shared-process',
          include: TEST_FILES,
          exclude: ['test/e2e/**', ...OWN_PROCESS, ...CLI_PROCESS],
          isolate: false,
          setupFiles: ['test/setup/fresh-modules.ts'],
          // The TypeScript child scripts tests start, built once a run (test/setup/child-scripts.ts).
          globalSetup: ['test/setup/child-scripts.ts'],
        },
      },
      // Files that start the CLI as a child process (CLI_PROCESS). Their cost is in those processes; they too run
      // file after file in a worker (4 paired rounds of 12 such files: 32.0 s of CPU a run isolated, 29.4 s so,
      // and a fifth less wall time), with the run's CLI bundle built once and a longer bound.
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
      // Files that need a clean process (OWN_PROCESS): one each.
      {
        extends: true,
        test: { name: 'own-process', include: OWN_PROCESS, globalSetup: ['test/setup/child-scripts.ts'] },
      },
    ],
  },
})
