import { spentMs, startSpan, type ScriptSpan } from './script-cpu-clock'
import { defaultDynamicValues } from '../../shared/template'
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten'
import type { PhaseBodies } from './script-bodies'
import type { CookieOp } from './script-cookies'
import type { SandboxBundle } from './sandbox-bundle'
import { copyBytes, megabytes, room, SEND_SHARE, stringIn, stringOut } from './sandbox-memory'
import type { SandboxSendReply, ScriptLimits, ScriptRequest, ScriptSource } from './script-types'

/**
 * One QuickJS runtime and context with the prelude evaluated (see sandbox.ts), and the calls into it for a phase,
 * each on the phase's CPU budget.
 *
 * QuickJS checks its own stack (`stackKb`), but its C code runs as WebAssembly on the worker's native stack too,
 * and some recursions in C (JSON.stringify of a value nested tens of thousands deep) use that up first: V8 then
 * throws its RangeError through the interpreter, which is left half-way through its work. Such a runtime is
 * `poisoned`: the call reads as a stack overflow, the runtime is never used or freed again (freeing it asserts
 * and aborts the whole WebAssembly module); the module is this sandbox's alone (sandbox.ts), so it goes with it.
 */

/** How `pm.sendRequest` reaches the engine (a host call of the task). */
export type SendThroughEngine = (request: ScriptRequest) => Promise<SandboxSendReply>
/** How a `pm.cookies.jar()` operation reaches the engine's jar (a host call of the task). */
export type CookieThroughEngine = (op: CookieOp) => Promise<SandboxSendReply>

export type Wake = { kind: 'timer'; id: number } | { kind: 'send'; id: number; reply: SandboxSendReply }

export interface PhaseRun {
  id: number
  cpuUsed: number
  limits: ScriptLimits
  send: SendThroughEngine
  cookie: CookieThroughEngine
  sids: string[]
  /** Big bodies the prelude fetches on a script's first read (script-bodies.ts). */
  bodies: PhaseBodies
  timers: Map<number, NodeJS.Timeout>
  /** sendRequests whose answer has not been handed to the sandbox yet. */
  sends: number
  queue: Wake[]
  wake: (() => void) | null
}

export class Sandbox {
  readonly rt: QuickJSRuntime
  readonly ctx: QuickJSContext
  private readonly fd: Record<'begin' | 'go' | 'where' | 'fire' | 'deliver' | 'end' | 'drop', QuickJSHandle>
  readonly phases = new Map<number, PhaseRun>()
  /** While the interpreter runs for a phase: the span it started and the ms it may be charged (script-cpu-clock.ts). */
  private span: ScriptSpan | null = null
  private allowedMs = Number.POSITIVE_INFINITY
  /** Whether its memory came near its maximum: a `null` thrown then is QuickJS out of memory (see sandbox.ts). */
  nearlyFull(): boolean {
    return this.module.getWasmMemory().buffer.byteLength >= this.memoryMb * 1048576 * 0.75
  }
  /** ms of the current call spent evaluating a library: the sandbox's time, not the script's. */
  private credit = 0
  /** Stopped for time or memory: dropped once its phases are done. */
  broken = false
  /** The worker's native stack ran out inside the interpreter: never called or freed again (see above). */
  poisoned = false
  lastUsed = Date.now()
  /** The limits the prelude has (see 6-phase.js), as JSON; and the scripts' code it has, by id. */
  private sentLimits = ''
  private readonly sources = new Map<string, number>()
  private nextSource = 1

