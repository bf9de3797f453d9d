// One rung of the runner ladder (runner-ladder.ts), in a process of its own: `amount` requests to `url` over
// `connections` loops, each rung adding one of flightdeck's layers over bare undici `dispatch()`. Prints one JSON
// line: {cpuUs, ms, responses, ok}, where cpuUs is this process's CPU (user + system, all threads) from the run's
// start to its last answer. Each rung loads only the modules it needs (a module's load may subscribe to a
// diagnostics channel, which costs undici work per request), so rungs are imported lazily.
// Usage: node --import tsx bench/runner-ladder-rung.ts <rung> <url> <amount> <connections> (from the repo's root),
// or bundled as the CLI is (runner-ladder.ts does that: tsx's module wrapping costs a run a little).
import type { Socket } from 'node:net'
import type { Dispatcher } from 'undici'
import type { Clock } from '../src/engine/clock'
import type { RequestSpec } from '../src/shared/request'

const [rung = '', url = '', amountText = '', connectionsText = ''] = process.argv.slice(2)
const amount = Number(amountText)
const connections = Number(connectionsText)

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
] as const
type Rung = (typeof RUNGS)[number]

/** What a loop waits for: one request's end (its status, or the error). */
type Once = () => Promise<number>

/** Keeps nothing, as peer-run.mjs's: the least a request through undici costs. */
class MinimalHandler implements Dispatcher.DispatchHandler {
  status = 0
  constructor(private readonly done: (err: Error | null, status: number) => void) {}
  onConnect(): void {}
  onHeaders(statusCode: number): boolean {
    this.status = statusCode
    return true
  }
  onData(): boolean {
    return true
  }
  onComplete(): void {
    this.done(null, this.status)
  }
  onError(err: Error): void {
    this.done(err, 0)
  }
}

function dispatchLoop(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions): Once {
  return () =>
    new Promise((resolve, reject) => {
      dispatcher.dispatch(options, new MinimalHandler((e, s) => (e ? reject(e) : resolve(s))))
    })
}

async function onceFor(which: Rung): Promise<Once> {
  const { origin, pathname, search } = new URL(url)
  const plain: Dispatcher.DispatchOptions = { origin, path: pathname + search, method: 'GET' }
  if (which === 'dispatch' || which === 'dispatch+channel') {
    if (which === 'dispatch+channel') {
      const { subscribe } = await import('node:diagnostics_channel')
      subscribe('undici:client:sendHeaders', () => undefined)
    }
    const { Agent } = await import('../src/engine/http/undici-parts')
    return dispatchLoop(new Agent({ connections }), plain)
  }
  // One origin's pool alone, undici's and the engine's (reusing-pool.ts), with bare dispatch's options.
  if (which === 'undici-pool') {
    const { default: PoolClass } = await import('undici/lib/dispatcher/pool.js')
    return dispatchLoop(new PoolClass(origin, { connections }), plain)
  }
  if (which === 'reusing-pool') {
    const { ReusingPool } = await import('../src/engine/http/reusing-pool')
    return dispatchLoop(new ReusingPool(origin, { connections }), plain)
  }
  const { createClock } = await import('../src/engine/clock')
  const { AgentPool } = await import('../src/engine/http/agent-pool')
  const { resolveOptions } = await import('../src/shared/request')
  const { DEFAULT_SETTINGS } = await import('../src/engine/http/http-engine-options')
  const clock = createClock()
  const requestOptions = resolveOptions({})
  const agent = new AgentPool(clock, DEFAULT_SETTINGS.perOriginConcurrency).agentFor(
    requestOptions,
    undefined,
  )
  if (which === 'pool') return dispatchLoop(agent, plain)
  const { withDefaultHeaders } = await import('../src/engine/http/send-plan')
  const headers = withDefaultHeaders([], requestOptions).flat()
  const engineOptions: Dispatcher.DispatchOptions = {
    ...plain,
    headers,
    body: null,
    headersTimeout: 0,
    bodyTimeout: 0,
  }
  if (which === 'pool+headers') return dispatchLoop(agent, engineOptions)
  if (which === 'engine') return engineOnce(clock)
  // The exchange's handler shape: the socket claim (sendHeaders channel), the connection's settling told to the
  // pool, the header list paired; with `timings`, the clock read where the exchange reads it.
  const { awaitSocket } = await import('../src/engine/http/socket-claim')
  const { noteAnswered } = await import('../src/engine/http/reusing-pool')
  const { pairHeaders } = await import('../src/engine/http/http-headers')
  const timed = which === 'pool+timings'
  const { dispatchOn } = await import('../src/engine/http/agent-pool')
  class ClaimingHandler {
    status = 0
    socket: Socket | undefined
    marks = [0, 0, 0, 0, 0, 0]
    constructor(private readonly done: (err: Error | null, status: number) => void) {
      if (timed) this.marks[0] = clock.now()
    }
    attachSocket(socket: Socket | undefined): void {
      this.socket = socket
    }
    onConnect(): void {
      if (timed) this.marks[1] = clock.now()
      awaitSocket(this)
    }
    onRequestSent(): void {
      if (timed) this.marks[2] = clock.now()
    }
    onResponseStarted(): void {
      if (timed) this.marks[3] = clock.now()
    }
    onHeaders(statusCode: number, raw: Buffer[]): boolean {
      if (timed) this.marks[4] = clock.now()
      pairHeaders(raw)
      this.status = statusCode
      return true
    }
    onData(): boolean {
      if (timed) this.marks[5] = clock.now()
      return true
    }
    onComplete(): void {
      noteAnswered(this.socket)
      if (timed) this.marks[5] = clock.now()
      this.done(null, this.status)
    }
    onError(err: Error): void {
      this.done(err, 0)
    }
  }
  return () =>
    new Promise((resolve, reject) => {
      dispatchOn(agent, engineOptions, new ClaimingHandler((e, s) => (e ? reject(e) : resolve(s))), false)
    })
}

