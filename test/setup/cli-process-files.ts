import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/**
 * The test files that start the `flightdeck` command as a child process, found rather than listed: a file is
 * one when it, or a helper of test/ it imports (at any depth), names one of the CLI's entries (bin/flightdeck.js,
 * the built bundle, the source entry started through tsx, or the run's bundle through FLIGHTDECK_TEST_CLI).
 * vitest.config.ts runs them in its `cli-process` project, where the run's CLI bundle is built once
 * (test/setup/cli-bundle.ts); a new file that starts the CLI lands there without anyone remembering a list.
 * In-process tests import `src/cli/index` without an extension and are not matched.
 */
const STARTS_THE_CLI =
  /bin\/flightdeck\.js|flightdeck-built\.mjs|out\/cli\/index\.js|src\/cli\/index\.ts|FLIGHTDECK_TEST_CLI/

const SOURCE = /\.(ts|tsx|mts|mjs|js)$/
const TEST_FILE = /\.test\.tsx?$/
/** Relative specifiers in static imports, re-exports and dynamic imports. */
const RELATIVE_IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g

function sourcesUnder(dir: string, skip: ReadonlySet<string>, depth = 0): string[] {
  if (depth > 12) return []
  const found: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!skip.has(path)) found.push(...sourcesUnder(path, skip, depth + 1))
    } else if (SOURCE.test(entry.name)) found.push(path)
  }
  return found
}

/** The file a relative specifier names, among the known sources (extension left off or given). */
function resolveImport(from: string, specifier: string, known: ReadonlySet<string>): string | null {
  const base = resolve(dirname(from), specifier)
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    `${base}.mjs`,
    join(base, 'index.ts'),
    base.replace(/\.js$/, '.ts'),
  ])
    if (known.has(candidate)) return candidate
  return null
}

/** Test files (paths relative to `root`, with `/`) under `root/test` that start the CLI; e2e specs excluded. */
export function cliProcessFiles(root: string): string[] {
  const testDir = join(root, 'test')
  // test/setup describes the machinery (this file names the entries it looks for): not a start of the CLI.
  const skip = new Set(['e2e', 'setup', join('fixtures', 'samples')].map((d) => join(testDir, d)))
  const sources = sourcesUnder(testDir, skip)
  const known = new Set(sources)
  const text = new Map(sources.map((f) => [f, readFileSync(f, 'utf8')]))
  const verdict = new Map<string, boolean>()

  function startsTheCli(file: string, visiting: Set<string>): boolean {
    const cached = verdict.get(file)
    if (cached !== undefined) return cached
    if (visiting.has(file)) return false
    visiting.add(file)
    const source = text.get(file) ?? ''
    let starts = STARTS_THE_CLI.test(source)
    for (const m of source.matchAll(RELATIVE_IMPORT)) {
      if (starts) break
      const target = resolveImport(file, m[1] ?? '', known)
      if (target) starts = startsTheCli(target, visiting)
    }
    visiting.delete(file)
    verdict.set(file, starts)
    return starts
  }

  return sources
    .filter((f) => TEST_FILE.test(f) && startsTheCli(f, new Set()))
    .map((f) => relative(root, f).split('\\').join('/'))
    .sort()
}
