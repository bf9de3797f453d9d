import { testSources } from './test-imports'

/**
 * The test files that need a process of their own, found by what they do rather than listed: vitest.config.ts runs
 * them in its `own-process` project and every other file one after another in a shared worker process (where
 * test/setup/fresh-modules.ts gives each file fresh modules and fails one that leaves something running).
 *
 * A file needs its own process when what it measures or sets belongs to the whole process, so a previous file's
 * garbage, flags or listeners would change its answer or outlive it, whether it does so itself or through a helper
 * of test/ it imports (at any depth: test-imports.ts):
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

/**
 * A helper that does one of those things only when asked says what asks for it, so that only the files asking
 * get a process of their own: `// own-process for files using: <word>` (test/catalogue/harness.ts measures memory
 * only for cases given `sampleMemory`). A helper without such a line puts every file importing it in its own.
 */
const ONLY_FOR_FILES_USING = /^\/\/ own-process for files using: (\w+)/m

export interface Helper {
  path: string
  source: string
}

/** Why the helper needs the file to have its own process, or null. */
function helperReason(helper: Helper, fileSource: string): string | null {
  const why = NEEDS_ITS_OWN_PROCESS.find((n) => n.pattern.test(helper.source))?.why
  if (!why) return null
  const word = ONLY_FOR_FILES_USING.exec(helper.source)?.[1]
  if (word && !new RegExp(`\\b${word}\\b`).test(fileSource)) return null
  return `${why} (through ${helper.path})`
}

/** Why a file needs its own process, or null when it can share one; `helpers`: the test/ helpers it imports. */
export function ownProcessReason(
  path: string,
  source: string,
  helpers: readonly Helper[] = [],
): string | null {
  const failed = Object.entries(FAILED_SHARING).find(([file]) => path.endsWith(file))?.[1]
  if (failed) return `failed sharing: ${failed}`
  if (FLOOD_NAME.test(path.slice(path.lastIndexOf('/') + 1))) return 'floods'
  const own = NEEDS_ITS_OWN_PROCESS.find((n) => n.pattern.test(source))?.why
  if (own) return own
  for (const helper of helpers) {
    const why = helperReason(helper, source)
    if (why) return why
  }
  return null
}

/** Each test file (relative to `root`, with `/`; e2e specs excluded) with why it needs its own process, or null. */
export function ownProcessReasons(root: string): Map<string, string | null> {
  const sources = testSources(root)
  return new Map(
    sources.testFiles.map((f) => [
      sources.relative(f),
      ownProcessReason(
        f,
        sources.text(f),
        sources.helpersOf(f).map((h) => ({ path: sources.relative(h), source: sources.text(h) })),
      ),
    ]),
  )
}

/** Test files (relative to `root`, with `/`) under `root/test` that need a process of their own; e2e specs excluded. */
export function ownProcessFiles(root: string): string[] {
  return [...ownProcessReasons(root)]
    .filter(([, why]) => why !== null)
    .map(([f]) => f)
    .sort()
}
