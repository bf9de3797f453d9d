import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Agent, request } from 'undici'
import { createEngineService } from '../src/engine/service'
import type { TimelineEvent } from '../src/shared/timeline'
import { median } from './paired'

/**
 * 30,000 GETs at concurrency 100 against a local server in another process: through the engine (full timing,
 * events flowing to a subscriber as a host would get them) and through bare undici `request()`, in paired
 * back-to-back rounds so both see the same machine state. Reports medians; the ratio is the median of the
 * per-round ratios, which is robust to the machine getting busier or quieter between rounds.
 *
 * Why the rounds are as they are: with 10,000 requests a round lasted ~0.3 s and the rounds' ratios swung
 * 0.6–1.1 on a quiet machine. A round that short is moved by anything: a young-generation collection of the
 * round before (the engine's 10,000 sessions, bodies and events) landing in the next, the other side's garbage,
 * a timer of the machine. So each round is 30,000 requests (~1 s), every round starts after a full collection
 * (both sides, so neither pays for the other's garbage), the order alternates, and the 103 Early Hints flood
 * (20 s of a child process at full speed) runs after the rounds, not just before them. Each side's CPU time
 * per request in this process is reported beside its rate: a figure the machine's load moves less than req/s.
 * The work per request is the same as ever: every request through the engine with full timing and events.
 */

const TOTAL = Number(process.env.BENCH_HTTP_TOTAL ?? 30_000)
const CONCURRENCY = 100
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 5)

/** A full collection between rounds (twice: the first may leave finalizers' garbage for the second). */
function collector(): () => void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  return () => {
    gc()
    gc()
  }
}

interface Round {
  /** Requests per second over the round. */
  rps: number
  /** CPU time of this process (every thread) per request, in µs. */
  cpuUs: number
}

/** One side's round, after a full collection, with its rate and its CPU time per request. */
async function timed(gc: () => void, run: () => Promise<number>): Promise<Round> {
  gc()
  const cpu = process.cpuUsage()
  const rps = await run()
  const used = process.cpuUsage(cpu)
  return { rps, cpuUs: (used.user + used.system) / TOTAL }
}

async function startServer(script = './http-server.mjs'): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [new URL(script, import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const port = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve)
    child.once('exit', () => reject(new Error('bench server exited')))
  })
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGTERM') }
}

