#!/usr/bin/env node
// The `flightdeck` command. An installed package runs the bundle in out/cli. In a checkout (src/ present) it
// runs the bundle too when that was built after the last change to the source (it starts in a fraction of
// the time: no TypeScript to compile, the libraries it uses bundled in), else the TypeScript source through
// tsx, so `npx flightdeck` never needs a build and never runs a stale one.
// CommonJS (bin/package.json), as the bundle's entry it requires (out/cli/index.cjs): a start whose main module is
// an ES module pays Node's ES module loader, ~20M instructions of every command (scripts/build-node.mjs).
'use strict'
const { existsSync, readdirSync, statSync } = process.getBuiltinModule('node:fs')
const { join } = process.getBuiltinModule('node:path')

const root = join(__dirname, '..')
const source = join(root, 'src/cli/index.ts')
const bundle = join(root, 'out/cli/index.cjs')

function mtime(path) {
  try {
    return statSync(path).mtimeMs
  } catch {
    return null
  }
}

/** The newest modification time under `dir` (bounded in depth; src/ has a few hundred files, ~5 ms). */
function newestUnder(dir, depth = 0) {
  let newest = 0
  if (depth > 12) return newest
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    const t = entry.isDirectory() ? newestUnder(path, depth + 1) : (mtime(path) ?? 0)
    if (t > newest) newest = t
  }
  return newest
}

/** Whether out/cli was built after every input it was built from (the source, the build script, the deps). */
function bundleIsFresh() {
  const built = mtime(bundle)
  if (built === null) return false
  const inputs = [
    'package.json',
    'package-lock.json',
    'scripts/build-node.mjs',
    'scripts/sandbox-bundle.mjs',
    'scripts/cli-bundle-rewrites.mjs',
    'scripts/cli-split-command.mjs',
  ].map((f) => mtime(join(root, f)) ?? 0)
  return Math.max(newestUnder(join(root, 'src')), ...inputs) <= built
}

function canResolve(specifier) {
  try {
    require.resolve(specifier)
    return true
  } catch {
    return false
  }
}

async function start() {
  if (existsSync(source) && !bundleIsFresh() && canResolve('tsx/esm/api')) {
    const { pathToFileURL } = process.getBuiltinModule('node:url')
    // tsx's CommonJS build of this API looks for a file it does not ship: its ES module build, then.
    const { tsImport } = await import('tsx/esm/api')
    return tsImport(pathToFileURL(source).href, __filename)
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS start is the point (above)
  return require(bundle)
}

start().then((cli) => cli.main(process.argv.slice(2)))
