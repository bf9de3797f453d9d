import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

/**
 * The test files that need a process of their own, found by what they do rather than listed: vitest.config.ts runs
 * them in its `own-process` project and every other file one after another in a shared worker process (where
 * test/setup/fresh-modules.ts gives each file fresh modules and fails one that leaves something running).
 *
 * A file needs its own process when what it measures or sets belongs to the whole process, so a previous file's
 * garbage, flags or listeners would change its answer or outlive it:
 */
export const NEEDS_ITS_OWN_PROCESS: readonly { why: string; pattern: RegExp }[] = [
  // The heap or RSS of the process itself: a shared worker carries every earlier file's garbage. (CPU time taken
  // around a piece of work is that work's, shared or not: test/renderer's cpuUsage bounds pass in shared-process.)
  { why: 'measures its memory', pattern: /process\.memoryUsage\(|getHeapStatistics\(|\.maxRSS\b/ },
  // V8 flags (--expose-gc) stay set for every later file.
  { why: 'sets V8 flags', pattern: /setFlagsFromString\(/ },
  // Listeners on process events (uncaught exceptions, signals): a shared worker's are vitest's own too.
  { why: 'listens on the process', pattern: /process\.(on|once|prependListener)\(/ },
  // Anything else a file knows about itself, said where it is: a line comment `// own-process: <why>`.
  { why: 'says so', pattern: /^\/\/ own-process: \S/m },
  // Worker threads started by the file itself (not the engine's pool, which fresh-modules.ts closes).
  { why: 'starts worker threads', pattern: /new Worker\(/ },
]

/**
 * Files that failed one of two runs in a shared worker process (a two-core machine at load 20-30), kept apart until
 * someone finds why: each a defect of the file to mend (close what it starts; bound what it measures), then drop it
 * here. test/scripts/vitest-projects.test.ts checks that each still exists.
 */
export const FAILED_SHARING: Readonly<Record<string, string>> = {}

/** A flood tests fairness and memory under a burst: alone, so no earlier file's leftovers skew it. */
const FLOOD_NAME = /flood/

const TEST_FILE = /\.test\.tsx?$/

function testFilesUnder(dir: string, depth = 0): string[] {
  if (depth > 12) return []
  const found: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...testFilesUnder(path, depth + 1))
    else if (TEST_FILE.test(entry.name)) found.push(path)
  }
  return found
}

/** Why a file needs its own process, or null when it can share one. */
export function ownProcessReason(path: string, source: string): string | null {
  const failed = Object.entries(FAILED_SHARING).find(([file]) => path.endsWith(file))?.[1]
  if (failed) return `failed sharing: ${failed}`
  if (FLOOD_NAME.test(path.slice(path.lastIndexOf('/') + 1))) return 'floods'
  return NEEDS_ITS_OWN_PROCESS.find((n) => n.pattern.test(source))?.why ?? null
}

/** Test files (relative to `root`, with `/`) under `root/test` that need a process of their own; e2e specs excluded. */
export function ownProcessFiles(root: string): string[] {
  return testFilesUnder(join(root, 'test'))
    .filter((f) => !f.startsWith(join(root, 'test', 'e2e')))
    .filter((f) => ownProcessReason(f, readFileSync(f, 'utf8')) !== null)
    .map((f) => relative(root, f).split('\\').join('/'))
    .sort()
}
