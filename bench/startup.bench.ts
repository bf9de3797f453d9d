import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { cliEntryArgs } from './cli-entry'
import { median } from './paired'

/**
 * CLI start-up, process spawn to exit, as a person or a CI script pays it, with bare Node's start measured in
 * the same rounds (the machine is shared: absolute figures move with its load, the difference to bare Node
 * much less):
 *
 * - `cli.help_ms`: `flightdeck --help` (target ≤ 120).
 * - `cli.send_ms`: `flightdeck send <url>` to a local keep-alive server in another process (target ≤ 150).
 * - `cli.node_ms`: `node -e 0` in the same rounds; `cli.load_avg` the 1-minute load average at the start.
 * - `…_cpu_ms`: the CPU time (user + system) each process used, which a busy machine moves far less than the
 *   time to exit (waiting for a core does not count).
 *
 * - `cli.node_no_extra_ca_ms` (`…_cpu_ms`), when the environment sets NODE_EXTRA_CA_CERTS: `node -e 0` without
 *   it. Node 20 reads and parses those certificates (with its own root store) as every process starts, before
 *   any script runs: on the dev machine (a bundle of 144) that is ~420 million instructions, four fifths of
 *   `node -e 0`, paid alike by node, flightdeck and newman. The figures above keep it, as a person there pays it.
 *
 * The built CLI (out/cli) runs as bin/flightdeck.js runs it: its `main`, which ends the process once the
 * output is written. Rounds rotate the order of the sides so drift hits each alike; medians.
 */

const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 21)
const ROOT = resolve(import.meta.dirname, '..')
const CLI_BUNDLE = resolve(process.env.BENCH_RUNNER_CLI ?? join(ROOT, 'out', 'cli', 'index.js'))
const RUN_TIMEOUT_MS = 30_000

/** Each process reports the CPU it used (user + system, ms) on stderr as it exits, after this mark. */
const CPU_MARK = '[bench] cpu_ms='
const REPORT_CPU = `process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('\\n${CPU_MARK}' + (u.userCPUTime + u.systemCPUTime) / 1000 + '\\n') }); `

/** The loader bin/flightdeck.js amounts to once it has picked the bundle (cli-entry.ts). */
const LOADER = { args: cliEntryArgs(CLI_BUNDLE, REPORT_CPU) }

interface Timed {
  ms: number
  /** CPU time the process used, user and system (NaN when it did not say). */
  cpuMs: number
  code: number | null
  stdout: string
  stderr: string
}

function timed(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  const start = performance.now()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
  return new Promise((res, rej) => {
    child.once('error', rej)
    child.once('close', (code) => {
      clearTimeout(timer)
      const at = stderr.lastIndexOf(`\n${CPU_MARK}`)
      const cpuMs = at < 0 ? NaN : Number.parseFloat(stderr.slice(at + CPU_MARK.length + 1))
      if (at >= 0) stderr = stderr.slice(0, at)
      res({ ms: performance.now() - start, cpuMs, code, stdout, stderr })
    })
  })
}

const cli = (args: string[]): Promise<Timed> => timed([...LOADER.args, ...args])

async function startServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'runner-server.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const port = await new Promise<string>((res, rej) => {
    rl.once('line', res)
    child.once('exit', () => rej(new Error('startup bench server exited')))
  })
  return { url: `http://127.0.0.1:${port}/hit`, stop: () => child.kill('SIGTERM') }
}

export async function benchStartup(): Promise<Record<string, number>> {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`no ${CLI_BUNDLE}: run \`npm run build\` before this bench`)
  const server = await startServer()
  try {
    const load = loadavg()[0] ?? 0
    const sides: [string, () => Promise<Timed>, (r: Timed) => boolean][] = [
      ['node -e 0', () => timed(['-e', `${REPORT_CPU}0`]), (r) => r.code === 0],
      ['flightdeck --help', () => cli(['--help']), (r) => r.code === 0 && r.stdout.includes('usage:')],
      [
        'flightdeck send',
        () => cli(['send', server.url]),
        (r) => r.code === 0 && r.stdout.includes('200 OK') && r.stderr === '',
      ],
    ]
    const extraCa = process.env.NODE_EXTRA_CA_CERTS
    if (extraCa) {
      const { NODE_EXTRA_CA_CERTS: _left, ...without } = process.env
      sides.push([
        'node -e 0 without NODE_EXTRA_CA_CERTS',
        () => timed(['-e', `${REPORT_CPU}0`], without),
        (r) => r.code === 0,
      ])
    }
    // Warm the OS file cache for node, the bundle and its chunks.
    for (const [name, run, ok] of sides) {
      const r = await run()
      if (!ok(r)) throw new Error(`${name} failed (exit ${r.code}): ${r.stderr.slice(-1000)}`)
    }
    const times: number[][] = sides.map(() => [])
    const cpu: number[][] = sides.map(() => [])
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < sides.length; k++) {
        const i = (k + round) % sides.length
        const [name, run, ok] = sides[i] as (typeof sides)[number]
        const r = await run()
        if (!ok(r)) throw new Error(`${name} failed (exit ${r.code}): ${r.stderr.slice(-1000)}`)
        times[i]?.push(r.ms)
        cpu[i]?.push(r.cpuMs)
      }
    }
    const [nodeMs, helpMs, sendMs, bareMs] = times.map((t) => median(t)) as [number, number, number, number?]
    const [nodeCpu, helpCpu, sendCpu, bareCpu] = cpu.map((t) => median(t)) as [
      number,
      number,
      number,
      number?,
    ]
    console.log(
      `cli start-up, spawn to exit, median of ${ROUNDS} rotated rounds (load average ${load.toFixed(1)}):`,
    )
    console.log(`  node -e 0          ${nodeMs.toFixed(0)} ms (CPU ${nodeCpu.toFixed(0)} ms)`)
    console.log(
      `  flightdeck --help  ${helpMs.toFixed(0)} ms (+${(helpMs - nodeMs).toFixed(0)} over node; target <= 120; CPU ${helpCpu.toFixed(0)} ms)`,
    )
    console.log(
      `  flightdeck send    ${sendMs.toFixed(0)} ms (+${(sendMs - nodeMs).toFixed(0)} over node; target <= 150; CPU ${sendCpu.toFixed(0)} ms)`,
    )
    if (bareMs !== undefined && bareCpu !== undefined)
      console.log(
        `  node -e 0 without NODE_EXTRA_CA_CERTS (${extraCa}): ${bareMs.toFixed(0)} ms (CPU ${bareCpu.toFixed(0)} ms): every process above pays the ${(nodeMs - bareMs).toFixed(0)} ms difference`,
      )
    return {
      ...(bareMs !== undefined && bareCpu !== undefined
        ? {
            'cli.node_no_extra_ca_ms': Math.round(bareMs),
            'cli.node_no_extra_ca_cpu_ms': Math.round(bareCpu),
          }
        : {}),
      'cli.help_ms': Math.round(helpMs),
      'cli.send_ms': Math.round(sendMs),
      'cli.node_ms': Math.round(nodeMs),
      'cli.help_cpu_ms': Math.round(helpCpu),
      'cli.send_cpu_ms': Math.round(sendCpu),
      'cli.node_cpu_ms': Math.round(nodeCpu),
      'cli.load_avg': Math.round(load * 10) / 10,
    }
  } finally {
    server.stop()
  }
}
