import {
  lstatSync,
  lutimesSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { makeFolderSync } from '../engine/files/make-folder'
import { lazyBuiltinRequire } from './lazy-builtins'
// A type only (erased): node:vm itself is loaded when a command is, not by `--help`.
import type { Script as VmScript } from 'node:vm'

/**
 * Loads a command's code with V8's code cache. Node 20 keeps no code cache for ES modules, so every start
 * compiled the ~2 MB `send` and `run` load (the engine, undici, zod, yaml): a third of their CPU. The build
 * also writes each of them as one CommonJS file in out/cli/cached (scripts/build-node.mjs); this compiles that
 * file with `vm.Script` and the cache V8 made for it the first time, which V8 deserialises instead of parsing
 * and compiling (the functions the command ran included, since the cache is made after it ran).
 *
 * The cache is code: it lives beside the file it was made from (or in FLIGHTDECK_CODE_CACHE_DIR), so whoever can
 * write it can already write the CLI itself. It is named by the file's content hash (in its name, from the build)
 * and modification time, V8's version, the architecture and the hash of the V8 flags it was made under, which is
 * what V8 checks: a start with other V8 options (`--trace-gc`, NODE_OPTIONS=--max-old-space-size=…) has a cache
 * of its own instead of replacing the usual one, which the next usual start refused and made again (alternating
 * starts each paid the full compile). A few flag sets are kept per command, the least recently used going
 * first. V8 would take a stale cache for a source of the same length, which the hash and the time rule out. A
 * folder that cannot be written means no cache, not an error: the command runs the same, only its start is slower.
 * A cache damaged in the middle made V8 abort the process: V8 checks a checksum of each cache it is given when
 * `--verify-snapshot-checksum` is set (made with it, refused when it does not match), so the loader sets it,
 * and uses no cache should a V8 not write that checksum.
 * From the source (vitest, tsx) there is no out/cli/cached and the command is imported as before.
 */

export type CachedCommand = 'send-command' | 'run-command'

/** A name in out/cli/cached/index.json: a command's file, or the lazy file of a command built as two. */
type BuiltName = CachedCommand | `${CachedCommand}.lazy`

/** A cache larger than this many times its source is not V8's: it is not read (it would only be refused). */
const MAX_CACHE_RATIO = 4

/** Caches kept per command file, one per V8 flag set: the usual start's and a few unusual ones (profiling). */
export const MAX_FLAG_SETS = 4

type CommonJsBody = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
  importMetaUrl: string,
) => void

export interface LoadedCommand<M> {
  module: M
  /** After the command ran: makes the cache if there was none V8 took (a no-op when it took one). */
  keep(): void
}

export async function loadCommand<M>(
  name: CachedCommand,
  imported: () => Promise<M>,
): Promise<LoadedCommand<M>> {
  const file = builtFile(name)
  const lazyFile = builtFile(`${name}.lazy`)
  const chunks = file && lazyFile ? new ChunkRegistry(file, lazyFile) : null
  const main = file ? compileFile(file, chunks?.require) : null
  if (!main) return { module: await imported(), keep: () => undefined }
  if (!chunks) return { module: main.exports as M, keep: main.keep }
  chunks.evaluated(main)
  return { module: chunks.require(`./${name}.js`) as M, keep: () => chunks.keep() }
}

type ChunkBody = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }) => void

/**
 * A command built as two files (scripts/cli-split-command.mjs). Its own file is what its start evaluates, as one
 * bundle, exporting each of its chunks' exports by the chunk's name (`evaluated`); the lazy file holds the chunks
 * reached only through a lazy import, each a function run when the chunk is first required. One registry serves
 * both, so a chunk runs once whichever file holds it, and the lazy file is read and compiled (with its own code
 * cache) only when one of its chunks is first required, which a plain `send` never does.
 */
class ChunkRegistry {
  private readonly modules = new Map<string, unknown>()
  private main: CompiledFile | null = null
  private bodies: Map<string, ChunkBody> | null = null
  private lazy: CompiledFile | null = null
  /** What both files' code is given: their chunks by name (`./<chunk>.js`), anything else as Node has it. */
  readonly require: NodeJS.Require

  constructor(
    file: string,
    private readonly lazyFile: string,
  ) {
    const outer = lazyBuiltinRequire(() => process.getBuiltinModule('node:module').createRequire(file))
    this.require = Object.defineProperties(
      ((id: string) => (id.startsWith('./') ? this.chunk(id.slice(2)) : outer(id))) as NodeJS.Require,
      {
        resolve: { get: () => outer.resolve, enumerable: true },
        cache: { get: () => outer.cache, enumerable: true },
        main: { get: () => outer.main, enumerable: true },
      },
    )
  }

