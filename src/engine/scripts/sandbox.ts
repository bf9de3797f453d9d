import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten'
import type { ScriptFailure } from '../../shared/scripts'
import type { CookieOp } from './script-cookies'
import { checkedEnd, type EndState } from './sandbox-report'
import { sandboxBundle, type SandboxBundle } from './sandbox-bundle'
import type {
  SandboxSendReply,
  ScriptLimits,
  ScriptRequest,
  ScriptSource,
  ScriptTaskInput,
  ScriptTaskOutput,
} from './script-types'

/**
 * The QuickJS sandbox, inside a pool worker. One QuickJS runtime and context per key (one run, or one
 * collection's sends), built once with the prelude and reused, so a script costs a call, not a context. Scripts
 * see only what the prelude gives them: no fs, no process, no network, no host object. Limits: the runtime's
 * heap (`memoryMb`) and stack, CPU time per phase (an interrupt handler stops the interpreter past it), timers
 * and `pm.sendRequest`s counted by the prelude, the phase's wall time here. A runtime stopped for time or memory
 * is thrown away once its phases are done (its heap may be half-built); the next phase gets a fresh one.
 */

/** How `pm.sendRequest` reaches the engine (a host call of the task). */
export type SendThroughEngine = (request: ScriptRequest) => Promise<SandboxSendReply>
/** How a `pm.cookies.jar()` operation reaches the engine's jar (a host call of the task). */
export type CookieThroughEngine = (op: CookieOp) => Promise<SandboxSendReply>

const noJar: CookieThroughEngine = () => Promise.resolve({ error: 'pm.cookies.jar(): no cookie jar here' })

/** Sandboxes kept per worker (the oldest idle one is dropped past this). */
const MAX_SANDBOXES = 4

type Wake = { kind: 'timer'; id: number } | { kind: 'send'; id: number; reply: SandboxSendReply }

interface PhaseRun {
  id: number
  cpuUsed: number
  limits: ScriptLimits
  send: SendThroughEngine
  cookie: CookieThroughEngine
  sids: string[]
  timers: Map<number, NodeJS.Timeout>
  /** sendRequests whose answer has not been handed to the sandbox yet. */
  sends: number
  queue: Wake[]
  wake: (() => void) | null
}

class Sandbox {
  readonly rt: QuickJSRuntime
  readonly ctx: QuickJSContext
  private readonly fd: Record<'begin' | 'go' | 'where' | 'fire' | 'deliver' | 'end' | 'drop', QuickJSHandle>
  readonly phases = new Map<number, PhaseRun>()
  /** While the interpreter runs for a phase: when it must stop. */
  private deadline = Number.POSITIVE_INFINITY
  /** ms of the current call spent evaluating a library: the sandbox's time, not the script's. */
  private credit = 0
  /** Stopped for time or memory: dropped once its phases are done. */
  broken = false
  lastUsed = Date.now()

