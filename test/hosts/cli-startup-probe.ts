import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { HANG_GUARD_MS } from '../setup/hang-guard'
import { runModuleScript } from './module-script'

/**
 * Starting the built CLI (out/cli, as an installed package and a fresh checkout's bin run it) in a Node process
 * that records what the start costs: the files loaded (ES modules through a loader hook, CommonJS from
 * require's cache) and their bytes, what it compiled through node:vm with V8's code cache, and on request the
 * ICU services, zod schemas, functions made from text and Node modules it set up. Needs `npm run build` first.
 */

export const root = fileURLToPath(new URL('../..', import.meta.url))
/** FLIGHTDECK_TEST_CLI: another build of src/cli/index.ts (a bench or a profile of a private build). */
const entry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')

/**
 * Every start is killed when it has not ended by then: a hang guard, not a speed bound (a start at load 40 on two
 * cores took over the 18 s this was). The files using these starts take guardOnlyAgainstHangs(), so a start that
 * hangs fails its test as a killed start (code null), not as the test's timeout.
 */
const KILL_AFTER_MS = HANG_GUARD_MS - 10_000

export interface Loaded {
  code: number | null
  stdout: string
  stderr: string
  files: string[]
  /** Bytes of every file loaded, ours and node_modules'. */
  bytes: number
  /** Files compiled through node:vm (a command with V8's code cache), with what became of the cache. */
  compiled: { file: string; cache: 'none' | 'taken' | 'refused' }[]
}

/** The loader hook runs on its own thread: it appends each file URL it loads to the log. */
function hookSource(log: string): string {
  return `import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n')
  return next(url, context)
}`
}

/**
 * Counts, into `globalThis.__icuUsed`, every ICU service the process sets up (a collator, a segmenter, a
 * number or date format, directly or through toLocaleString / localeCompare): each one's first use costs a
 * process 15-30 ms of ICU set-up.
 */
const COUNT_ICU = `
const icuUsed = (globalThis.__icuUsed = [])
for (const name of ['Collator', 'Segmenter', 'NumberFormat', 'DateTimeFormat', 'PluralRules', 'ListFormat', 'RelativeTimeFormat', 'DisplayNames']) {
  const C = Intl[name]
  Intl[name] = new Proxy(C, {
    construct(t, a, n) { icuUsed.push('Intl.' + name); return Reflect.construct(t, a, n) },
    apply(t, self, a) { icuUsed.push('Intl.' + name); return Reflect.apply(t, self, a) },
  })
}
for (const [proto, names, label] of [[Number.prototype, ['toLocaleString'], 'Number'], [String.prototype, ['localeCompare', 'toLocaleLowerCase', 'toLocaleUpperCase'], 'String'], [Date.prototype, ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString'], 'Date'], [Array.prototype, ['toLocaleString'], 'Array']]) {
  for (const name of names) {
    const f = proto[name]
    Object.defineProperty(proto, name, { configurable: true, writable: true, value: function (...a) { icuUsed.push(label + '.' + name); return f.apply(this, a) } })
  }
}
`

/**
 * Counts, into `globalThis.__schemasBuilt`, the zod schemas the process builds: zod's constructor gives every
 * schema its `_zod` internals with Object.defineProperty. Building the contract's ~2,200 schemas and parts at
 * import cost every start ~35 ms of CPU and ~3 MB of garbage.
 */
const COUNT_SCHEMAS = `
globalThis.__schemasBuilt = 0
const define = Object.defineProperty
Object.defineProperty = function (o, key, d) {
  if (key === '_zod') globalThis.__schemasBuilt++
  return define(o, key, d)
}
`

/**
 * Counts, into `globalThis.__functionsMade`, the functions the process compiles from text at run time (zod's
 * parsers made with `new Function`): V8's code cache cannot keep them, so each start compiles them again.
 */
const COUNT_FUNCTIONS = `
globalThis.__functionsMade = 0
globalThis.Function = new Proxy(Function, {
  construct(t, a, n) { globalThis.__functionsMade++; return Reflect.construct(t, a, n) },
  apply(t, self, a) { globalThis.__functionsMade++; return Reflect.apply(t, self, a) },
})
`

/**
 * Logs, to `log` as the loader hook does, each file the CLI compiles with `vm.Script` (a command loaded with V8's
 * code cache, src/cli/command-loader.ts), and to `vmLog` whether V8 was given a cache for it and took it.
 */
function countVmSource(log: string, vmLog: string): string {
  return `
import vm from 'node:vm'
import { syncBuiltinESMExports } from 'node:module'
const VmScript = vm.Script
vm.Script = class extends VmScript {
  constructor(code, options) {
    super(code, options)
    if (!options?.filename) return
    appendFileSync(${JSON.stringify(log)}, 'file://' + options.filename + '\\n')
    const cache = options.cachedData === undefined ? 'none' : this.cachedDataRejected ? 'refused' : 'taken'
    appendFileSync(${JSON.stringify(vmLog)}, JSON.stringify({ file: options.filename, cache }) + '\\n')
  }
}
syncBuiltinESMExports()
`
}

/** The lines of a log file, or none when the process never wrote it. */
function logLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean)
  } catch {
    return []
  }
}

const compiledIn = (vmLog: string): Loaded['compiled'] =>
  logLines(vmLog).map((l) => JSON.parse(l) as Loaded['compiled'][number])