  /** The command's own file, run: its chunks' exports. */
  evaluated(main: CompiledFile): void {
    this.main = main
    const { evaluated } = main.exports as { evaluated?: Record<string, unknown> }
    for (const [chunk, exports] of Object.entries(evaluated ?? {})) this.modules.set(chunk, exports)
  }

  keep(): void {
    this.main?.keep()
    this.lazy?.keep()
  }

  private chunk(chunk: string): unknown {
    if (this.modules.has(chunk)) return this.modules.get(chunk)
    if (!this.bodies) {
      this.lazy = compileFile(this.lazyFile, this.require)
      if (!this.lazy)
        throw new Error(`flightdeck: ${this.lazyFile} could not be read (the build is incomplete)`)
      this.bodies = new Map(Object.entries(this.lazy.exports as Record<string, ChunkBody>))
    }
    const body = this.bodies.get(chunk)
    if (!body) throw new Error(`flightdeck: no file of this build holds ${chunk} (the build is incomplete)`)
    // Registered before it runs, as Node registers a module: a cycle gets the exports made so far.
    const module = { exports: {} as unknown }
    this.modules.set(chunk, module.exports)
    body(module.exports, this.require, module)
    this.modules.set(chunk, module.exports)
    return module.exports
  }
}

interface CompiledFile {
  exports: unknown
  /** After the command ran: makes the cache if there was none V8 took (a no-op when it took one). */
  keep(): void
}

