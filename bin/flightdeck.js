#!/usr/bin/env node
// The `flightdeck` command. An installed package runs the bundle in out/cli. In a checkout (src/ present) it
// runs the bundle too when that was built after the last change to the source (it starts in a fraction of
// the time: no TypeScript to compile, the libraries it uses bundled in), else the TypeScript source through
// tsx, so `npx flightdeck` never needs a build and never runs a stale one.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = new URL('../', import.meta.url)
const source = new URL('src/cli/index.ts', root)
const bundle = new URL('out/cli/index.js', root)

function mtime(url) {
  try {
    return statSync(url).mtimeMs
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
  ].map((f) => mtime(new URL(f, root)) ?? 0)
  return Math.max(newestUnder(fileURLToPath(new URL('src', root))), ...inputs) <= built
}

function canResolve(specifier) {
  try {
    import.meta.resolve(specifier)
    return true
  } catch {
    return false
  }
}

let cli
if (existsSync(source) && !bundleIsFresh() && canResolve('tsx/esm/api')) {
  const { tsImport } = await import('tsx/esm/api')
  cli = await tsImport(source.href, import.meta.url)
} else {
  cli = await import('../out/cli/index.js')
}
await cli.main(process.argv.slice(2))
