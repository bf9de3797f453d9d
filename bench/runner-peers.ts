import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'

/**
 * What the runner bench measures flightdeck against: the local server every tool talks to (runner-server.mjs,
 * in its own process, counting what it serves) and the peer tools — newman on the Postman export, autocannon,
 * bare undici `request()` and bare undici `dispatch()` on one request, each peer checked at its end and at the
 * server.
 */

/** Longest any single run may take before the bench gives up on it. */
export const RUN_TIMEOUT_MS = 180_000

// ------------------------------------------------------------------------------------------------ server

export interface Server {
  url: string
  /** What the server saw since the last call, then zeroed. */
  take(): Promise<{ requests: number; paths: number }>
  stop(): void
}

export async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'runner-server.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const port = await new Promise<string>((res, rej) => {
    rl.once('line', res)
    child.once('exit', () => rej(new Error('runner bench server exited')))
  })
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    take: async () => {
      const r = await fetch(`${url}/__reset`)
      return (await r.json()) as { requests: number; paths: number }
    },
    stop: () => child.kill('SIGTERM'),
  }
}

export type PostmanItem = { name: string; item?: PostmanItem[]; request?: unknown; event?: unknown[] }
export interface PostmanCollection {
  item: PostmanItem[]
}

// ------------------------------------------------------------------------------------------------ peers

interface NewmanSummary {
  run: {
    stats: {
      requests: { total: number; failed: number }
      assertions: { total: number; failed: number }
    }
    failures: unknown[]
  }
}
type NewmanRun = (
  options: { collection: unknown; reporters: string[]; timeout?: number },
  done: (err: Error | null, summary: NewmanSummary) => void,
) => unknown
/** The load generators bench/peer-run.mjs runs: autocannon, undici's `request()`, undici's bare `dispatch()`. */
export type PeerTool = 'autocannon' | 'undici' | 'undici-dispatch'
/** What bench/peer-run.mjs prints. */
export interface PeerRun {
  /** From the run's start to its last response. */
  ms: number
  /** From the run's start to its callback (autocannon's comes at its next whole-second sampling tick). */
  callbackMs: number
  /** The run's start and its last response, in ms on the monotonic clock every process shares (process.hrtime). */
  startAt: number
  endAt: number
  responses: number
  ok: number
  errors: number
  timeouts: number
}

// newman ships no types; the call used here is typed above. Loaded on first use, so other sections of
// `npm run bench` do not pay for it.
const require = createRequire(import.meta.url)
const newman = (): { run: NewmanRun } => require('newman') as { run: NewmanRun }

export async function runNewman(
  server: Server,
  collection: PostmanCollection,
  expected: number,
): Promise<number> {
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
  if (requests.total !== expected || requests.failed !== 0)
    throw new Error(
      `newman made ${requests.total} requests (${requests.failed} failed), expected ${expected}`,
    )
  if (assertions.total !== expected || assertions.failed !== 0 || summary.run.failures.length > 0)
    throw new Error(`newman: ${assertions.failed} of ${assertions.total} assertions failed`)
  if (seen.requests !== expected || seen.paths !== expected)
    throw new Error(
      `newman: the server saw ${seen.requests} requests on ${seen.paths} paths, expected ${expected}`,
    )
  return (expected / ms) * 1000
}

/**
 * newman's peak RSS on the same collection, in a process of its own as `newman run` would be (the timed
 * rounds run it in this process, warmed up, where its memory cannot be told apart). Checked like a timed run.
 */
export async function newmanPeakRss(
  server: Server,
  collection: PostmanCollection,
  dir: string,
  expected: number,
): Promise<number> {
  const file = join(dir, 'postman.json')
  writeFileSync(file, JSON.stringify(collection))
  const script = `require(${JSON.stringify(require.resolve('newman'))}).run({ collection: require(${JSON.stringify(file)}), reporters: [] }, (err, s) => {
    const failed = err ? 1 : s.run.stats.assertions.failed + s.run.stats.requests.failed
    process.stdout.write(JSON.stringify({ failed, total: s ? s.run.stats.assertions.total : 0, maxRss: process.resourceUsage().maxRSS }))
  })`
  await server.take()
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
  await new Promise((res) => child.once('close', res))
  clearTimeout(timer)
  const seen = await server.take()
  const r = JSON.parse(out) as { failed: number; total: number; maxRss: number }
  if (r.failed !== 0 || r.total !== expected || seen.requests !== expected)
    throw new Error(`newman (own process): ${r.failed} failed of ${r.total}, the server saw ${seen.requests}`)
  return r.maxRss / 1024
}

/** A peer load generator's run in a fresh process of its own (bench/peer-run.mjs), checked at its end. */
export async function runPeer(
  tool: PeerTool,
  url: string,
  amount: number,
  connections: number,
): Promise<PeerRun> {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'peer-run.mjs'), tool, url, String(amount), String(connections)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
  const code = await new Promise<number | null>((res, rej) => {
    child.once('error', rej)
    child.once('close', res)
  })
  clearTimeout(timer)
  if (code !== 0) throw new Error(`${tool} (own process) exited ${code}: ${err.trim()}`)
  const run = JSON.parse(out) as PeerRun
  if (run.ok !== amount || run.responses !== amount || run.errors > 0 || run.timeouts > 0)
    throw new Error(
      `${tool}: ${run.ok} 2xx and ${run.responses} responses of ${amount} (${run.errors} errors, ${run.timeouts} timeouts)`,
    )
  return run
}

/** A peer's rate over its run's own time (start to last response), checked at the server too. */
export async function peerRate(
  server: Server,
  tool: PeerTool,
  amount: number,
  connections: number,
  toCallback: number[],
): Promise<number> {
  await server.take()
  const run = await runPeer(tool, `${server.url}/hit`, amount, connections)
  const seen = await server.take()
  if (seen.requests < amount)
    throw new Error(`${tool}: the server saw ${seen.requests} of ${amount} requests`)
  toCallback.push((amount / run.callbackMs) * 1000)
  return (amount / run.ms) * 1000
}