  constructor(
    module: QuickJSWASMModule,
    private readonly bundle: SandboxBundle,
    readonly memoryMb: number,
    stackKb: number,
  ) {
    this.rt = module.newRuntime()
    this.rt.setMemoryLimit(memoryMb * 1024 * 1024)
    this.rt.setMaxStackSize(stackKb * 1024)
    this.rt.setInterruptHandler(() => Date.now() > this.deadline)
    this.ctx = this.rt.newContext()
    const ctx = this.ctx
    const fn = (name: string, impl: (...args: QuickJSHandle[]) => QuickJSHandle | undefined): void => {
      const h = ctx.newFunction(name, impl)
      ctx.setProp(ctx.global, name, h)
      h.dispose()
    }
    fn('__host_lib_loaded', (ms) => {
      const took = Math.max(0, ctx.getNumber(ms ?? ctx.undefined))
      this.credit += took
      this.deadline += took
      return undefined
    })
    fn('__host_lib', (name) => {
      const src = this.bundle.libs[ctx.getString(name ?? ctx.undefined)]
      return src === undefined ? undefined : ctx.newString(src)
    })
    fn('__host_timer', (phase, timer, ms) => {
      const run = this.phases.get(ctx.getNumber(phase ?? ctx.undefined))
      if (!run) return undefined
      const id = ctx.getNumber(timer ?? ctx.undefined)
      const wait = ctx.getNumber(ms ?? ctx.undefined)
      run.timers.set(
        id,
        setTimeout(() => {
          run.timers.delete(id)
          push(run, { kind: 'timer', id })
        }, wait),
      )
      return undefined
    })
    fn('__host_clear', (phase, timer) => {
      const run = this.phases.get(ctx.getNumber(phase ?? ctx.undefined))
      const id = ctx.getNumber(timer ?? ctx.undefined)
      const t = run?.timers.get(id)
      if (t) clearTimeout(t)
      run?.timers.delete(id)
      return undefined
    })
    fn('__host_send', (phase, send, json) => {
      const run = this.phases.get(ctx.getNumber(phase ?? ctx.undefined))
      if (!run) return undefined
      const id = ctx.getNumber(send ?? ctx.undefined)
      const ask = JSON.parse(ctx.getString(json ?? ctx.undefined)) as ScriptRequest | { cookie: CookieOp }
      run.sends++
      ;('cookie' in ask ? run.cookie(ask.cookie) : run.send(ask)).then(
        (reply) => push(run, { kind: 'send', id, reply }),
        (e: unknown) =>
          push(run, { kind: 'send', id, reply: { error: e instanceof Error ? e.message : String(e) } }),
      )
      return undefined
    })
    const loaded = ctx.evalCode(bundle.prelude, 'prelude.js')
    if (loaded.error) {
      const why = JSON.stringify(ctx.dump(loaded.error))
      loaded.error.dispose()
      throw new Error(`The script sandbox's prelude failed: ${why}`)
    }
    loaded.value.dispose()
    const fdHandle = ctx.getProp(ctx.global, '__fd')
    this.fd = {
      begin: ctx.getProp(fdHandle, 'begin'),
      go: ctx.getProp(fdHandle, 'go'),
      where: ctx.getProp(fdHandle, 'where'),
      fire: ctx.getProp(fdHandle, 'fire'),
      deliver: ctx.getProp(fdHandle, 'deliver'),
      end: ctx.getProp(fdHandle, 'end'),
      drop: ctx.getProp(fdHandle, 'drop'),
    }
    fdHandle.dispose()
  }

  /**
   * Call into the sandbox for a phase, counting the time against its CPU budget. Returns the value (disposed
   * by the caller) or the error the interpreter stopped with, as text.
   */
  call(
    run: PhaseRun | null,
    name: keyof Sandbox['fd'],
    args: (string | number | null)[],
  ): { value: QuickJSHandle } | { error: string } {
    const ctx = this.ctx
    const handles = args.map((a) =>
      a === null ? ctx.null : typeof a === 'number' ? ctx.newNumber(a) : ctx.newString(a),
    )
    const started = Date.now()
    this.deadline = run ? started + Math.max(0, run.limits.cpuMs - run.cpuUsed) : started + 1000
    try {
      const r = ctx.callFunction(this.fd[name], ctx.undefined, ...handles)
      if (r.error) {
        const dumped = ctx.dump(r.error) as unknown
        r.error.dispose()
        return { error: errorText(dumped) }
      }
      return { value: r.value }
    } finally {
      this.deadline = Number.POSITIVE_INFINITY
      if (run) run.cpuUsed += Math.max(0, Date.now() - started - this.credit)
      this.credit = 0
      for (const h of handles) if (h !== ctx.null) h.dispose()
    }
  }

  /** Run the promise jobs scripts queued (their `then`s, async functions), on the phase's CPU budget. */
  jobs(run: PhaseRun): string | null {
    if (!this.rt.hasPendingJob()) return null
    const started = Date.now()
    this.deadline = started + Math.max(0, run.limits.cpuMs - run.cpuUsed)
    try {
      const r = this.rt.executePendingJobs(-1)
      if (r.error) {
        const dumped = this.ctx.dump(r.error) as unknown
        r.error.dispose()
        return errorText(dumped)
      }
      r.dispose()
      return null
    } finally {
      this.deadline = Number.POSITIVE_INFINITY
      run.cpuUsed += Math.max(0, Date.now() - started - this.credit)
      this.credit = 0
    }
  }

  dispose(): void {
    for (const h of Object.values(this.fd)) h.dispose()
    this.ctx.dispose()
    this.rt.dispose()
  }
}

function push(run: PhaseRun, w: Wake): void {
  run.queue.push(w)
  const wake = run.wake
  run.wake = null
  wake?.()
}

function errorText(dumped: unknown): string {
  if (typeof dumped === 'object' && dumped !== null) {
    const o = dumped as { name?: unknown; message?: unknown }
    const name = typeof o.name === 'string' ? o.name : 'Error'
    return `${name}: ${typeof o.message === 'string' ? o.message : JSON.stringify(dumped)}`
  }
  return String(dumped)
}

