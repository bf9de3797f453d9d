// The script sandbox's bundle: the prelude (src/engine/scripts/sandbox/*.js, the script APIs, joined in name
// order inside one function so their names stay out of the global scope) and the
// libraries scripts may `require`, each bundled by esbuild into one script that leaves its exports in `__fd_lib`.
// One JSON file; the sandbox evaluates a library only when a script requires it. build-node.mjs writes it beside
// each worker.js; from source (vitest, tsx) the engine builds it on first use into node_modules/.cache.
import { readdirSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** What a script may require, and the package that provides it. */
export const SANDBOX_LIBRARIES = ['crypto-js', 'lodash', 'uuid', 'moment', 'chai', 'ajv', 'tv4']

export const PRELUDE_DIR = join(root, 'src/engine/scripts/sandbox')

/** The prelude's parts, joined. */
export function preludeText() {
  const parts = readdirSync(PRELUDE_DIR)
    .filter((f) => f.endsWith('.js'))
    .sort()
    .map((f) => `// ${f}\n${readFileSync(join(PRELUDE_DIR, f), 'utf8')}`)
  return `;(function () {\n'use strict'\n${parts.join('\n')}\n})()\n`
}

async function bundleLibrary(name) {
  const out = await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(name)})`, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__fd_lib',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  })
  const file = out.outputFiles[0]
  if (!file) throw new Error(`esbuild produced nothing for ${name}`)
  return file.text
}

/** Build the bundle and write it to `outfile` (atomically: concurrent builders each rename a whole file). */
export async function buildSandboxBundle(outfile) {
  const libs = {}
  for (const name of SANDBOX_LIBRARIES) libs[name] = await bundleLibrary(name)
  const bundle = { prelude: preludeText(), libs }
  mkdirSync(dirname(outfile), { recursive: true })
  const tmp = `${outfile}.${process.pid}.${Date.now()}.tmp`
  writeFileSync(tmp, JSON.stringify(bundle))
  renameSync(tmp, outfile)
  return outfile
}
