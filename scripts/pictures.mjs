// `npm run pictures`: redraws the pictures the docs and README show (docs/*.png) by running the end-to-end specs
// that make them with FLIGHTDECK_DOCS_PICTURES=1, so they write into docs/ (test/e2e/docs-pictures.ts); every
// other run writes them into its test output folder. Needs `npm run build` first, as the e2e tests do. The specs
// of Playwright's `alone` project run after the others, one at a time, as in `npm run test:e2e`.
// `--list` prints the specs and runs nothing; other arguments go to Playwright.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const e2e = fileURLToPath(new URL('../test/e2e/', import.meta.url))
const specs = readdirSync(e2e)
  .filter((f) => f.endsWith('.spec.ts') && /\bdocsPicture\(/.test(readFileSync(join(e2e, f), 'utf8')))
  .sort()
  .map((f) => `test/e2e/${f}`)
const args = process.argv.slice(2)

if (args.includes('--list')) {
  process.stdout.write(`${specs.join('\n')}\n`)
} else {
  const env = { ...process.env, FLIGHTDECK_DOCS_PICTURES: '1' }
  let failed = false
  for (const [project, workers] of [
    ['shared', '2'],
    ['alone', '1'],
  ]) {
    const run = spawnSync(
      'npx',
      [
        'playwright',
        'test',
        `--project=${project}`,
        `--workers=${workers}`,
        '--pass-with-no-tests',
        ...args,
        ...specs,
      ],
      { stdio: 'inherit', env },
    )
    failed = failed || run.status !== 0
  }
  process.exit(failed ? 1 : 0)
}