/** Runs one of out/cli/cached's CommonJS files, with V8's code cache when there is one; null if it cannot be read. */
function compileFile(file: string, given?: NodeJS.Require): CompiledFile | null {
  let source: string
  try {
    // The build writes it in ASCII (scripts/build-node.mjs checks), so latin1 reads it the same, in a third of
    // the time UTF-8 takes to decode 2 MB (~3 ms against ~9).
    source = readFileSync(file, 'latin1')
  } catch {
    // Listed but gone (a build under way): the command's ES module chunk is still there.
    return null
  }
  const require =
    given ?? lazyBuiltinRequire(() => process.getBuiltinModule('node:module').createRequire(file))
  // node:vm and node:v8 are loaded here, not on import: the CLI's entry imports this module, and `--help`
  // needs neither.
  const { Script } = process.getBuiltinModule('node:vm')
  process.getBuiltinModule('node:v8').setFlagsFromString('--verify-snapshot-checksum')
  const { flags, checksummed } = cacheFlags(Script)
  const cacheDir = process.env.FLIGHTDECK_CODE_CACHE_DIR || dirname(file)
  const stamp = sourceStamp(file)
  const cacheName = `${basename(file)}.${stamp}.${process.versions.v8}-${process.arch}-${flags}.cache`
  // Every part of the name is the build's file name, digits, letters, dots and dashes: never a path elsewhere.
  const cacheFile = /^[\w.+-]+$/.test(cacheName) ? join(cacheDir, cacheName) : null
  const cachedData = checksummed && cacheFile ? readCache(cacheFile, source.length) : undefined
  // The same wrapper Node gives a CommonJS module, plus the file's URL for the code's `import.meta.url`.
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, __flightdeck_import_meta_url) {${source}\n})`,
    { filename: file, ...(cachedData ? { cachedData } : {}) },
  )
  const taken = cachedData !== undefined && !script.cachedDataRejected
  if (taken && cacheFile) markUsed(cacheFile)
  const body = script.runInThisContext() as CommonJsBody
  const module: { exports: unknown } = { exports: {} }
  body(module.exports, require, module, file, dirname(file), pathToFileURL(file).href)
  return {
    exports: module.exports,
    keep: () => {
      // Made after the command, with the functions it compiled: a third larger than one made once the modules
      // had run, and ~15 ms faster a start. Not if V8's flags changed meanwhile: V8 would refuse it.
      if (taken || !checksummed || !cacheFile || cacheFlags(Script).flags !== flags) return
      writeCache(cacheFile, `${basename(file)}.${stamp}.`, basename(file), script.createCachedData())
    },
  }
}

/**
 * The hash of V8's flags as V8 checks it against a code cache, and whether V8 writes its checksum into a cache:
 * the fourth and sixth 32-bit words of the header of any cache (V8's SerializedCodeData: magic, version hash,
 * source hash, flag hash, payload length, checksum), here of a one-character script's, made in ~0.3 ms at a
 * start. Node's own options (`--no-warnings`, `--input-type`) leave the hash as it is; V8's (`--trace-gc`,
 * `--max-old-space-size`, `--liftoff-only` set at run time) change it. Should a later V8 lay its header out
 * otherwise, the hash word is still the same for the same V8 and flags, so a cache is never taken wrongly (V8
 * checks it anyway); only unusual starts would share the usual one's file again. The checksum word is 0 when V8
 * makes none (without `--verify-snapshot-checksum`): then a damaged cache would abort the process, so none is used.
 */
function cacheFlags(Script: typeof VmScript): { flags: string; checksummed: boolean } {
  const data = new Script('0').createCachedData()
  if (data.length < 24) return { flags: 'unknown', checksummed: false }
  return {
    flags: data.readUInt32LE(12).toString(16).padStart(8, '0'),
    checksummed: data.readUInt32LE(20) !== 0,
  }
}

/**
 * A cache V8 took is the most recently used of its command's flag sets: its modification time says so (of the
 * file itself, never of what a link there points to), so the usual start's cache outlives unusual ones.
 */
function markUsed(path: string): void {
  try {
    const now = new Date()
    lutimesSync(path, now, now)
  } catch {
    // A folder that cannot be written: the cache is read all the same.
  }
}

/** The command's CommonJS file in the build this module is part of, or null (from source). */
function builtFile(name: BuiltName): string | null {
  // The bundler may put this module in the entry or in a chunk one folder down.
  for (const rel of ['./cached/', '../cached/']) {
    const dir = new URL(rel, import.meta.url)
    let files: Record<string, unknown>
    try {
      files = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8')) as Record<string, unknown>
    } catch {
      continue
    }
    const file = files[name]
    return typeof file === 'string' && /^[\w.-]+\.cjs$/.test(file) ? fileURLToPath(new URL(file, dir)) : null
  }
  return null
}

/**
 * The source file's modification time: the file's name carries the hash of what the build wrote, but a file
 * edited in place afterwards (a hot fix in an installed package) keeps its name, and V8 takes a cache made for
 * another source of the same length, running the old code. A stat costs microseconds; hashing 2 MB, a few ms.
 */
function sourceStamp(file: string): string {
  try {
    return statSync(file, { bigint: true }).mtimeNs.toString(36)
  } catch {
    return 'unknown'
  }
}

/**
 * The cache file is V8's data as V8 made it. V8 checks its header, its length and its checksum (a damaged one,
 * from a bad disk or a copy cut and refilled, is refused and made again), so there is no digest of our own:
 * node:crypto alone costs a start ~8 ms of CPU to load on a Node that compiles its own modules.
 */
function readCache(path: string, sourceLength: number): Buffer | undefined {
  try {
    // Not a regular file (a FIFO would block the start for ever, /dev/zero fill the memory): no cache.
    const info = statSync(path)
    if (!info.isFile() || info.size > sourceLength * MAX_CACHE_RATIO) return undefined
    return readFileSync(path)
  } catch (e) {
    if (isFileError(e)) return undefined
    throw e
  }
}

/**
 * Atomically (several CLIs may start at once). The same command's caches of other builds (or of its file before
 * an edit) go with it, so the folder keeps one build's caches however often the CLI is rebuilt; of this build's,
 * one per V8 flag set, MAX_FLAG_SETS at most, the least recently used going first.
 */
function writeCache(path: string, keep: string, built: string, data: Buffer): void {
  const dir = dirname(path)
  const command = built.replace(/-[^-]+\.cjs$/, '-')
  const temp = `${path}.${process.pid}.tmp`
  try {
    makeFolderSync(dir)
    // A leftover of a process that had this pid goes; 'wx' then creates the file and never follows a link put
    // in its place (to a file of the user's, which the write would overwrite).
    rmSync(temp, { force: true })
    writeFileSync(temp, data, { mode: 0o644, flag: 'wx' })
    renameSync(temp, path)
    const sets: { name: string; used: number }[] = []
    for (const other of readdirSync(dir)) {
      if (!other.startsWith(command) || !other.endsWith('.cache')) continue
      if (!other.startsWith(keep)) rmSync(join(dir, other), { force: true })
      else if (join(dir, other) !== path) sets.push({ name: other, used: usedAt(join(dir, other)) })
    }
    sets.sort((a, b) => b.used - a.used)
    for (const old of sets.slice(MAX_FLAG_SETS - 1)) rmSync(join(dir, old.name), { force: true })
  } catch (e) {
    // Not writable (an installed package in a system folder): no cache, and the command has run all the same.
    if (!isFileError(e)) throw e
    try {
      rmSync(temp, { force: true })
    } catch {
      // Nothing was written.
    }
  }
}

function usedAt(path: string): number {
  try {
    return lstatSync(path).mtimeMs
  } catch {
    return 0
  }
}

/** A failure of the file system (it has an errno code), as against a bug here. */
function isFileError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string'
}