  constructor(
    readonly module: QuickJSWASMModule,
    private readonly bundle: SandboxBundle,
    readonly memoryMb: number,
    stackKb: number,
  ) {
    this.rt = module.newRuntime()
    this.rt.setMemoryLimit(memoryMb * 1024 * 1024)
    this.rt.setMaxStackSize(stackKb * 1024)
    // Wall time first (cheap): only past it is the process's CPU time asked for.
    this.rt.setInterruptHandler(() => this.overBudget())
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
      this.allowedMs += took
      return undefined
    })
    // null: the library or body does not fit in what is left of the sandbox's memory (the prelude says so).
    fn('__host_lib', (name) => {
      const src = this.bundle.libs[ctx.getString(name ?? ctx.undefined)]
      return src === undefined ? undefined : (stringIn(module, ctx, src) ?? ctx.null)
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
    // A big body, on a script's first read of it (the prelude checked it fits the heap first).
    fn('__host_body', (phase, which) => {
      const run = this.phases.get(ctx.getNumber(phase ?? ctx.undefined))
      const name = ctx.getString(which ?? ctx.undefined)
      if (!run || (name !== 'request' && name !== 'response')) return undefined
      const text = run.bodies[name]
      if (text === undefined) return undefined
      const copied = stringIn(module, ctx, text)
      if (copied === null) return ctx.null
      run.bodies.read = { ...run.bodies.read, [name]: Buffer.byteLength(text) }
      return copied
    })
    // A random-data value ($randomEmail, …) for replaceIn: a short string from the fake-data library once loaded
    // (sandbox.ts loads it before a phase that mentions one), undefined for a name that is none.
    fn('__host_fake', (name) => {
      const value = defaultDynamicValues.fake?.(ctx.getString(name ?? ctx.undefined))
      return value === undefined ? undefined : ctx.newString(value)
    })
    fn('__host_send', (phase, send, json) => {
      const run = this.phases.get(ctx.getNumber(phase ?? ctx.undefined))
      if (!run) return undefined
      const id = ctx.getNumber(send ?? ctx.undefined)
      run.sends++
      // The prelude keeps a phase's requests under SEND_SHARE of its memory; this holds even if it did not.
      const out = stringOut(module, ctx, json ?? ctx.undefined, (memoryMb * 1048576) / SEND_SHARE)
      if (!('text' in out)) {
        const chars = 'tooLong' in out ? out.tooLong : out.noRoom
        push(run, {
          kind: 'send',
          id,
          reply: {
            error: `pm.sendRequest: the request (${megabytes(chars)}) was not sent: ${'tooLong' in out ? `over the ${megabytes((memoryMb * 1048576) / SEND_SHARE)} a script may send` : `no room left in the script's ${memoryMb} MB memory to read it`}`,
          },
        })
        return undefined
      }
      const ask = JSON.parse(out.text) as ScriptRequest | { cookie: CookieOp }
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
    if (this.poisoned) return { error: POISONED }
    const ctx = this.ctx
    // What the arguments take in the sandbox's memory, tried first: a copy into a full memory is refused as the
    // script running out of it (see sandbox-memory.ts).
    let bytes = 0
    for (const a of args) bytes += typeof a === 'string' ? copyBytes(a) : 32
    if (!room(this.module, ctx, bytes)) return { error: name === 'begin' ? FULL_BEFORE : OUT_OF_MEMORY }
    const handles = args.map((a) =>
      a === null ? ctx.null : typeof a === 'number' ? ctx.newNumber(a) : ctx.newString(a),
    )
    const span = this.begin(run ? Math.max(0, run.limits.cpuMs - run.cpuUsed) : 1000)
    try {
      let r
      try {
        r = ctx.callFunction(this.fd[name], ctx.undefined, ...handles)
      } catch (e) {
        return { error: this.poison(e) }
      }
      if (r.error) {
        const dumped = ctx.dump(r.error) as unknown
        r.error.dispose()
        // QuickJS throws null when it runs out of memory making the "out of memory" error itself.
        return { error: dumped === null ? OUT_OF_MEMORY : errorText(dumped) }
      }
      return { value: r.value }
    } finally {
      const spent = this.end(span)
      if (run) run.cpuUsed += spent
      if (!this.poisoned) for (const h of handles) if (h !== ctx.null) h.dispose()
    }
  }

  private begin(allowedMs: number): ScriptSpan {
    this.span = startSpan()
    this.allowedMs = allowedMs
    return this.span
  }

  /** The ms the call is charged (library loading left out), and no call running any more. */
  private end(span: ScriptSpan): number {
    const charged = Math.max(0, spentMs(span) - this.credit)
    this.span = null
    this.allowedMs = Number.POSITIVE_INFINITY
    this.credit = 0
    return charged
  }

  private overBudget(): boolean {
    const span = this.span
    if (span === null || Date.now() - span.wallStart <= this.allowedMs) return false
    return spentMs(span) > this.allowedMs
  }

  /** A host exception came through the interpreter: what the phase reads, and this runtime is done with. */
  private poison(e: unknown): string {
    this.poisoned = true
    this.broken = true
    return e instanceof RangeError ? POISONED : `Error: the sandbox stopped (${String(e)})`
  }

  /** Run the promise jobs scripts queued (their `then`s, async functions), on the phase's CPU budget. */
  jobs(run: PhaseRun): string | null {
    if (this.poisoned) return POISONED
    if (!this.rt.hasPendingJob()) return null
    const span = this.begin(Math.max(0, run.limits.cpuMs - run.cpuUsed))
    try {
      let r
      try {
        r = this.rt.executePendingJobs(-1)
      } catch (e) {
        return this.poison(e)
      }
      if (r.error) {
        const dumped = this.ctx.dump(r.error) as unknown
        r.error.dispose()
        return errorText(dumped)
      }
      r.dispose()
      return null
    } finally {
      run.cpuUsed += this.end(span)
    }
  }

  /** A phase state's limits: only when they differ from the last ones sent (the prelude keeps those). */
  limitsState(limits: ScriptLimits): { limits?: ScriptLimits } {
    const json = JSON.stringify(limits)
    if (json === this.sentLimits) return {}
    this.sentLimits = json
    return { limits }
  }

  /**
   * A phase state's scripts, each code by id, with the code the prelude has not had yet (past MAX_SOURCES codes
   * the prelude's list starts again).
   */
  scriptsState(scripts: readonly ScriptSource[]): {
    scripts: { origin: ScriptSource['origin']; where: string; id: number }[]
    sources?: Record<number, string>
    resetSources?: true
  } {
    let fresh: Record<number, string> | undefined
    let reset = false
    if (this.sources.size + scripts.length > MAX_SOURCES) {
      this.sources.clear()
      reset = true
    }
    const refs = scripts.map((x) => {
      let id = this.sources.get(x.code)
      if (id === undefined) {
        id = this.nextSource++
        this.sources.set(x.code, id)
        fresh ??= {}
        fresh[id] = x.code
      }
      return { origin: x.origin, where: x.where, id }
    })
    return { scripts: refs, ...(fresh ? { sources: fresh } : {}), ...(reset ? { resetSources: true } : {}) }
  }

  /** Whether the interpreter has promise jobs queued (a poisoned one is never asked). */
  pendingJobs(): boolean {
    return !this.poisoned && this.rt.hasPendingJob()
  }

  dispose(): void {
    if (this.poisoned) return
    for (const h of Object.values(this.fd)) h.dispose()
    this.ctx.dispose()
    this.rt.dispose()
  }
}

/** Script codes the prelude keeps by id (a run's requests share a few; a collection's sends, one each). */
const MAX_SOURCES = 500

/** QuickJS's own words for memory it could not get. */
const OUT_OF_MEMORY = 'InternalError: out of memory'
/**
 * A phase whose state did not fit in what earlier scripts left of the memory (an answer that does not fit while the
 * phase runs is its own script's doing: plain out of memory).
 */
export const FULL_BEFORE = `${OUT_OF_MEMORY}: the sandbox was full before the script ran`

/** What a call into a poisoned runtime reads as: a stack overflow, as QuickJS's own check would say it. */
const POISONED = 'InternalError: stack overflow'

export function push(run: PhaseRun, w: Wake): void {
  run.queue.push(w)
  const wake = run.wake
  run.wake = null
  wake?.()
}

/** An error the interpreter stopped with, as text: cut as the prelude cuts a script's error (4096 characters). */
export function errorText(dumped: unknown): string {
  let text = String(dumped)
  if (typeof dumped === 'object' && dumped !== null) {
    const o = dumped as { name?: unknown; message?: unknown }
    const name = typeof o.name === 'string' ? o.name : 'Error'
    text = `${name}: ${typeof o.message === 'string' ? o.message : JSON.stringify(dumped)}`
  }
  return text.length <= ERROR_CHARS
    ? text
    : `${text.slice(0, ERROR_CHARS)}… (cut at ${ERROR_CHARS} characters of ${text.length})`
}

const ERROR_CHARS = 4096
