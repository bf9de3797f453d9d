// The runner ladder: where a run's CPU per request goes, rung by rung, from bare undici `dispatch()` up to the
// engine's lean send and the built CLI's `run` (runner-ladder-rung.ts has the rungs). Each rung runs in a fresh
// process against one server in its own process (runner-server.mjs), rounds alternate the rungs' order, and
// each rung reports its own CPU over the run; the server's CPU over the same run is read from /proc. Medians.
// Usage: node --import tsx bench/runner-ladder.ts [rounds] [amount] [rung,rung,...]
//   (BENCH_RUNNER_CLI: a built CLI bundle for the `cli` rung; default out/cli/index.js)
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { cliEntryArgs } from './cli-entry'
import { median } from './paired'
import { writeOneRequest } from './runner-collection'
import { startServer, type Server } from './runner-peers'

const ROOT = resolve(import.meta.dirname, '..')
/** runner-ladder-rung.ts's rungs, in the ladder's order, then the built CLI's run. */
const RUNGS = [
  'autocannon',
  'dispatch',
  'dispatch+channel',
  'undici-pool',
  'reusing-pool',
  'pool',
  'pool+headers',
  'pool+claim',
  'pool+timings',
  'engine',
]
const rounds = Number(process.argv[2] ?? 7)
const amount = Number(process.argv[3] ?? 20_000)
const chosen = process.argv[4]?.split(',') ?? [...RUNGS, 'cli']
const CONNECTIONS = 50
/** The `cli` rung's start-up and load, measured by a run this short and taken off the long one's CPU. */
const SHORT = 50
const CLI = resolve(process.env.BENCH_RUNNER_CLI ?? join(ROOT, 'out', 'cli', 'index.js'))
const TICK_US = 1e6 / 100
/**
 * The V8 flags the CLI sets for a run (src/cli/index.ts: wasm-tiering.ts, run-gc.ts), given to every undici rung, so
 * a rung differs from the next by code only (without them the engine rung marked incrementally: ~10 us a request).
 */
const CLI_RUN_FLAGS = ['--liftoff-only', '--no-incremental-marking']
/** The rungs bundled as the CLI is (undici inlined): code run through tsx's loader is not quite the CLI's. */
const RUNG_BUNDLE = join(ROOT, '.flightdeck-tmp', `runner-ladder-${process.pid}.cjs`)

async function bundleRungs(): Promise<void> {
  const { build } = await import('esbuild')
  await build({
    entryPoints: [join(ROOT, 'bench', 'runner-ladder-rung.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: RUNG_BUNDLE,
    external: ['autocannon'],
    logLevel: 'error',
  })
}

interface Measured {
  cpuUs: number
  serverUs: number
  ms: number
}

/** The server's CPU so far (user + system), from /proc (clock ticks). */
function serverCpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) * TICK_US
}

function run(args: string[]): Promise<{ out: string; err: string; code: number | null }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  return new Promise((res) =>
    child.once('close', (code) => {
      clearTimeout(timer)
      res({ out, err, code })
    }),
  )
}

const CPU_MARK = '[ladder] cpu_us='

async function cliCpuUs(dir: string, iterations: number): Promise<{ cpuUs: number; ms: number }> {
  const report = `process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('\\n${CPU_MARK}' + (u.userCPUTime + u.systemCPUTime) + '\\n') }); `
  const r = await run([
    ...cliEntryArgs(CLI, report),
    'run',
    dir,
    '--iterations',
    String(iterations),
    '--concurrency',
    String(CONNECTIONS),
  ])
  const at = r.err.lastIndexOf(CPU_MARK)
  if (r.code !== 0 || at < 0) throw new Error(`cli run failed (${r.code}): ${r.err.slice(-1000)}`)
  return { cpuUs: Number.parseFloat(r.err.slice(at + CPU_MARK.length)), ms: 0 }
}

async function measure(server: Server & { pid: number }, rung: string, dir: string): Promise<Measured> {
  await server.take()
  const s0 = serverCpuUs(server.pid)
  let cpuUs: number
  let ms: number
  let expected = amount + 1
  if (rung === 'cli') {
    const long = await cliCpuUs(dir, amount)
    const s1 = serverCpuUs(server.pid)
    const short = await cliCpuUs(dir, SHORT)
    cpuUs = (long.cpuUs - short.cpuUs) * (amount / (amount - SHORT))
    ms = 0
    const seen = await server.take()
    if (seen.requests !== amount + SHORT) throw new Error(`cli: server saw ${seen.requests}`)
    return { cpuUs, serverUs: s1 - s0, ms }
  }
  const flags = rung === 'autocannon' ? [] : CLI_RUN_FLAGS
  const r = await run([...flags, RUNG_BUNDLE, rung, `${server.url}/hit`, String(amount), String(CONNECTIONS)])
  const s1 = serverCpuUs(server.pid)
  if (r.code !== 0) throw new Error(`${rung} failed (${r.code}): ${r.err.slice(-1000)}`)
  const line = JSON.parse(r.out.trim().split('\n').pop() ?? '{}') as { cpuUs: number; ms: number; ok: number }
  if (rung === 'autocannon') expected = amount
  const seen = await server.take()
  if (seen.requests !== expected || line.ok < amount)
    throw new Error(`${rung}: server saw ${seen.requests}, ok ${line.ok}`)
  cpuUs = line.cpuUs
  ms = line.ms
  return { cpuUs, serverUs: s1 - s0, ms }
}

async function main(): Promise<void> {
  await bundleRungs()
  const started = await startServer()
  const pid = Number(
    readFileSync('/proc/self/task/' + process.pid + '/children', 'utf8')
      .trim()
      .split(' ')
      .map(Number)
      .pop(),
  )
  const server = { ...started, pid }
  const dir = mkdtempSync(join(tmpdir(), 'fd-ladder-'))
  writeOneRequest(dir, server.url)
  const results = new Map<string, Measured[]>(chosen.map((r) => [r, []]))
  const loads: number[] = []
  try {
    for (let round = 0; round < rounds; round++) {
      // Each round starts at a different rung: no rung always runs first (or last) after a quiet moment.
      const order = chosen.map((_, i) => chosen[(i + round) % chosen.length] as string)
      for (const rung of order) {
        loads.push(loadavg()[0] ?? 0)
        const m = await measure(server, rung, dir)
        results.get(rung)?.push(m)
        process.stderr.write(
          `round ${round + 1} ${rung}: ${(m.cpuUs / amount).toFixed(1)} us/req client, ${(m.serverUs / (amount + 1)).toFixed(1)} server, ${m.ms.toFixed(0)} ms\n`,
        )
      }
    }
  } finally {
    server.stop()
    rmSync(dir, { recursive: true, force: true })
    rmSync(RUNG_BUNDLE, { force: true })
  }
  console.log(
    `ladder: ${amount} requests x ${rounds} rounds, ${CONNECTIONS} connections, load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
  )
  console.log('| rung | client CPU us/req (median) | range | server CPU us/req | req/s (median) |')
  console.log('| --- | --- | --- | --- | --- |')
  for (const [rung, ms] of results) {
    const per = ms.map((m) => m.cpuUs / amount)
    const srv = ms.map((m) => m.serverUs / amount)
    const rate = ms.filter((m) => m.ms > 0).map((m) => (amount / m.ms) * 1000)
    console.log(
      `| ${rung} | ${median(per).toFixed(1)} | ${Math.min(...per).toFixed(1)}-${Math.max(...per).toFixed(1)} | ${median(srv).toFixed(1)} | ${rate.length ? median(rate).toFixed(0) : '-'} |`,
    )
  }
}

await main()
