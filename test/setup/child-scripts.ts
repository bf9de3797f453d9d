import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/**
 * globalSetup of vitest.config.ts's in-process projects: the TypeScript child scripts tests start, built to plain
 * ES modules once a run into a temp folder named by FLIGHTDECK_TEST_CHILDREN (the workers and what they start
 * inherit it); test/helpers/child-script.ts starts the build, or the source through tsx when there is none.
 * Through tsx each start paid its loader and transform: 2.0 s of CPU a start of first-request-probe, 0.8 s built.
 * Scripts that run the engine's worker pool (the script sandbox, importers) need its worker.js beside them and
 * still start through tsx.
 */
export const CHILD_SCRIPTS = [
  'test/engine/first-request-probe.ts',
  'test/engine/config-folder/exit-mid-write-child.ts',
  'test/engine/config-folder/open-many-child.ts',
  'test/catalogue/crash-writer.ts',
]

const root = fileURLToPath(new URL('../..', import.meta.url))

export default async function setup(): Promise<(() => void) | undefined> {
  // Set already: a private build, or another project's setup in this run.
  if (process.env['FLIGHTDECK_TEST_CHILDREN']) return undefined
  const work = mkdtempSync(join(tmpdir(), 'flightdeck-test-children-'))
  // Packages stay external, as in the app's Node bundles: they resolve through this link.
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir')
  await build({
    entryPoints: Object.fromEntries(CHILD_SCRIPTS.map((f) => [f.replace(/\.ts$/, ''), join(root, f)])),
    outdir: work,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    target: 'node20',
    logLevel: 'warning',
  })
  process.env['FLIGHTDECK_TEST_CHILDREN'] = work
  return () => {
    delete process.env['FLIGHTDECK_TEST_CHILDREN']
    rmSync(work, { recursive: true, force: true })
  }
}
