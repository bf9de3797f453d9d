import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { cliEntryArgs } from './cli-entry'
import { median } from './paired'
import { RUN_TIMEOUT_MS, startServer } from './runner-peers'
import { writeCollection, writeOneRequest } from './runner-collection'

/**
 * One build of the CLI under several sets of V8 flags, on the runner bench's shapes, each run a fresh process,
 * the variants taken in turn (the order rotated every round) against bench/runner-server.mjs: what a flag the
 * `run` process might set costs or saves. Each variant is `name=flags`; its flags are set as the CLI sets its own
 * (`v8.setFlagsFromString` before the CLI loads), or, after a leading `node:`, given on node's command line (for
 * what only a start can set, such as `--v8-pool-size`); `name@other/index.js=flags` runs another build instead (a
 * change that sets a flag part way through the run). The first variant is the baseline every other is paired
 * with, round by round.
 *
 *   node scripts/build-node.mjs --cli-only .flightdeck-tmp/me/cli
 *   npx tsx bench/runner-flags.ts .flightdeck-tmp/me/cli/index.js base= stgc=--single-threaded-gc
 *
 * BENCH_FLAGS_ROUNDS sets the rounds (default 9), BENCH_FLAGS_ITERATIONS the one-request run's iterations
 * (default 20000; 0 runs the 1,000-request collection instead).
 */

const ROUNDS = Number(process.env.BENCH_FLAGS_ROUNDS ?? 9)
const ITERATIONS = Number(process.env.BENCH_FLAGS_ITERATIONS ?? 20_000)
const REQUESTS = ITERATIONS > 0 ? ITERATIONS : 1000
const PATHS = ITERATIONS > 0 ? 1 : 1000

interface Variant {
  name: string
  /** The build's index.js. */
  cli: string
  /** Set at run time, as the CLI sets its own. */
  runtime: string
  /** On node's command line. */
  node: string[]
}

interface Run {
  /** Spawn to exit. */
  rps: number
  /** The rate the CLI reports for the run alone (from its start to its last answer): the bench's key. */
  runRps: number
  cpuMs: number
  mainCpuMs: number
}

function parseVariant(arg: string, defaultCli: string): Variant {
  const at = arg.indexOf('=')
  if (at <= 0) throw new Error(`a variant is name=flags or name@cli=flags, not ${arg}`)
  const [name = '', build] = arg.slice(0, at).split('@')
  const cli = build === undefined ? defaultCli : resolve(build)
  const flags = arg.slice(at + 1).trim()
  if (flags.startsWith('node:')) return { name, cli, runtime: '', node: flags.slice(5).trim().split(/\s+/) }
  return { name, cli, runtime: flags, node: [] }
}

function prelude(v: Variant): string {
  const flags =
    v.runtime === ''
      ? ''
      : `process.getBuiltinModule('node:v8').setFlagsFromString(${JSON.stringify(v.runtime)}); `
  return (
    flags +
    "process.on('exit', () => { const u = process.resourceUsage(); let main = NaN; " +
    "try { main = Number(process.getBuiltinModule('fs').readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6 } catch {} " +
    "process.stderr.write('\\n[flags] ' + (u.userCPUTime + u.systemCPUTime) / 1000 + ' ' + main + '\\n') }); "
  )
}

function runCli(v: Variant, dir: string): Promise<Run> {
  const iterations = ITERATIONS > 0 ? ['--iterations', String(ITERATIONS)] : []
  const args = [
    ...v.node,
    ...cliEntryArgs(v.cli, prelude(v)),
    'run',
    dir,
    ...iterations,
    '--concurrency',
    '50',
  ]
  const start = performance.now()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
  return new Promise((res, rej) => {
    child.once('error', rej)
    child.once('close', (code) => {
      clearTimeout(timer)
      const ms = performance.now() - start
      const cpu = /\[flags\] ([\d.]+) ([\d.]+|NaN)/.exec(err)
      const inRun = / ([\d.]+) req\/s/.exec(out)
      if (code !== 0 || !cpu || !inRun) {
        rej(new Error(`${v.name} exited ${code}:\n${err.slice(-2000)}\n${out.slice(-2000)}`))
        return
      }
      res({
        rps: (REQUESTS / ms) * 1000,
        runRps: Number(inRun[1]),
        cpuMs: Number(cpu[1]),
        mainCpuMs: Number(cpu[2]),
      })
    })
  })
}

async function main(): Promise<void> {
  const [cliArg, ...variantArgs] = process.argv.slice(2)
  if (cliArg === undefined || variantArgs.length < 2)
    throw new Error(
      'usage: npx tsx bench/runner-flags.ts <cli/index.js> base= name=--flag [name=node:--flag …]',
    )
  const cli = resolve(cliArg)
  const variants = variantArgs.map((arg) => parseVariant(arg, cli))
  const server = await startServer()
  const tmp = mkdtempSync(join(tmpdir(), 'fd-bench-flags-'))
  try {
    const dir = join(tmp, ITERATIONS > 0 ? 'single' : 'thousand')
    if (ITERATIONS > 0) writeOneRequest(dir, server.url)
    else writeCollection(dir, 'Runner flags', server.url, REQUESTS, 10)
    const runs = new Map<string, Run[]>(variants.map((v) => [v.name, []]))
    const once = async (v: Variant): Promise<Run> => {
      await server.take()
      const r = await runCli(v, dir)
      const seen = await server.take()
      if (seen.requests !== REQUESTS || seen.paths !== PATHS)
        throw new Error(`${v.name}: the server saw ${seen.requests} requests on ${seen.paths} paths`)
      return r
    }
    // A first run of each makes its code cache (the cache is per flag set) and warms the file cache.
    for (const v of variants) await once(v)
    for (let i = 0; i < ROUNDS; i++) {
      const order = variants.map((_, k) => variants[(k + i) % variants.length] as Variant)
      const line: string[] = []
      for (const v of order) {
        const r = await once(v)
        runs.get(v.name)?.push(r)
        line.push(
          `${v.name} ${r.runRps.toFixed(0)} req/s, CPU ${r.cpuMs.toFixed(0)} (main ${r.mainCpuMs.toFixed(0)})`,
        )
      }
      console.log(`round ${i + 1} (load ${(loadavg()[0] ?? 0).toFixed(1)}): ${line.join(' | ')}`)
    }
    const of = (name: string, key: keyof Run): number[] => (runs.get(name) ?? []).map((r) => r[key])
    const base = variants[0] as Variant
    const ratio = (name: string, key: keyof Run): string => {
      const bs = of(base.name, key)
      return median(of(name, key).map((x, i) => x / (bs[i] ?? NaN))).toFixed(3)
    }
    const shape = ITERATIONS > 0 ? `one request x ${ITERATIONS}` : '1,000-request collection'
    console.log(`${shape}, concurrency 50, medians of ${ROUNDS} rounds; ratios paired with ${base.name}:`)
    for (const v of variants)
      console.log(
        `  ${v.name}: the run ${median(of(v.name, 'runRps')).toFixed(0)} req/s (${ratio(v.name, 'runRps')}), spawn to exit ${median(of(v.name, 'rps')).toFixed(0)} (${ratio(v.name, 'rps')}); CPU ${median(of(v.name, 'cpuMs')).toFixed(0)} ms (${ratio(v.name, 'cpuMs')}), main thread ${median(of(v.name, 'mainCpuMs')).toFixed(0)} ms (${ratio(v.name, 'mainCpuMs')})`,
      )
  } finally {
    server.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e)
    process.exit(1)
  },
)