let quickjs: Promise<QuickJSWASMModule> | null = null
const sandboxes = new Map<string, Sandbox>()
let nextPhaseRun = 1

async function sandboxFor(key: string, limits: ScriptLimits): Promise<Sandbox> {
  const known = sandboxes.get(key)
  if (known && !known.broken && known.memoryMb === limits.memoryMb) {
    known.lastUsed = Date.now()
    return known
  }
  // Loaded on the first script: a worker that only indexes bodies or imports never loads QuickJS.
  quickjs ??= import('quickjs-emscripten').then((m) => m.getQuickJS())
  const [module, bundle] = await Promise.all([quickjs, sandboxBundle()])
  const again = sandboxes.get(key)
  if (again && !again.broken && again.memoryMb === limits.memoryMb) return again
  if (again) retire(key, again)
  const made = new Sandbox(module, bundle, limits.memoryMb, limits.stackKb)
  sandboxes.set(key, made)
  if (sandboxes.size > MAX_SANDBOXES) {
    const idle = [...sandboxes.entries()]
      .filter(([, s]) => s.phases.size === 0 && s !== made)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]
    if (idle) retire(idle[0], idle[1])
  }
  return made
}

function retire(key: string, s: Sandbox): void {
  if (sandboxes.get(key) === s) sandboxes.delete(key)
  if (s.phases.size === 0) s.dispose()
  else s.broken = true
}

/** Forget a key's sandbox (its run ended). */
export function forgetSandbox(key: string): void {
  const s = sandboxes.get(key)
  if (s) retire(key, s)
}

