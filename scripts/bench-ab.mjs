// Two builds of the CLI, paired round by round in one process run: `node scripts/bench-ab.mjs A/index.js
// B/index.js` (private builds: `node scripts/build-node.mjs --cli-only .flightdeck-tmp/<you>/<name>`). Each round
// runs the same commands through A and then B (the order alternating round by round) against one local server in
// its own process (bench/runner-server.mjs, which counts what it serves): `flightdeck run` of a 1,000-request
// collection at concurrency 50, a one-request `flightdeck run`, and `flightdeck send <url>`, each spawn to exit.
// It prints, per command, each build's median wall time and CPU time (user + system, all threads, from the
// process's own resource usage), and the median of the per-round B/A ratios: on a shared, loaded machine the
// CPU time and the paired ratio move far less than wall time alone. `--callgrind` also counts each command's
// instructions once per build under valgrind (the same whatever the machine's load; ~50x slower).
//
// Options: --rounds N (default 11), --only run|one|send (repeatable), --callgrind.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'

const ROOT = resolve(import.meta.dirname, '..')
const REQUESTS = 1000
const FOLDERS = 10
const RUN_TIMEOUT_MS = 120_000
const MAX_ROUNDS = 200

function parseArgs(argv) {
  const builds = []
  const only = []
  let rounds = 11
  let callgrind = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--rounds') rounds = Number(argv[++i])
    else if (a === '--only') only.push(argv[++i])
    else if (a === '--callgrind') callgrind = true
    else builds.push(resolve(a))
  }
  if (builds.length !== 2)
    throw new Error(
      'usage: bench-ab.mjs A/index.js B/index.js [--rounds N] [--only run|one|send] [--callgrind]',
    )
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS)
    throw new Error(`--rounds: 1 to ${MAX_ROUNDS}`)
  return { builds, only, rounds, callgrind }
}

// ------------------------------------------------------------------------------------------------ server

async function startServer() {
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'runner-server.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const port = await new Promise((res, rej) => {
    rl.once('line', res)
    child.once('exit', () => rej(new Error('the bench server exited')))
  })
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    take: async () => (await fetch(`${url}/__reset`)).json(),
    stop: () => child.kill('SIGTERM'),
  }
}

// ------------------------------------------------------------------------------------------------ collections

/** A request file as the runner bench writes it (its YAML written out here, not through the engine's writer). */
function requestYaml(name, path) {
  return [
    `name: ${name}`,
    'method: GET',
    `url: "{{baseUrl}}${path}"`,
    'headers:',
    '  - name: Accept',
    '    value: application/json',
    'assertions:',
    '  - kind: status',
    '    equals: 200',
    '',
  ].join('\n')
}

