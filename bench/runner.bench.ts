import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { cliEntryArgs } from './cli-entry'
import { median, paired, type Side } from './paired'
import { countRequests, exportPostman, writeCollection, writeOneRequest } from './runner-collection'
import { newmanPeakRss, peerRate, RUN_TIMEOUT_MS, runNewman, startServer, type Server } from './runner-peers'

/**
 * The runner against its peers, in one run, on one machine, against one local server in its own process
 * (runner-server.mjs, which counts what it serves):
 *
 * - `runner.vs_newman`: a 1,000-request collection (1,000 request files in 10 folders, each asserting status
 *   200) through `flightdeck run <dir> --concurrency 50` (the built CLI in a child process, timed from spawn to
 *   exit, so process start, collection load and the final report are all in) versus Postman's newman (Node
 *   API, in this process, warmed up) running Flightdeck's own Postman v2.1 export of the same folder, which carries each request's
 *   status assertion as a `pm.test`, so both tools check every response. Newman has no
 *   concurrency: it runs a collection one request at a time, which is most of the difference.
 * - `runner.vs_autocannon`: one request with `--iterations N --concurrency 50` versus autocannon with 50
 *   connections and `amount: N` (a load generator that checks nothing), paired rounds, median ratio. Each
 *   tool runs in a fresh process of its own (both start cold), and both rates are the run's own: requests
 *   over the time from the run's start to its last answer, without process start-up (flightdeck reports it;
 *   bench/peer-run.mjs times it, since autocannon's own callback waits for its next whole-second tick).
 *   `runner.vs_autocannon_with_startup` uses flightdeck's spawn-to-exit time instead.
 * - `runner.vs_undici`: the same flightdeck run against bare undici (the engine's HTTP library: 50 loops of
 *   `request()` reading each body, in a fresh process, timed the same way): what the runner costs over it.
 * - `runner.vs_undici_dispatch`: the same run against undici's bare `dispatch()` with a handler that keeps
 *   nothing (no body stream, no parsed headers): the library's own ceiling, so how near autocannon a runner on
 *   undici can come at all.
 *
 * Every run is checked at the server (each request arrived, each of the 1,000 paths once) and by the tool
 * (exit code 0 / newman's assertion count): a fast run that skipped work would not count.
 */

const REQUESTS = 1000
const FOLDERS = 10
const CONCURRENCY = 50
const ITERATIONS = Number(process.env.BENCH_RUNNER_ITERATIONS ?? 20_000)
/** Paired rounds: newman takes ~20 s a round, so three; the raw rounds are short, so five (the machine is noisy). */
const ROUNDS = Number(process.env.BENCH_RUNNER_ROUNDS ?? 3)
const RAW_ROUNDS = Number(process.env.BENCH_RUNNER_RAW_ROUNDS ?? 5)
/** One-request runs timed for `runner.cli_one_request_ms` (their median). */
const STARTUP_ROUNDS = Number(process.env.BENCH_RUNNER_STARTUP_ROUNDS ?? 9)

const ROOT = resolve(import.meta.dirname, '..')
/** The built CLI (`npm run build`); BENCH_RUNNER_CLI points at another bundle of src/cli/index.ts. */
const CLI_BUNDLE = resolve(process.env.BENCH_RUNNER_CLI ?? join(ROOT, 'out', 'cli', 'index.js'))

// ------------------------------------------------------------------------------------------------ flightdeck

interface CliRun {
  ms: number
  code: number | null
  stdout: string
  stderr: string
  /** Peak resident set size in MB. */
  peakRssMb: number
  /** CPU time the process used, user + system, in ms (all its threads). */
  cpuMs: number
}

const RSS_MARK = '[bench] maxrss_kb='

/**
 * The built CLI in its own process, as `flightdeck …` runs it (bin/flightdeck.js does the same import and calls
 * the same `main`); its peak RSS (getrusage's maxrss) is reported on stderr as it exits.
 */