/** The engine's lean send of one fixed spec, as a run's plain step sends it (http-step.ts's queuePlain). */
async function engineOnce(clock: Clock): Promise<Once> {
  const { HttpEngine } = await import('../src/engine/http/http-engine')
  const http = new HttpEngine({ clock, emit: () => undefined, unwatched: true })
  const spec: RequestSpec = { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} }
  return () =>
    new Promise((resolve, reject) => {
      const sent = http.send(spec, 1, undefined, true, true)
      if (!sent.ok) return reject(new Error(sent.error.message))
      http.whenSettled(sent.value.sids[0] as string, (r) =>
        r.final.type === 'done' ? resolve(r.final.status) : reject(new Error(r.final.type)),
      )
    })
}

/** autocannon, in this process: CPU from its start to its callback (it checks nothing but the status). */
async function autocannonRun(): Promise<void> {
  const { createRequire } = await import('node:module')
  const autocannon = createRequire(`${process.cwd()}/package.json`)('autocannon') as (
    o: object,
    cb: (e: Error | null, r: { '2xx': number }) => void,
  ) => { on(e: 'response', l: () => void): void }
  let responses = 0
  let ms = 0
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const instance = autocannon({ url, connections, amount, timeout: 30 }, (e, r) => {
    if (e) throw e
    // Read at its callback (its next sampling tick, when it is idle): not per response, which would add a syscall.
    const cpu = process.cpuUsage(cpu0)
    process.stdout.write(`${JSON.stringify({ cpuUs: cpu.user + cpu.system, ms, responses, ok: r['2xx'] })}\n`)
    process.exit(0)
  })
  instance.on('response', () => {
    responses++
    ms = Number(process.hrtime.bigint() - t0) / 1e6
  })
}

async function main(): Promise<void> {
  if (!(RUNGS as readonly string[]).includes(rung) || !url || !(amount > 0) || !(connections > 0)) {
    process.stderr.write(`usage: runner-ladder-rung.ts <${RUNGS.join('|')}> <url> <amount> <connections>\n`)
    process.exit(2)
  }
  if (rung === 'autocannon') return autocannonRun()
  const once = await onceFor(rung as Rung)
  // One request first: the connection's parser compiled and the modules loaded, outside the measured run.
  await once()
  let left = amount
  let responses = 0
  let ok = 0
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (left > 0) {
        left--
        const status = await once()
        responses++
        if (status >= 200 && status < 300) ok++
      }
    }),
  )
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const cpu = process.cpuUsage(cpu0)
  process.stdout.write(`${JSON.stringify({ cpuUs: cpu.user + cpu.system, ms, responses, ok })}\n`)
  process.exit(0)
}

void main()
