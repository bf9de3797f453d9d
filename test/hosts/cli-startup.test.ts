import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createSecureServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestPki } from '../fixtures/certs'

/**
 * What the built CLI (out/cli, as an installed package and a fresh checkout's bin run it) loads to start: a
 * command loads its own code and no other's, so `--help` costs about a bare Node start and `send` is not
 * slowed by the runner, the importers or other protocols. Measured as the files loaded (ES modules through a
 * loader hook, CommonJS from require's cache) and their bytes, which is what start-up time follows. Needs
 * `npm run build` first (npm test builds before the unit tests).
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
/** FLIGHTDECK_TEST_CLI: another build of src/cli/index.ts (a bench or a profile of a private build). */
const entry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')

interface Loaded {
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

function builtCli(
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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        FLIGHTDECK_CONFIG_DIR: join(dir, 'config'),
        FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'code-cache'),
        ...env,
      },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => {
      let files: string[] = []
      try {
        files = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].map((u) =>
          fileURLToPath(u),
        )
      } catch {
        // Nothing loaded from a file: the log was never written.
      }
      const bytes = files.reduce((n, f) => n + statSync(f).size, 0)
      let compiled: Loaded['compiled'] = []
      try {
        compiled = readFileSync(vmLog, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Loaded['compiled'][number])
      } catch {
        // Nothing compiled through node:vm.
      }
      resolve({ code, stdout, stderr, files, bytes, compiled })
    })
  })
}

/**
 * `send` builds `http.send`'s payload schema (the request spec, ~160 schemas and parts) and nothing at import;
 * building every schema of the contract at import was ~2,200.
 */
const SEND_SCHEMA_LIMIT = 300

/** The built CLI's `main` (as bin/flightdeck.js runs it) with V8 tracing each WebAssembly function compiled. */
function tracedMain(dir: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const script = `const m = await import(${JSON.stringify(entry)}); await m.main(${JSON.stringify(args)})`
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--trace-wasm-compilation-times', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          FLIGHTDECK_CONFIG_DIR: join(dir, 'config'),
          FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'code-cache'),
        },
      },
    )
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
  })
}

/** The built CLI's `main`, as bin/flightdeck.js runs it (its V8 flags set), with what it compiled through node:vm. */
function builtMain(
  dir: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; compiled: Loaded['compiled'] }> {
  const id = Math.random().toString(36).slice(2)
  const vmLog = join(dir, `vm-${id}.txt`)
  const script = `import { appendFileSync } from 'node:fs'
${countVmSource(join(dir, `loaded-${id}.txt`), vmLog)}
const m = await import(${JSON.stringify(entry)}); await m.main(${JSON.stringify(args)})`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: join(dir, 'config'), ...env },
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.on('error', reject)
    child.on('close', (code) => {
      let compiled: Loaded['compiled'] = []
      try {
        compiled = readFileSync(vmLog, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Loaded['compiled'][number])
      } catch {
        // Nothing compiled through node:vm.
      }
      resolve({ code, out, compiled })
    })
  })
}

const turbofanCompiles = (out: string): number =>
  out.split('\n').filter((l) => /using TurboFan/.test(l)).length

