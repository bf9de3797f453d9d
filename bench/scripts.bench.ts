import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { JsonRunReport } from '../src/cli/run-report'
import { cliEntryArgs } from './cli-entry'
import { median, paired } from './paired'
import { startServer, type Server } from './runner-peers'

/**
 * Scripts, against newman, in one run on one machine, against one local server in its own process
 * (runner-server.mjs, which counts what it serves):
 *
 * - `scripts.vs_newman`: a 1,000-request collection whose every request carries a test script with a `pm.test`
 *   and a `pm.environment.set` (kept untranslated, so Flightdeck runs it in its QuickJS sandbox), through the
 *   built CLI's `flightdeck run <dir> --concurrency 50` (spawn to exit) versus newman (Node API, in this
 *   process, warmed up) on the same requests with the same script. Paired rounds, median ratio. Both are
 *   checked: every request reached the server, every script test passed.
 * - `scripts.overhead_ms`: the median time of a request's test-script phase as the engine sees it (from handing
 *   it to the worker pool to its report back: the hop to the worker, the sandbox call, the report), read from
 *   run.json of a `--concurrency 1` run, so no phase waits behind another. `scripts.phase_ms_c50` is the same
 *   at `--concurrency 50`, where phases queue for the sandbox's worker.
 */

const REQUESTS = 1000
const CONCURRENCY = 50
const ROUNDS = Number(process.env.BENCH_SCRIPTS_ROUNDS ?? 3)
const RUN_TIMEOUT_MS = 180_000
const ROOT = resolve(import.meta.dirname, '..')
const CLI_BUNDLE = resolve(process.env.BENCH_RUNNER_CLI ?? join(ROOT, 'out', 'cli', 'index.js'))

const SCRIPT = [
  'pm.test("status is 200", function () {',
  '    pm.response.to.have.status(200);',
  '});',
  'pm.environment.set("lastNote", pm.response.json().note);',
]