async function runUndici(url: string): Promise<number> {
  const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 })
  let next = 0
  const start = performance.now()
  const worker = async (): Promise<void> => {
    while (next < TOTAL) {
      next++
      const res = await request(url, { dispatcher: agent })
      await res.body.text()
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const elapsed = performance.now() - start
  await agent.close()
  return (TOTAL / elapsed) * 1000
}

async function runEngine(url: string): Promise<number> {
  // A config folder of its own: the user's (or another run's) workspace would reopen and watch its collections
  // and rewrite workspace.json while the requests are timed, which is no part of an exchange.
  const configDir = mkdtempSync(join(tmpdir(), 'flightdeck-bench-http-'))
  const service = createEngineService({
    host: 'test',
    configDir,
    persistWorkspace: false,
    watchCollections: false,
    settings: { globalConcurrency: CONCURRENCY, perOriginConcurrency: CONCURRENCY },
  })
  let events = 0
  let finished = 0
  let failures = 0
  let resolveAll: () => void = () => undefined
  const all = new Promise<void>((r) => (resolveAll = r))
  service.subscribe((batch) => {
    events += batch.events.length
    for (const e of batch.events as TimelineEvent[]) {
      if (e.type === 'done' || e.type === 'error' || e.type === 'cancelled') {
        finished++
        if (e.type !== 'done') failures++
      }
    }
    if (finished >= TOTAL) resolveAll()
  })
  const spec = { method: 'GET', url, headers: [], body: { kind: 'none' as const }, options: {} }
  const start = performance.now()
  for (let sent = 0; sent < TOTAL; sent += 1000) {
    const r = await service.invoke('http.send', { request: spec, count: Math.min(1000, TOTAL - sent) })
    if (!r.ok) throw new Error(r.error.message)
  }
  const timeout = setTimeout(() => resolveAll(), 120_000)
  await all
  clearTimeout(timeout)
  const elapsed = performance.now() - start
  await service.dispose()
  rmSync(configDir, { recursive: true, force: true })
  if (finished < TOTAL) throw new Error(`engine finished only ${finished}/${TOTAL} requests in time`)
  if (failures > 0) throw new Error(`engine saw ${failures} failed requests`)
  if (events < TOTAL * 4) throw new Error(`expected full timeline events, saw ${events}`)
  return (TOTAL / elapsed) * 1000
}

/** How long the flood server sends 103s; the key's figure is for the default 20 s. */
const FLOOD_MS = Number(process.env.BENCH_FLOOD_MS ?? 20_000)
const FLOOD_CLI = new URL('../bin/flightdeck.js', import.meta.url).pathname

/** Peak resident set (VmHWM) of a running process, in KiB; null once it has gone (or off Linux). */
function peakRssKiB(pid: number): number | null {
  const status = `/proc/${pid}/status`
  if (!existsSync(status)) return null
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(status, 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

/**
 * `flightdeck send` (bin/flightdeck.js, as a person runs it) against a server that sends 103 Early Hints as fast
 * as the connection takes them for FLOOD_MS, then a 200: the CLI's peak RSS, sampled from /proc every 100 ms
 * until it exits (VmHWM only grows, so the last sample is the peak). Bounded: the child is killed at
 * FLOOD_MS + 60 s.
 */
export async function informationalFloodRssMb(): Promise<number> {
  const server = await startServer('./flood-server.mjs')
  try {
    const child = spawn(process.execPath, [FLOOD_CLI, 'send', server.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_FLOOD_MS: String(FLOOD_MS) },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    let peak = 0
    const sampler = setInterval(() => {
      const kib = child.pid === undefined ? null : peakRssKiB(child.pid)
      if (kib !== null) peak = Math.max(peak, kib)
    }, 100)
    const killer = setTimeout(() => child.kill('SIGKILL'), FLOOD_MS + 60_000)
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', resolve)
    })
    clearInterval(sampler)
    clearTimeout(killer)
    // Either the flood ends (FLOOD_MS) and the 200 arrives, or the engine's 1xx limit cuts it first, loudly.
    const cut = /sent (\d+) informational \(1xx\) responses and no final one/.exec(stderr)
    const interim = /^(\d+) informational \(1xx\) responses before the final one$/m.exec(stdout)
    if (code === 0 && !(interim && /^HTTP\/1\.1 200 OK$/m.test(stdout)))
      throw new Error(`unexpected output:\n${stdout}`)
    if (code !== 0 && !(code === 1 && cut))
      throw new Error(`flightdeck send exited ${code}: ${stderr.trim()}`)
    const count = Number((cut ?? interim)?.[1] ?? 0)
    const mb = Math.round(peak / 1024)
    console.log(
      `http: flightdeck send through up to ${(FLOOD_MS / 1000).toFixed(0)} s of 103 Early Hints (${count.toLocaleString('en-US')} of them, ${cut ? 'cut by the 1xx limit' : 'then the 200'}): peak RSS ${mb} MB (target < 300)`,
    )
    return mb
  } finally {
    server.stop()
  }
}

export async function benchHttp(): Promise<Record<string, number>> {
  const gc = collector()
  const server = await startServer()
  let result: Record<string, number>
  try {
    // Warm both paths (JIT, connections) before measuring.
    await runUndici(server.url)
    await runEngine(server.url)
    const undici: Round[] = []
    const engine: Round[] = []
    const ratios: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      // Paired rounds, back to back, so both see the same machine; alternate which goes first.
      let u: Round
      let e: Round
      if (i % 2 === 0) {
        u = await timed(gc, () => runUndici(server.url))
        e = await timed(gc, () => runEngine(server.url))
      } else {
        e = await timed(gc, () => runEngine(server.url))
        u = await timed(gc, () => runUndici(server.url))
      }
      console.log(
        `  round ${i + 1}: undici ${u.rps.toFixed(0)} req/s (${u.cpuUs.toFixed(1)} µs CPU/request), engine ${e.rps.toFixed(0)} req/s (${e.cpuUs.toFixed(1)} µs), ratio ${(e.rps / u.rps).toFixed(3)}`,
      )
      undici.push(u)
      engine.push(e)
      ratios.push(e.rps / u.rps)
    }
    const ratio = median(ratios)
    const medUndici = median(undici.map((r) => r.rps))
    const medEngine = median(engine.map((r) => r.rps))
    const cpuUndici = median(undici.map((r) => r.cpuUs))
    const cpuEngine = median(engine.map((r) => r.cpuUs))
    console.log(`http: ${TOTAL} GETs at concurrency ${CONCURRENCY}, median of ${ROUNDS} paired rounds`)
    console.log(
      `  bare undici request(): ${medUndici.toFixed(0)} req/s, ${cpuUndici.toFixed(1)} µs CPU/request`,
    )
    console.log(
      `  Flightdeck engine:     ${medEngine.toFixed(0)} req/s, ${cpuEngine.toFixed(1)} µs CPU/request (full timing + events)`,
    )
    console.log(`  ratio engine/undici:   ${ratio.toFixed(3)} (target >= 0.9)`)
    result = {
      'http.engine_rps': Math.round(medEngine),
      'http.undici_rps': Math.round(medUndici),
      'http.engine_vs_undici': Math.round(ratio * 1000) / 1000,
      'http.engine_cpu_us_per_request': Math.round(cpuEngine * 10) / 10,
      'http.undici_cpu_us_per_request': Math.round(cpuUndici * 10) / 10,
    }
  } finally {
    server.stop()
  }
  // Its own server and process, after the throughput rounds (which want a quiet machine).
  return { ...result, 'http.informational_flood_rss_mb': await informationalFloodRssMb() }
}
