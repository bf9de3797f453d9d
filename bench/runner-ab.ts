import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { cliEntryArgs } from './cli-entry'
import { median } from './paired'
import { RUN_TIMEOUT_MS, startServer } from './runner-peers'
import { writeCollection, writeOneRequest } from './runner-collection'

/**
 * Two builds of the CLI on the runner bench's 1,000-request collection, run in turn (the order swapped every
 * round) against bench/runner-server.mjs: what changed between them. On a shared machine the spawn-to-exit rate
 * moves with everyone else's load; the CPU time (all threads, and the main thread alone) moves much less, so it
 * is printed beside it.
 *
 *   node scripts/build-node.mjs --cli-only .flightdeck-tmp/me/cli-a   (one build; the other from another commit)
 *   npx tsx bench/runner-ab.ts .flightdeck-tmp/me/cli-a/index.js .flightdeck-tmp/me/cli-b/index.js
 *
 * BENCH_AB_ROUNDS sets the rounds (default 20). BENCH_AB_ITERATIONS=N runs the runner bench's other shape instead:
 * one request with `--iterations N` (what `runner.vs_autocannon` measures), the same CPU figures beside it.
 */

const ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? 20)
/** The one-request run's iterations; 0: the 1,000-request collection. */
const ITERATIONS = Number(process.env.BENCH_AB_ITERATIONS ?? 0)
const REQUESTS = ITERATIONS > 0 ? ITERATIONS : 1000

interface Run {
  rps: number
  cpuMs: number
  mainCpuMs: number
  /** The rate the CLI reports for the run alone (without start-up, collection load and report). */
  runRps: number
}

/** Prints all threads' and the main thread's CPU time (/proc/thread-self/schedstat) as the process exits. */
const LOADER =
  "process.on('exit', () => { const u = process.resourceUsage(); let main = NaN; " +
  "try { main = Number(process.getBuiltinModule('fs').readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6 } catch {} " +
  "process.stderr.write('\\n[ab] ' + (u.userCPUTime + u.systemCPUTime) / 1000 + ' ' + main + '\\n') }); "

function runCli(cli: string, dir: string): Promise<Run> {
  const start = performance.now()
  const iterations = ITERATIONS > 0 ? ['--iterations', String(ITERATIONS)] : []
  const args = [...cliEntryArgs(cli, LOADER), 'run', dir, ...iterations, '--concurrency', '50']
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
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
      const cpu = /\[ab\] ([\d.]+) ([\d.]+|NaN)/.exec(err)
      const inRun = / ([\d.]+) req\/s/.exec(out)
      if (code !== 0 || !cpu || !inRun) {
        rej(new Error(`${cli} exited ${code}:\n${err.slice(-2000)}\n${out.slice(-2000)}`))
        return
      }
      res({
        rps: (REQUESTS / ms) * 1000,
        cpuMs: Number(cpu[1]),
        mainCpuMs: Number(cpu[2]),
        runRps: Number(inRun[1]),
      })
    })
  })
}

async function main(): Promise<void> {
  const clis = process.argv.slice(2).map((p) => resolve(p))
  const [a, b] = clis
  if (clis.length !== 2 || a === undefined || b === undefined)
    throw new Error('usage: npx tsx bench/runner-ab.ts <cli-a/index.js> <cli-b/index.js>')
  const name = (cli: string): string => basename(dirname(cli))
  const server = await startServer()
  const tmp = mkdtempSync(join(tmpdir(), 'fd-bench-ab-'))
  try {
    const dir = join(tmp, ITERATIONS > 0 ? 'single' : 'thousand')
    if (ITERATIONS > 0) writeOneRequest(dir, server.url)
    else writeCollection(dir, 'Runner A/B', server.url, REQUESTS, 10)
    const paths = ITERATIONS > 0 ? 1 : REQUESTS
    const runs = new Map<string, Run[]>([
      [a, []],
      [b, []],
    ])
    const once = async (cli: string): Promise<Run> => {
      await server.take()
      const r = await runCli(cli, dir)
      const seen = await server.take()
      if (seen.requests !== REQUESTS || seen.paths !== paths)
        throw new Error(`${cli}: the server saw ${seen.requests} requests on ${seen.paths} paths`)
      return r
    }
    await once(a)
    await once(b)
    for (let i = 0; i < ROUNDS; i++) {
      const line: string[] = []
      for (const cli of i % 2 === 0 ? [a, b] : [b, a]) {
        const r = await once(cli)
        runs.get(cli)?.push(r)
        line.push(
          `${name(cli)} ${r.rps.toFixed(0)} req/s, CPU ${r.cpuMs.toFixed(0)} ms (main ${r.mainCpuMs.toFixed(0)})`,
        )
      }
      console.log(`round ${i + 1} (load ${(loadavg()[0] ?? 0).toFixed(1)}): ${line.join(' | ')}`)
    }
    const of = (cli: string, key: keyof Run): number[] => (runs.get(cli) ?? []).map((r) => r[key])
    for (const cli of clis)
      console.log(
        `${name(cli)}: ${median(of(cli, 'rps')).toFixed(0)} req/s spawn to exit, the run alone ${median(of(cli, 'runRps')).toFixed(0)}; CPU ${median(of(cli, 'cpuMs')).toFixed(0)} ms, main thread ${median(of(cli, 'mainCpuMs')).toFixed(0)} ms (medians of ${ROUNDS})`,
      )
    const ratio = (key: keyof Run): string => {
      const bs = of(b, key)
      return median(of(a, key).map((x, i) => x / (bs[i] ?? NaN))).toFixed(3)
    }
    console.log(
      `${name(a)}/${name(b)}, median of the paired ratios: req/s ${ratio('rps')}, CPU ${ratio('cpuMs')}, main thread ${ratio('mainCpuMs')}`,
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