/** How a stop reads: the limit, in plain words. */
function classify(error: string, limits: ScriptLimits): ScriptFailure {
  if (/\binterrupted\b/i.test(error))
    return { kind: 'timeout', message: `CPU time over ${formatMs(limits.cpuMs)}: the script was stopped` }
  if (/out of memory/i.test(error))
    return { kind: 'memory', message: `memory over ${limits.memoryMb} MB: the script was stopped` }
  if (/stack overflow/i.test(error))
    return {
      kind: 'limit',
      message: `stack over ${limits.stackKb} KB (too deep a recursion): the script was stopped`,
    }
  return { kind: 'error', message: error }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

/** One phase of a request's scripts, run to its end (timers and sendRequests included) or stopped. */
export async function runScriptPhase(
  input: ScriptTaskInput,
  send: SendThroughEngine,
  cookie: CookieThroughEngine = noJar,
): Promise<ScriptTaskOutput> {
  const wallStart = Date.now()
  const limits = input.limits
  const sandbox = await sandboxFor(input.key, limits)
  const run: PhaseRun = {
    id: nextPhaseRun++,
    cpuUsed: 0,
    limits,
    send: async (request) => {
      const reply = await send(request)
      if (reply.sid !== undefined) run.sids.push(reply.sid)
      return reply
    },
    cookie,
    sids: [],
    timers: new Map(),
    sends: 0,
    queue: [],
    wake: null,
  }
  let failure: ScriptFailure | undefined
  let where = ''
  const stop = (error: string, origin: ScriptSource | undefined): void => {
    const f = classify(error, limits)
    if (f.kind !== 'error') sandbox.broken = true
    failure = { ...f, ...(origin ? { origin: origin.origin } : {}) }
    if (origin) where = origin.where
  }
  const state = JSON.stringify({
    phase: input.phase,
    scripts: input.scripts,
    request: input.request,
    response: input.response,
    scopes: input.scopes,
    info: input.info,
    limits,
    ...(input.cookies ? { cookies: input.cookies } : {}),
  })
  // The host names the phase, so the prelude's calls back (timers, sends) during `begin` already find it.
  const phaseId = run.id
  sandbox.phases.set(phaseId, run)
  // Which script a stop the script could not catch (time, memory, stack) happened in.
  const stoppedIn = (): ScriptSource | undefined => {
    const w = sandbox.call(null, 'where', [phaseId])
    if ('error' in w) return undefined
    const at = sandbox.ctx.getString(w.value)
    w.value.dispose()
    return input.scripts.find((x) => x.where === at)
  }
  try {
    let step = sandbox.call(run, 'begin', [phaseId, state])
    for (let guard = 0; guard < 100_000; guard++) {
      if ('error' in step) {
        stop(step.error, stoppedIn())
        break
      }
      const more = sandbox.ctx.getNumber(step.value)
      step.value.dispose()
      if (more === 0 && !sandbox.rt.hasPendingJob()) break
      const waited = await drain(sandbox, run, wallStart)
      if (waited !== null) {
        stop(waited, stoppedIn())
        break
      }
      step = sandbox.call(run, 'go', [phaseId])
    }
    const ended = sandbox.call(run, 'end', [phaseId])
    if ('error' in ended) {
      stop(ended.error, undefined)
      return finish(input, run, {}, failure, where, wallStart)
    }
    const checked = checkedEnd(JSON.parse(sandbox.ctx.getString(ended.value)) as unknown)
    ended.value.dispose()
    if (typeof checked === 'string') {
      // A script rewrote its own report (through an API object's insides): nothing of it is trusted.
      failure ??= {
        kind: 'error',
        message: `the script changed its own report (${checked}); its tests, console and variables are not kept`,
      }
      return finish(input, run, {}, failure, where, wallStart)
    }
    const out = checked
    if (!failure && out.error) {
      const f = classify(out.error.message, limits)
      if (f.kind !== 'error') sandbox.broken = true
      const origin = input.scripts.find((x) => x.where === out.error?.where)
      failure = { ...f, ...(origin ? { origin: origin.origin } : {}) }
      where = out.error.where
    }
    return finish(input, run, out, failure, where, wallStart)
  } finally {
    for (const t of run.timers.values()) clearTimeout(t)
    run.timers.clear()
    if (sandbox.phases.get(phaseId) === run) sandbox.phases.delete(phaseId)
    if (failure) {
      const dropped = sandbox.call(null, 'drop', [phaseId])
      if ('value' in dropped) dropped.value.dispose()
    }
    if (sandbox.broken && sandbox.phases.size === 0) {
      if (sandboxes.get(input.key) === sandbox) sandboxes.delete(input.key)
      sandbox.dispose()
    }
  }
}

/**
 * Run queued promise jobs and the timers and sendRequest answers that came in, waiting for them, until the
 * phase has nothing outstanding (then `go` runs its next script); an error stops it.
 */
async function drain(sandbox: Sandbox, run: PhaseRun, wallStart: number): Promise<string | null> {
  for (let guard = 0; guard < 100_000; guard++) {
    const jobError = sandbox.jobs(run)
    if (jobError !== null) return jobError
    const wake = run.queue.shift()
    if (wake) {
      if (wake.kind === 'send') run.sends--
      const r =
        wake.kind === 'timer'
          ? sandbox.call(run, 'fire', [run.id, wake.id])
          : sandbox.call(run, 'deliver', [
              run.id,
              wake.id,
              wake.reply.error ?? null,
              wake.reply.response
                ? JSON.stringify(wake.reply.response)
                : wake.reply.value !== undefined
                  ? JSON.stringify(wake.reply.value)
                  : null,
            ])
      if ('error' in r) return r.error
      r.value.dispose()
      continue
    }
    if (run.timers.size === 0 && run.sends === 0 && !sandbox.rt.hasPendingJob()) return null
    if (run.timers.size === 0 && run.sends === 0) continue
    const left = run.limits.wallMs - (Date.now() - wallStart)
    if (left <= 0)
      return `Error: still waiting after ${formatMs(run.limits.wallMs)} (timers or pm.sendRequest)`
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left)
      run.wake = () => {
        clearTimeout(t)
        resolve()
      }
    })
  }
  return 'Error: the script kept the sandbox busy past its step limit'
}

function finish(
  input: ScriptTaskInput,
  run: PhaseRun,
  out: EndState,
  failure: ScriptFailure | undefined,
  where: string,
  wallStart: number,
): ScriptTaskOutput {
  const result: ScriptTaskOutput = {
    tests: out.tests ?? [],
    console: out.console ?? [],
    droppedConsole: out.droppedConsole ?? 0,
    droppedTests: out.droppedTests ?? 0,
    changes: out.changes ?? {},
    cpuMs: run.cpuUsed,
    wallMs: Date.now() - wallStart,
    sentRequests: run.sids,
  }
  if (failure) {
    const phase = input.phase === 'pre' ? 'pre-request' : 'test'
    const named = where !== '' ? where : `request "${input.info.requestName}"`
    result.failure = { ...failure, message: `${phase} script of ${named}: ${failure.message}` }
  }
  if (out.request && input.phase === 'pre') result.request = out.request
  if (out.next !== undefined) result.nextRequest = out.next
  if (out.skip === true) result.skipRequest = true
  return result
}