function runCli(args: string[]): Promise<CliRun> {
  const report = `process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('\\n${RSS_MARK}' + u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime) / 1000 + '\\n') }); `
  const start = performance.now()
  const child = spawn(process.execPath, [...cliEntryArgs(CLI_BUNDLE, report), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
  return new Promise((res, rej) => {
    child.once('error', rej)
    child.once('close', (code) => {
      clearTimeout(timer)
      const at = stderr.lastIndexOf(`\n${RSS_MARK}`)
      const [rss, cpu] =
        at < 0
          ? []
          : stderr
              .slice(at + RSS_MARK.length + 1)
              .trim()
              .split(' ')
      const peakRssMb = rss === undefined ? NaN : Number.parseInt(rss, 10) / 1024
      const cpuMs = cpu === undefined ? NaN : Number.parseFloat(cpu)
      if (at >= 0) stderr = stderr.slice(0, at)
      res({ ms: performance.now() - start, code, stdout, stderr, peakRssMb, cpuMs })
    })
  })
}

async function checkCli(): Promise<void> {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`no ${CLI_BUNDLE}: run \`npm run build\` before this bench`)
  const help = await runCli(['run', '--help'])
  if (help.code !== 0 || !help.stdout.includes('flightdeck run'))
    throw new Error(`${CLI_BUNDLE} has no \`run\` command yet: run \`npm run build\` (${help.stderr.trim()})`)
  // The bench measures the bundle, not the source: say so when the source has moved on since the build.
  const built = statSync(CLI_BUNDLE).mtimeMs
  const newer = ['cli', 'engine', 'shared']
    .map((d) => newestSource(join(ROOT, 'src', d), 0))
    .reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a))
  if (newer.mtimeMs > built)
    console.log(`  note: ${newer.path} is newer than ${CLI_BUNDLE}; \`npm run build\` to measure it`)
}

function newestSource(dir: string, depth: number): { path: string; mtimeMs: number } {
  let best = { path: '', mtimeMs: 0 }
  if (depth > 8) return best
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const found = entry.isDirectory()
      ? newestSource(path, depth + 1)
      : entry.name.endsWith('.ts')
        ? { path, mtimeMs: statSync(path).mtimeMs }
        : best
    if (found.mtimeMs > best.mtimeMs) best = found
  }
  return best
}

/**
 * `flightdeck run`, timed from spawn to exit, checked by its exit code, its summary line and the server. The
 * rate the CLI reports for the run alone (without process start, collection load and report) goes into
 * `inRun`, to show where the wall time goes.
 */
async function runFlightdeck(
  server: Server,
  args: string[],
  expected: number,
  distinctPaths: number,
  inRun: number[],
  peakRssMb?: number[],
): Promise<number> {
  await server.take()
  const r = await runCli(['run', ...args, '--concurrency', String(CONCURRENCY)])
  peakRssMb?.push(r.peakRssMb)
  const seen = await server.take()
  const what = `flightdeck run ${args.join(' ')}`
  if (r.code !== 0)
    throw new Error(`${what} exited ${r.code}:\n${r.stderr.slice(-2000)}\n${r.stdout.slice(-2000)}`)
  const summary = /(\d+) passed, (\d+) failed/.exec(r.stdout)
  if (summary && (Number(summary[1]) !== expected || Number(summary[2]) !== 0))
    throw new Error(`${what}: expected ${expected} passed, the report says: ${summary[0]}`)
  const reported = / ([\d.]+) req\/s/.exec(r.stdout)
  if (reported) inRun.push(Number(reported[1]))
  if (seen.requests !== expected || seen.paths !== distinctPaths)
    throw new Error(
      `${what}: the server saw ${seen.requests} requests on ${seen.paths} paths, expected ${expected} on ${distinctPaths}`,
    )
  return (expected / r.ms) * 1000
}

// ------------------------------------------------------------------------------------------------ bench

