import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/**
 * The test tree's sources and which helpers of test/ each imports, at any depth: what the project classifiers
 * (cli-process-files.ts, own-process-files.ts) read so that what a file does through a helper counts as its own.
 * e2e specs, this folder (the machinery names what it looks for) and the sample files are left out.
 */

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

export interface TestSources {
  /** Test files (absolute paths) under test/, e2e specs excluded. */
  readonly testFiles: readonly string[]
  readonly text: (file: string) => string
  /** The test/ helpers `file` imports, directly or through other helpers (itself excluded), each once. */
  readonly helpersOf: (file: string) => readonly string[]
  /** `file` relative to the root, with `/`. */
  readonly relative: (file: string) => string
}

export function testSources(root: string): TestSources {
  const testDir = join(root, 'test')
  const skip = new Set(['e2e', 'setup', join('fixtures', 'samples')].map((d) => join(testDir, d)))
  const sources = sourcesUnder(testDir, skip)
  const known = new Set(sources)
  const texts = new Map(sources.map((f) => [f, readFileSync(f, 'utf8')]))
  const imports = new Map<string, string[]>()

  function direct(file: string): string[] {
    let found = imports.get(file)
    if (found) return found
    found = []
    for (const m of (texts.get(file) ?? '').matchAll(RELATIVE_IMPORT)) {
      const target = resolveImport(file, m[1] ?? '', known)
      if (target && !found.includes(target)) found.push(target)
    }
    imports.set(file, found)
    return found
  }

  function helpersOf(file: string): string[] {
    const seen = new Set<string>([file])
    const queue: string[] = []
    const visit = (from: string): void => {
      for (const target of direct(from))
        if (!seen.has(target)) {
          seen.add(target)
          queue.push(target)
        }
    }
    visit(file)
    // Each source enters the queue once: bounded by their number.
    for (let i = 0; i < queue.length; i++) visit(queue[i] as string)
    return queue
  }

  return {
    testFiles: sources.filter((f) => TEST_FILE.test(f)),
    text: (file) => texts.get(file) ?? readFileSync(file, 'utf8'),
    helpersOf,
    relative: (file) => relative(root, file).split('\\').join('/'),
  }
}