/** What a counted start reported on its stderr line `[tag] <json>`, or undefined when it wrote none. */
export function counted(stderr: string, tag: string): unknown {
  const line = stderr.split('\n').find((l) => l.startsWith(`[${tag}] `))
  return line === undefined ? undefined : JSON.parse(line.slice(tag.length + 3))
}

/** Runs `runCli(args)` of the built CLI with its files logged and what `count` names counted on stderr. */
export async function builtCli(
  dir: string,
  args: string[],
  count: { icu?: boolean; schemas?: boolean; builtins?: boolean; functions?: boolean } = {},
  env: Record<string, string> = {},
): Promise<Loaded> {
  const id = Math.random().toString(36).slice(2)
  const log = join(dir, `loaded-${id}.txt`)
  const vmLog = join(dir, `vm-${id}.txt`)
  const hook = `data:text/javascript,${encodeURIComponent(hookSource(log))}`
  const script = `
import { register, createRequire } from 'node:module'
import { appendFileSync } from 'node:fs'
register(${JSON.stringify(hook)})
${countVmSource(log, vmLog)}
${count.icu ? COUNT_ICU : ''}
${count.schemas ? COUNT_SCHEMAS : ''}
${count.functions ? COUNT_FUNCTIONS : ''}
${count.builtins ? 'const builtinsBefore = new Set(process.moduleLoadList)' : ''}
const m = await import(${JSON.stringify(entry)})
process.exitCode = await m.runCli(${JSON.stringify(args)})
${count.icu ? "process.stderr.write('[icu] ' + JSON.stringify(globalThis.__icuUsed) + '\\n')" : ''}
${count.schemas ? "process.stderr.write('[schemas] ' + globalThis.__schemasBuilt + '\\n')" : ''}
${count.functions ? "process.stderr.write('[functions] ' + globalThis.__functionsMade + '\\n')" : ''}
${count.builtins ? "process.stderr.write('[builtins] ' + JSON.stringify(process.moduleLoadList.filter((m) => !builtinsBefore.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice(13))) + '\\n')" : ''}
for (const f of Object.keys(createRequire(import.meta.url).cache)) appendFileSync(${JSON.stringify(log)}, 'file://' + f + '\\n')
`
  const run = await runModuleScript(script, {
    env: {
      FLIGHTDECK_CONFIG_DIR: join(dir, 'config'),
      FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'code-cache'),
      ...env,
    },
    killAfterMs: KILL_AFTER_MS,
  })
  const files = [...new Set(logLines(log))].map((u) => fileURLToPath(u))
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0)
  return { code: run.code, stdout: run.out, stderr: run.err, files, bytes, compiled: compiledIn(vmLog) }
}

/**
 * The built CLI's `main`, as bin/flightdeck.js runs it (its V8 flags set), with what it compiled through
 * node:vm; `nodeArgs` are Node's own options (a V8 trace writes to `out` with the command's words). `builtins`:
 * every Node module the process loaded, on a `[builtins]` line as it exits (builtCli's loader hook loads node:net
 * and the streams itself, so only a start without it can tell whether the command did).
 */
export async function builtMain(
  dir: string,
  args: string[],
  launch: { env?: Record<string, string>; nodeArgs?: string[]; builtins?: boolean } = {},
): Promise<{ code: number | null; out: string; compiled: Loaded['compiled'] }> {
  const id = Math.random().toString(36).slice(2)
  const vmLog = join(dir, `vm-${id}.txt`)
  const listBuiltins = `process.on('exit', () => writeSync(2, '\\n[builtins] ' + JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))) + '\\n'))`
  const script = `import { appendFileSync, writeSync } from 'node:fs'
${countVmSource(join(dir, `loaded-${id}.txt`), vmLog)}
${launch.builtins ? listBuiltins : ''}
const m = await import(${JSON.stringify(entry)}); await m.main(${JSON.stringify(args)})`
  const run = await runModuleScript(script, {
    nodeArgs: launch.nodeArgs ?? [],
    env: {
      FLIGHTDECK_CONFIG_DIR: join(dir, 'config'),
      FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'code-cache'),
      ...launch.env,
    },
    killAfterMs: KILL_AFTER_MS,
  })
  return { code: run.code, out: run.out + run.err, compiled: compiledIn(vmLog) }
}

/** A collection folder `dir/name` of one request, GET `url`, with `testScript` as its test script if given. */
export function oneRequestCollection(dir: string, name: string, url: string, testScript?: string): string {
  const folder = join(dir, name)
  mkdirSync(folder, { recursive: true })
  writeFileSync(join(folder, 'collection.yaml'), `flightdeck: 1\nname: ${name}\n`)
  const scripts =
    testScript === undefined
      ? ''
      : `scripts:\n  test: |\n${testScript
          .split('\n')
          .map((l) => `    ${l}\n`)
          .join('')}`
  writeFileSync(join(folder, 'hit.yaml'), `name: Hit\nmethod: GET\nurl: ${url}\n${scripts}`)
  return folder
}

/**
 * For a describe block: a temp folder for the starts' logs and caches, and a loopback server answering every
 * request `{"ok":true}` at `url()`; both go after the block.
 */
export function startupFixture(): { dir: string; url: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'fd-cli-startup-'))
  let server: Server | undefined
  let url = ''
  beforeAll(async () => {
    const answering = createServer((_req, res) => res.end('{"ok":true}'))
    server = answering
    await new Promise<void>((r) => answering.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(answering.address() as AddressInfo).port}/`
  })
  afterAll(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
    rmSync(dir, { recursive: true, force: true })
  })
  return { dir, url: () => url }
}
