import { testSources } from './test-imports'

/**
 * The test files that start the `flightdeck` command as a child process, found rather than listed: a file is
 * one when it, or a helper of test/ it imports (at any depth, test-imports.ts), names one of the CLI's entries
 * (bin/flightdeck.js, the built bundle, the source entry started through tsx, or the run's bundle through
 * FLIGHTDECK_TEST_CLI). vitest.config.ts runs them in its `cli-process` project, where the run's CLI bundle is
 * built once (test/setup/cli-bundle.ts); a new file that starts the CLI lands there without anyone remembering a
 * list. In-process tests import `src/cli/index` without an extension and are not matched.
 */
const STARTS_THE_CLI =
  /bin\/flightdeck\.js|flightdeck-built\.mjs|out\/cli\/index\.js|src\/cli\/index\.ts|FLIGHTDECK_TEST_CLI/

/** Test files (paths relative to `root`, with `/`) under `root/test` that start the CLI; e2e specs excluded. */
export function cliProcessFiles(root: string): string[] {
  const sources = testSources(root)
  const starts = (file: string): boolean => STARTS_THE_CLI.test(sources.text(file))
  return sources.testFiles
    .filter((f) => starts(f) || sources.helpersOf(f).some(starts))
    .map(sources.relative)
    .sort()
}
