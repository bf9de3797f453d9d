import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Running an end-to-end spec never changes the checkout's docs/: a spec names a docs picture through
 * test/e2e/docs-pictures.ts, which writes into docs/ only under `npm run pictures` (FLIGHTDECK_DOCS_PICTURES=1)
 * and into the test's output folder otherwise. Specs that wrote docs/*.png themselves left every engineer's run
 * with pictures to restore by hand.
 */

const root = resolve(__dirname, '../..')
const e2e = join(root, 'test/e2e')

/** A string in code (not a comment) that starts a path into docs/: '../../docs/…', `docs/…`. */
const DOCS_PATH = /['"`](\.\.\/\.\.\/)?docs\//

function codeLinesNamingDocs(file: string): string[] {
  return readFileSync(join(e2e, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line) && DOCS_PATH.test(line))
}

describe('docs pictures from the end-to-end specs', () => {
  it('are written through docsPicture only, never to a docs/ path of their own', () => {
    const offenders = readdirSync(e2e)
      .filter((f) => f.endsWith('.ts') && f !== 'docs-pictures.ts')
      .flatMap((f) => codeLinesNamingDocs(f).map((line) => `${f}: ${line.trim()}`))
    expect(offenders).toEqual([])
  })

  it('are all made by `npm run pictures`: it runs every spec that names one', () => {
    const naming = readdirSync(e2e)
      .filter((f) => f.endsWith('.spec.ts') && /\bdocsPicture\(/.test(readFileSync(join(e2e, f), 'utf8')))
      .sort()
    expect(naming.length).toBeGreaterThan(0)
    const listed = execFileSync(process.execPath, [join(root, 'scripts/pictures.mjs'), '--list'], {
      encoding: 'utf8',
    })
    expect(listed.trim().split('\n')).toEqual(naming.map((f) => `test/e2e/${f}`))
  })
})