describe('what the built CLI loads to start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-cli-startup-'))
  let server: Server
  let url = ''
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('{"ok":true}'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('--help loads argument parsing only: no library, under 64 KB', async () => {
    const r = await builtCli(dir, ['--help'], { builtins: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('usage: flightdeck send')
    expect(r.files.filter((f) => f.includes('node_modules'))).toEqual([])
    expect(r.compiled).toEqual([])
    expect(r.bytes).toBeLessThan(64 * 1024)
    // Nor Node's modules only a command uses: node:crypto (~3 ms) and node:v8 (~2 ms) cost --help a third of
    // its time over bare Node.
    const line = r.stderr.split('\n').find((l) => l.startsWith('[builtins] '))
    const builtins = JSON.parse(line?.slice('[builtins] '.length) ?? 'null') as string[]
    expect(builtins.filter((m) => ['crypto', 'v8', 'vm'].includes(m))).toEqual([])
  })

  it('send loads the engine but no other command, protocol or importer', async () => {
    const r = await builtCli(dir, ['send', url])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('HTTP/1.1 200 OK')
    const names = r.files.map((f) => f.slice(root.length))
    expect(names.filter((f) => /run-command|stream-command|import-command/.test(f))).toEqual([])
    expect(names.filter((f) => f.includes('node_modules'))).toEqual([])
    // send's code is one file compiled with V8's code cache, not the command's ES module chunk.
    expect(names.filter((f) => /send-command/.test(f))).toEqual([
      expect.stringMatching(/cached\/send-command-\w+\.cjs$/),
    ])
    // ASCII, which the loader reads as latin1 (three times as fast as decoding UTF-8).
    expect(readFileSync(r.compiled[0]?.file ?? '').every((byte) => byte < 0x80)).toBe(true)
    // Its sources, as its source map names them: send's own CLI modules, no other command's.
    const map = JSON.parse(readFileSync(`${r.compiled[0]?.file}.map`, 'utf8')) as { sources: string[] }
    const cliSources = map.sources.filter((f) => f.includes('src/cli/'))
    expect(cliSources.filter((f) => /send-command/.test(f))).toHaveLength(1)
    expect(
      cliSources.filter((f) => /(run|stream|import|grpc|graphql|mqtt-socketio)-command/.test(f)),
    ).toEqual([])
    // The engine with its HTTP client and the libraries it needs on every start, in one file with the code of
    // the sessions and importers the service imports when first used (an ES module chunk each before, which
    // a CommonJS file cannot import on Node 20): 2.3 MB, of which V8's code cache compiles nothing at start.
    expect(r.bytes).toBeLessThan(2.5 * 1024 * 1024)
  })

  it("send and a one-request run compile their code once: later starts take V8's code cache", async () => {
    const cacheDir = join(dir, 'fresh-code-cache')
    const env = { FLIGHTDECK_CODE_CACHE_DIR: cacheDir }
    const collection = join(dir, 'cached-run')
    mkdirSync(collection, { recursive: true })
    writeFileSync(join(collection, 'collection.yaml'), 'flightdeck: 1\nname: Cached\n')
    writeFileSync(join(collection, 'hit.yaml'), `name: Hit\nmethod: GET\nurl: ${url}\n`)
    const commands = [
      { args: ['send', url], done: 'HTTP/1.1 200 OK', file: /send-command-\w+\.cjs$/ },
      { args: ['run', collection], done: '1 passed', file: /run-command-\w+\.cjs$/ },
    ]
    for (const { args, done, file } of commands) {
      const first = await builtCli(dir, args, {}, env)
      expect(first.code).toBe(0)
      expect(first.stdout + first.stderr).toContain(done)
      expect(first.compiled).toEqual([{ file: expect.stringMatching(file), cache: 'none' }])
      const second = await builtCli(dir, args, {}, env)
      expect(second.code).toBe(0)
      expect(second.stdout + second.stderr).toContain(done)
      expect(second.compiled).toEqual([{ file: expect.stringMatching(file), cache: 'taken' }])
    }
    // One cache per command, in the folder given.
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.cache'))).toHaveLength(2)

    // A run whose first start runs scripts makes its cache too (CI runs of a scripted collection are the same
    // run each time).
    const scripted = join(dir, 'cached-scripted-run')
    mkdirSync(scripted, { recursive: true })
    writeFileSync(join(scripted, 'collection.yaml'), 'flightdeck: 1\nname: Scripted\n')
    writeFileSync(
      join(scripted, 'hit.yaml'),
      `name: Hit\nmethod: GET\nurl: ${url}\nscripts:\n  test: |\n    pm.test('ok', function () { if (pm.response.code !== 200) throw new Error('no') })\n`,
    )
    const scriptedEnv = { FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'scripted-code-cache') }
    for (const cache of ['none', 'taken']) {
      const r = await builtMain(dir, ['run', scripted], scriptedEnv)
      expect(r.code).toBe(0)
      expect(r.out).toContain('1 passed')
      expect(r.compiled).toEqual([{ file: expect.stringMatching(/run-command/), cache }])
    }

    // A damaged cache (its digest does not match) is not given to V8 and is made again; the command runs the same.
    for (const f of readdirSync(cacheDir)) writeFileSync(join(cacheDir, f), 'not a code cache')
    const damaged = await builtCli(dir, ['send', url], {}, env)
    expect(damaged.stderr).toBe('')
    expect(damaged.code).toBe(0)
    expect(damaged.stdout).toContain('HTTP/1.1 200 OK')
    expect(damaged.compiled).toEqual([{ file: expect.stringMatching(/send-command/), cache: 'none' }])
    const again = await builtCli(dir, ['send', url], {}, env)
    expect(again.compiled).toEqual([{ file: expect.stringMatching(/send-command/), cache: 'taken' }])
  }, 60_000)

  it('a code cache folder that cannot be written costs the cache, not the command', async () => {
    const notAFolder = join(dir, 'not-a-folder')
    writeFileSync(notAFolder, '')
    for (let i = 0; i < 2; i++) {
      const r = await builtCli(dir, ['send', url], {}, { FLIGHTDECK_CODE_CACHE_DIR: notAFolder })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('HTTP/1.1 200 OK')
      expect(r.compiled).toEqual([{ file: expect.stringMatching(/send-command/), cache: 'none' }])
    }
  })

  it('send sets up no ICU service (a collator, segmenter or number format costs 15-30 ms each)', async () => {
    const r = await builtCli(dir, ['send', url], { icu: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('HTTP/1.1 200 OK')
    const line = r.stderr.split('\n').find((l) => l.startsWith('[icu] '))
    expect(line).toBeDefined()
    expect(JSON.parse(line?.slice('[icu] '.length) ?? 'null')).toEqual([])
  })

  it('a one-request run sets up no ICU service either', async () => {
    const collection = join(dir, 'one-request')
    mkdirSync(collection, { recursive: true })
    writeFileSync(join(collection, 'collection.yaml'), 'flightdeck: 1\nname: One\n')
    writeFileSync(join(collection, 'hit.yaml'), `name: Hit\nmethod: GET\nurl: ${url}\n`)
    const r = await builtCli(dir, ['run', collection], { icu: true })
    expect(r.code).toBe(0)
    expect(r.stdout + r.stderr).toContain('1 passed')
    const line = r.stderr.split('\n').find((l) => l.startsWith('[icu] '))
    expect(JSON.parse(line?.slice('[icu] '.length) ?? 'null')).toEqual([])
  })

  it("a run leaves its WebAssembly (the HTTP parser, the script sandbox) in V8's baseline compiler", async () => {
    // llhttp's optimising compile cost up to 450 ms of CPU and 40 MB, and held the process's exit until done.
    const plain = join(dir, 'plain-run')
    mkdirSync(plain, { recursive: true })
    writeFileSync(join(plain, 'collection.yaml'), 'flightdeck: 1\nname: Plain\n')
    writeFileSync(join(plain, 'hit.yaml'), `name: Hit\nmethod: GET\nurl: ${url}\n`)
    const r = await tracedMain(dir, ['run', plain, '--iterations', '200'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('200 passed')
    expect(r.out).toMatch(/using Liftoff/)
    expect(turbofanCompiles(r.out)).toBe(0)

    // Nor does a run's script sandbox (QuickJS): its optimising compiles cost more CPU than they saved.
    const scripted = join(dir, 'scripted-run')
    mkdirSync(scripted, { recursive: true })
    writeFileSync(join(scripted, 'collection.yaml'), 'flightdeck: 1\nname: Scripted\n')
    writeFileSync(
      join(scripted, 'hit.yaml'),
      `name: Hit\nmethod: GET\nurl: ${url}\nscripts:\n  test: |\n` +
        `    var x = 0; for (var i = 0; i < 300000; i++) { x += i % 7 }\n` +
        `    pm.test('ok', function () { if (pm.response.code !== 200) throw new Error('status ' + x) })\n`,
    )
    const s = await tracedMain(dir, ['run', scripted, '--iterations', '5'])
    expect(s.code).toBe(0)
    expect(s.out).toContain('5 passed')
    expect(turbofanCompiles(s.out)).toBe(0)
  }, 60_000)

  it("send loads Node's TLS, HTTP/2, zlib, worker and assert modules only for a request that needs them", async () => {
    // Each costs a start 1-5 ms (node:http2 with node:tls ~5); a plain http send uses none of them. node:assert
    // loads only when one of undici's internal checks fails.
    const lazy = ['tls', 'http2', 'zlib', 'worker_threads', 'assert']
    const builtins = (r: Loaded): string[] => {
      const line = r.stderr.split('\n').find((l) => l.startsWith('[builtins] '))
      return JSON.parse(line?.slice('[builtins] '.length) ?? '[]') as string[]
    }
    const plain = await builtCli(dir, ['send', url], { builtins: true })
    expect(plain.code).toBe(0)
    expect(plain.stdout).toContain('HTTP/1.1 200 OK')
    expect(builtins(plain).filter((m) => lazy.includes(m))).toEqual([])

    // The requests that need them still get them: a gzip body, https, HTTP/2.
    const pki = await makeTestPki()
    const gzipped = createServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' })
      res.end(gzipSync('unzipped by the engine'))
    })
    const h2 = createSecureServer(
      { cert: pki.localhost.cert, key: pki.localhost.key, allowHTTP1: true },
      (_req, res) => res.end('over tls'),
    )
    await new Promise<void>((r) => gzipped.listen(0, '127.0.0.1', r))
    await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r))
    try {
      const gz = await builtCli(
        dir,
        ['send', `http://127.0.0.1:${(gzipped.address() as AddressInfo).port}/`],
        {
          builtins: true,
        },
      )
      expect(gz.code).toBe(0)
      // 22 B decoded ('unzipped by the engine'), more on the wire.
      expect(gz.stdout).toMatch(/body +22 B \(text\/plain\)/)
      expect(builtins(gz)).toContain('zlib')
      const tlsUrl = `https://127.0.0.1:${(h2.address() as AddressInfo).port}/`
      const secure = await builtCli(dir, ['send', '--insecure', tlsUrl], { builtins: true })
      expect(secure.code).toBe(0)
      expect(secure.stdout).toMatch(/body +8 B/)
      expect(builtins(secure)).toContain('tls')
      const pushed = await builtCli(dir, ['send', '--insecure', '--push', tlsUrl], { builtins: true })
      expect(pushed.code).toBe(0)
      expect(pushed.stdout).toContain('HTTP/2 200')
      expect(pushed.stdout).toMatch(/body +8 B/)
      expect(builtins(pushed)).toContain('http2')
    } finally {
      gzipped.close()
      h2.close()
    }
  }, 60_000)

  it('send builds the schemas of the payload it validates, not the whole contract', async () => {
    const r = await builtCli(dir, ['send', url], { schemas: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('HTTP/1.1 200 OK')
    const line = r.stderr.split('\n').find((l) => l.startsWith('[schemas] '))
    const built = Number(line?.slice('[schemas] '.length))
    expect(built).toBeGreaterThan(0)
    expect(built).toBeLessThan(SEND_SCHEMA_LIMIT)
  })

  it('send compiles no code from text at run time (zod parses without making parsers)', async () => {
    const r = await builtCli(dir, ['send', url], { functions: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('HTTP/1.1 200 OK')
    const line = r.stderr.split('\n').find((l) => l.startsWith('[functions] '))
    expect(line).toBe('[functions] 0')
  })
})
