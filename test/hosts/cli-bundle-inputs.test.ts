import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * bin/flightdeck.js runs out/cli only when it was built after everything it was built from, and the tests'
 * globalSetup (test/setup/cli-bundle.ts) decides the same way whether to build a bundle of their own. A build
 * script module missing from either list lets an edit to it go unseen: the stale bundle keeps running. Every
 * local module scripts/build-node.mjs imports must be in both lists.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const read = (path: string): string => readFileSync(`${root}/${path}`, 'utf8')

function buildScriptModules(): string[] {
  const modules = ['scripts/build-node.mjs']
  for (const m of read('scripts/build-node.mjs').matchAll(/from '\.\/([\w-]+\.mjs)'/g))
    modules.push(`scripts/${m[1]}`)
  return modules
}

describe("the CLI bundle's freshness inputs", () => {
  it('finds the build script modules it checks for', () => {
    expect(buildScriptModules()).toEqual(
      expect.arrayContaining([
        'scripts/build-node.mjs',
        'scripts/sandbox-bundle.mjs',
        'scripts/cli-bundle-rewrites.mjs',
      ]),
    )
  })

  for (const checker of ['bin/flightdeck.js', 'test/setup/cli-bundle.ts']) {
    it(`${checker} counts every build script module as an input`, () => {
      const text = read(checker)
      const missing = buildScriptModules().filter((m) => !text.includes(`'${m}'`))
      expect(missing).toEqual([])
    })
  }
})