function writeCollection(dir, baseUrl, requests, folders) {
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: A/B bench\nvariables:\n  baseUrl: ${baseUrl}\n`,
  )
  for (let f = 0; f < folders; f++) mkdirSync(join(dir, `folder-${f}`))
  for (let i = 0; i < requests; i++) {
    const where = folders > 0 ? join(dir, `folder-${i % folders}`) : dir
    writeFileSync(join(where, `item-${i}.yaml`), requestYaml(`Item ${i}`, `/items/${i}`))
  }
}

// ------------------------------------------------------------------------------------------------ runs

const MARK = '[bench-ab] '
const REPORT = `process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('\\n${MARK}' + (u.userCPUTime + u.systemCPUTime) / 1000 + ' ' + u.maxRSS + '\\n') }); `

/**
 * Node's arguments that start a bundle as bin/flightdeck.js does (requiring its CommonJS entry, index.cjs, then
 * `main`; a build older than that entry is imported as its ES module), saying its CPU time as it exits.
 */
function entryArgs(bundle) {
  const commonjs = bundle.replace(/\.js$/, '.cjs')
  if (existsSync(commonjs))
    return ['-e', `${REPORT}require(process.argv[1]).main(process.argv.slice(2))`, commonjs]
  return [
    '--input-type=module',
    '-e',
    `${REPORT}const cli = await import(process.argv[1]); await cli.main(process.argv.slice(2))`,
    bundle,
  ]
}

function runOnce(bundle, args) {
  const start = performance.now()
  const child = spawn(process.execPath, [...entryArgs(bundle), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
  return new Promise((res, rej) => {
    child.once('error', rej)
    child.once('close', (code) => {
      clearTimeout(timer)
      const ms = performance.now() - start
      const at = stderr.lastIndexOf(`\n${MARK}`)
      const [cpu, rss] =
        at < 0
          ? []
          : stderr
              .slice(at + MARK.length + 1)
              .trim()
              .split(' ')
      res({
        ms,
        cpuMs: Number(cpu),
        rssMb: Number(rss) / 1024,
        code,
        stdout,
        stderr: at < 0 ? stderr : stderr.slice(0, at),
      })
    })
  })
}

/** One command through one build, checked by its exit code and at the server. */
async function measure(server, bundle, command) {
  await server.take()
  const r = await runOnce(bundle, command.args)
  const seen = await server.take()
  if (r.code !== 0)
    throw new Error(`${bundle} ${command.args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-2000)}`)
  if (seen.requests !== command.requests)
    throw new Error(`${command.name}: the server saw ${seen.requests} requests, expected ${command.requests}`)
  return r
}

function instructions(bundle, command) {
  const r = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      process.execPath,
      ...entryArgs(bundle),
      ...command.args,
    ],
    { encoding: 'utf8', timeout: 20 * RUN_TIMEOUT_MS },
  )
  const m = /Collected : (\d+)/.exec(r.stderr ?? '')
  if (r.status !== 0 || !m)
    throw new Error(`valgrind ${command.name}: ${r.error?.message ?? r.stderr?.slice(-1000)}`)
  return Number(m[1])
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

// ------------------------------------------------------------------------------------------------ main

async function main() {
  const { builds, only, rounds, callgrind } = parseArgs(process.argv.slice(2))
  const server = await startServer()
  const tmp = mkdtempSync(join(tmpdir(), 'fd-bench-ab-'))
  try {
    const thousand = join(tmp, 'thousand')
    const single = join(tmp, 'single')
    writeCollection(thousand, server.url, REQUESTS, FOLDERS)
    writeCollection(single, server.url, 1, 0)
    const commands = [
      {
        name: 'run',
        what: `run of ${REQUESTS} requests, concurrency 50`,
        args: ['run', thousand, '--concurrency', '50'],
        requests: REQUESTS,
      },
      { name: 'one', what: 'run of one request', args: ['run', single, '--iterations', '1'], requests: 1 },
      { name: 'send', what: 'send of one request', args: ['send', `${server.url}/hit`], requests: 1 },
    ].filter((c) => only.length === 0 || only.includes(c.name))
    // Warm-ups: the file cache and each build's code cache (made by its first start).
    for (const c of commands) for (const b of builds) for (let i = 0; i < 2; i++) await measure(server, b, c)
    const load = loadavg()[0]
    const results = commands.map(() => ({ a: [], b: [], ratioMs: [], ratioCpu: [], rssA: [], rssB: [] }))
    for (let round = 0; round < rounds; round++) {
      for (const [i, c] of commands.entries()) {
        const order = round % 2 === 0 ? [0, 1] : [1, 0]
        const got = []
        for (const which of order) got[which] = await measure(server, builds[which], c)
        const r = results[i]
        r.a.push(got[0])
        r.b.push(got[1])
        r.ratioMs.push(got[1].ms / got[0].ms)
        r.ratioCpu.push(got[1].cpuMs / got[0].cpuMs)
      }
    }
    console.log(`A: ${builds[0]}\nB: ${builds[1]}`)
    console.log(
      `${rounds} paired rounds, load average ${load.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
    )
    for (const [i, c] of commands.entries()) {
      const r = results[i]
      const side = (xs) =>
        `${median(xs.map((x) => x.ms)).toFixed(0)} ms (CPU ${median(xs.map((x) => x.cpuMs)).toFixed(0)} ms, peak RSS ${median(xs.map((x) => x.rssMb)).toFixed(0)} MB)`
      console.log(`${c.what}:`)
      console.log(`  A ${side(r.a)}`)
      console.log(`  B ${side(r.b)}`)
      console.log(
        `  B/A: wall ${median(r.ratioMs).toFixed(3)} (rounds ${Math.min(...r.ratioMs).toFixed(2)}-${Math.max(...r.ratioMs).toFixed(2)}), CPU ${median(r.ratioCpu).toFixed(3)} (rounds ${Math.min(...r.ratioCpu).toFixed(2)}-${Math.max(...r.ratioCpu).toFixed(2)})`,
      )
      if (callgrind) {
        const [ia, ib] = builds.map((b) => instructions(b, c))
        console.log(
          `  instructions (callgrind, one run each): A ${(ia / 1e6).toFixed(0)}M, B ${(ib / 1e6).toFixed(0)}M, B/A ${(ib / ia).toFixed(3)}`,
        )
      }
    }
  } finally {
    server.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  },
)