/** The collection in Flightdeck's format: each request keeps its script untranslated, so it runs as script. */
function writeCollection(dir: string, baseUrl: string, requests: number): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Scripts bench\nvariables:\n  baseUrl: ${baseUrl}\n`,
  )
  const script = SCRIPT.map((l) => `    ${l}`).join('\n')
  for (let i = 0; i < requests; i++)
    writeFileSync(
      join(dir, `item-${String(i).padStart(4, '0')}.yaml`),
      `name: Item ${i}\nmethod: GET\nurl: "{{baseUrl}}/items/${i}"\nscripts:\n  test: |\n${script}\n  translated: false\n`,
    )
}

/** The same requests and script as a Postman v2.1 collection. */
function postmanCollection(baseUrl: string, requests: number): unknown {
  return {
    info: {
      name: 'Scripts bench',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    item: Array.from({ length: requests }, (_, i) => ({
      name: `Item ${i}`,
      request: { method: 'GET', url: `${baseUrl}/items/${i}` },
      event: [{ listen: 'test', script: { type: 'text/javascript', exec: SCRIPT } }],
    })),
  }
}

function runCli(args: string[]): Promise<{ ms: number; code: number | null; out: string }> {
  const start = performance.now()
  const child = spawn(process.execPath, [...cliEntryArgs(CLI_BUNDLE), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
  return new Promise((res, rej) => {
    child.once('error', rej)
    child.once('close', (code) => {
      clearTimeout(timer)
      res({ ms: performance.now() - start, code, out })
    })
  })
}

/** One `flightdeck run`, checked; answers requests/s (spawn to exit) and the run.json it wrote. */
async function runFlightdeck(
  server: Server,
  dir: string,
  out: string,
  concurrency: number,
): Promise<{ rate: number; report: JsonRunReport }> {
  await server.take()
  const r = await runCli([
    'run',
    dir,
    '--concurrency',
    String(concurrency),
    '--reporter',
    'json',
    '--out',
    out,
  ])
  const seen = await server.take()
  if (r.code !== 0) throw new Error(`flightdeck run exited ${r.code}:\n${r.out.slice(-2000)}`)
  const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
  const tests = report.results.flatMap((x) => x.scripts?.post?.tests ?? [])
  if (tests.length !== REQUESTS || tests.some((t) => !t.passed))
    throw new Error(
      `flightdeck run: ${tests.filter((t) => t.passed).length} of ${REQUESTS} script tests passed`,
    )
  if (seen.requests !== REQUESTS)
    throw new Error(`flightdeck run: the server saw ${seen.requests} requests, expected ${REQUESTS}`)
  return { rate: (REQUESTS / r.ms) * 1000, report }
}

interface NewmanSummary {
  run: {
    stats: { requests: { total: number; failed: number }; assertions: { total: number; failed: number } }
  }
}
type NewmanRun = (
  options: { collection: unknown; reporters: string[]; timeout?: number },
  done: (err: Error | null, summary: NewmanSummary) => void,
) => unknown
const require = createRequire(import.meta.url)
const newman = (): { run: NewmanRun } => require('newman') as { run: NewmanRun }

async function runNewman(server: Server, collection: unknown, expected: number): Promise<number> {
  await server.take()
  const start = performance.now()
  const summary = await new Promise<NewmanSummary>((res, rej) => {
    newman().run({ collection, reporters: [], timeout: RUN_TIMEOUT_MS }, (err, s) =>
      err ? rej(err) : res(s),
    )
  })
  const ms = performance.now() - start
  const seen = await server.take()
  const { requests, assertions } = summary.run.stats
  if (requests.total !== expected || assertions.total !== expected || assertions.failed !== 0)
    throw new Error(
      `newman: ${requests.total} requests, ${assertions.failed} of ${assertions.total} tests failed`,
    )
  if (seen.requests !== expected) throw new Error(`newman: the server saw ${seen.requests} of ${expected}`)
  return (expected / ms) * 1000
}

function phaseTimes(report: JsonRunReport): number[] {
  return report.results.flatMap((r) => (r.scripts?.post ? [r.scripts.post.end - r.scripts.post.start] : []))
}

export async function benchScripts(): Promise<Record<string, number>> {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`no ${CLI_BUNDLE}: run \`npm run build\` before this bench`)
  const server = await startServer()
  const tmp = mkdtempSync(join(tmpdir(), 'fd-bench-scripts-'))
  try {
    const dir = join(tmp, 'thousand')
    const out = join(tmp, 'out')
    writeCollection(dir, server.url, REQUESTS)
    const collection = postmanCollection(server.url, REQUESTS)
    // Warm-ups: the OS file cache for the CLI bundle and QuickJS, newman's modules and sandbox.
    await runFlightdeck(server, dir, out, CONCURRENCY)
    await runNewman(server, postmanCollection(server.url, 50), 50)

    const one = await runFlightdeck(server, dir, out, 1)
    const overhead = median(phaseTimes(one.report))
    console.log(`  scripts.overhead_ms ${overhead.toFixed(3)} (median test-script phase, --concurrency 1)`)
    let c50: number[] = []
    const r = await paired(
      'scripts.vs_newman',
      ROUNDS,
      {
        name: 'flightdeck',
        run: async () => {
          const x = await runFlightdeck(server, dir, out, CONCURRENCY)
          c50 = phaseTimes(x.report)
          return x.rate
        },
      },
      { name: 'newman', run: () => runNewman(server, collection, REQUESTS) },
    )
    const phaseC50 = median(c50)
    console.log(`  scripts.phase_ms_c50 ${phaseC50.toFixed(3)} (median test-script phase, --concurrency 50)`)
    return {
      'scripts.vs_newman': Math.round(r.ratio * 100) / 100,
      'scripts.flightdeck_rps': Math.round(r.a),
      'scripts.newman_rps': Math.round(r.b),
      'scripts.overhead_ms': Math.round(overhead * 1000) / 1000,
      'scripts.phase_ms_c50': Math.round(phaseC50 * 1000) / 1000,
    }
  } finally {
    server.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
}