export async function benchRunner(): Promise<Record<string, number>> {
  await checkCli()
  const server = await startServer()
  const tmp = mkdtempSync(join(tmpdir(), 'fd-bench-runner-'))
  try {
    const big = join(tmp, 'thousand')
    const single = join(tmp, 'single')
    const warm = join(tmp, 'warm')
    writeCollection(big, 'Runner bench', server.url, REQUESTS, FOLDERS)
    writeCollection(warm, 'Warm-up', server.url, 50, 0)
    writeOneRequest(single, server.url)

    const postman = await exportPostman(big)
    const exported = countRequests(postman.item)
    if (exported !== REQUESTS)
      throw new Error(`the Postman export has ${exported} requests, expected ${REQUESTS}`)
    const warmPostman = await exportPostman(warm)

    // Warm-ups: the OS file cache for the CLI bundle and autocannon's modules, newman's modules and sandbox.
    await runFlightdeck(server, [warm], 50, 50, [])
    await runNewman(server, warmPostman, 50)
    await peerRate(server, 'autocannon', 2000, CONCURRENCY, [])
    await peerRate(server, 'undici', 2000, CONCURRENCY, [])
    await peerRate(server, 'undici-dispatch', 2000, CONCURRENCY, [])

    // A process that runs one request: what every `flightdeck run` pays before its first request. A single
    // spawn moves by half on a shared machine: the median of several, with their CPU time beside it.
    const load = loadavg()[0] ?? 0
    const startupMs: number[] = []
    const startupCpu: number[] = []
    for (let i = 0; i < STARTUP_ROUNDS; i++) {
      await server.take()
      const one = await runCli(['run', single, '--iterations', '1'])
      if (one.code !== 0) throw new Error(`flightdeck run (one request) exited ${one.code}: ${one.stderr}`)
      startupMs.push(one.ms)
      startupCpu.push(one.cpuMs)
    }

    const collectionInRun: number[] = []
    const collectionRss: number[] = []
    const rawInRun: number[] = []
    console.log(
      `runner: a ${REQUESTS}-request collection (status assertion on each), concurrency ${CONCURRENCY}`,
    )
    const vsNewman = await paired(
      'collection',
      ROUNDS,
      {
        name: 'flightdeck',
        run: () => runFlightdeck(server, [big], REQUESTS, REQUESTS, collectionInRun, collectionRss),
      },
      { name: 'newman', run: () => runNewman(server, postman, REQUESTS) },
      'req/s',
    )
    const newmanRss = await newmanPeakRss(server, postman, tmp, REQUESTS)
    console.log(`runner: one request x ${ITERATIONS} iterations, concurrency ${CONCURRENCY}`)
    const rawSpawn: number[] = []
    const autocannonRounded: number[] = []
    const flightdeckRaw: Side = {
      name: 'flightdeck',
      run: async () => {
        const before = rawInRun.length
        rawSpawn.push(
          await runFlightdeck(server, [single, '--iterations', String(ITERATIONS)], ITERATIONS, 1, rawInRun),
        )
        const own = rawInRun[before]
        if (own === undefined) throw new Error('flightdeck run printed no req/s figure')
        return own
      },
    }
    const vsAutocannon = await paired(
      'raw',
      RAW_ROUNDS,
      flightdeckRaw,
      {
        name: 'autocannon',
        run: () => peerRate(server, 'autocannon', ITERATIONS, CONCURRENCY, autocannonRounded),
      },
      'req/s',
    )
    // The same run against its own HTTP library with nothing around it: what the runner adds over undici.
    const vsUndici = await paired(
      'raw vs undici',
      RAW_ROUNDS,
      flightdeckRaw,
      { name: 'undici', run: () => peerRate(server, 'undici', ITERATIONS, CONCURRENCY, []) },
      'req/s',
    )
    const vsDispatch = await paired(
      'raw vs undici dispatch',
      RAW_ROUNDS,
      flightdeckRaw,
      {
        name: 'undici dispatch',
        run: () => peerRate(server, 'undici-dispatch', ITERATIONS, CONCURRENCY, []),
      },
      'req/s',
    )

    console.log(
      `runner: medians of ${ROUNDS} and ${RAW_ROUNDS} paired rounds; flightdeck timed from process spawn to exit`,
    )
    console.log(
      `  flightdeck run, one request, process start to exit: ${median(startupMs).toFixed(0)} ms (CPU ${median(startupCpu).toFixed(0)} ms; median of ${STARTUP_ROUNDS}, load average ${load.toFixed(1)} at the start)`,
    )
    console.log(`  ${REQUESTS}-request collection: flightdeck ${vsNewman.a.toFixed(0)} req/s`)
    console.log(`  ${REQUESTS}-request collection: newman     ${vsNewman.b.toFixed(0)} req/s (one at a time)`)
    console.log(`  ratio flightdeck/newman:     ${vsNewman.ratio.toFixed(2)} (target >= 20)`)
    console.log(
      `  peak RSS on it: flightdeck run ${median(collectionRss).toFixed(0)} MB, newman ${newmanRss.toFixed(0)} MB (its own process, same collection)`,
    )
    if (collectionInRun.length > 0)
      console.log(`  (the run alone, as flightdeck reports it: ${median(collectionInRun).toFixed(0)} req/s)`)
    console.log(`  one request x ${ITERATIONS}: flightdeck ${vsAutocannon.a.toFixed(0)} req/s`)
    console.log(`  one request x ${ITERATIONS}: autocannon ${vsAutocannon.b.toFixed(0)} req/s`)
    console.log(`  ratio flightdeck/autocannon: ${vsAutocannon.ratio.toFixed(3)} (target >= 0.9)`)
    console.log(
      `  one request x ${ITERATIONS}: bare undici ${vsUndici.b.toFixed(0)} req/s, ratio ${vsUndici.ratio.toFixed(3)}`,
    )
    console.log(
      `  one request x ${ITERATIONS}: bare undici dispatch() ${vsDispatch.b.toFixed(0)} req/s, ratio ${vsDispatch.ratio.toFixed(3)}; its own over autocannon ${(vsDispatch.b / vsAutocannon.b).toFixed(3)}`,
    )
    console.log(
      `  (autocannon timed to its callback, which waits for its next whole-second tick: ${median(autocannonRounded).toFixed(0)} req/s, ratio ${(vsAutocannon.a / median(autocannonRounded)).toFixed(3)}; how this key was measured before 2026-12-05)`,
    )
    console.log(
      `  (with flightdeck's process start, spawn to exit: ${median(rawSpawn).toFixed(0)} req/s, ratio ${(median(rawSpawn) / vsAutocannon.b).toFixed(3)})`,
    )
    if (rawInRun.length > 0)
      console.log(`  (the run alone, as flightdeck reports it: ${median(rawInRun).toFixed(0)} req/s)`)
    return {
      'runner.vs_newman': Math.round(vsNewman.ratio * 100) / 100,
      'runner.vs_autocannon': Math.round(vsAutocannon.ratio * 1000) / 1000,
      'runner.vs_autocannon_with_startup': Math.round((median(rawSpawn) / vsAutocannon.b) * 1000) / 1000,
      'runner.flightdeck_rps': Math.round(vsAutocannon.a),
      'runner.flightdeck_collection_rps': Math.round(vsNewman.a),
      'runner.newman_rps': Math.round(vsNewman.b),
      'runner.autocannon_rps': Math.round(vsAutocannon.b),
      'runner.autocannon_whole_second_rps': Math.round(median(autocannonRounded)),
      'runner.vs_undici': Math.round(vsUndici.ratio * 1000) / 1000,
      'runner.undici_rps': Math.round(vsUndici.b),
      'runner.vs_undici_dispatch': Math.round(vsDispatch.ratio * 1000) / 1000,
      'runner.undici_dispatch_rps': Math.round(vsDispatch.b),
      'runner.cli_one_request_ms': Math.round(median(startupMs)),
      'runner.cli_one_request_cpu_ms': Math.round(median(startupCpu)),
      'runner.load_avg': Math.round(load * 10) / 10,
      'runner.peak_rss_mb': Math.round(median(collectionRss)),
      'runner.newman_peak_rss_mb': Math.round(newmanRss),
      ...(rawInRun.length > 0 ? { 'runner.flightdeck_run_only_rps': Math.round(median(rawInRun)) } : {}),
    }
  } finally {
    server.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
}
