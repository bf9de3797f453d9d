import type { ScriptFailure } from '../../shared/scripts'
import { checkedEnd, type EndState } from './sandbox-report'
import { sandboxBundle } from './sandbox-bundle'
import { loadFakeValues } from '../variables/fake-loader'
import { boundedModule, megabytes, REPORT_SHARE, stringOut, VARIABLE_SHARE } from './sandbox-memory'
import { restoredRequest, sentResponse, stateRequest, stateResponse } from './script-bodies'
import {
  FULL_BEFORE,
  Sandbox,
  type CookieThroughEngine,
  type PhaseRun,
  type SendThroughEngine,
} from './sandbox-runtime'
import type { ScriptLimits, ScriptSource, ScriptTaskInput, ScriptTaskOutput } from './script-types'

/**
 * The QuickJS sandbox, inside a pool worker. One QuickJS runtime and context per key (one run, or one
 * collection's sends), built once with the prelude and reused, so a script costs a call, not a context. Scripts
 * see only what the prelude gives them: no fs, no process, no network, no host object. Limits: the runtime's
 * heap (`memoryMb`) and stack, CPU time per phase (an interrupt handler stops the interpreter past it), timers
 * and `pm.sendRequest`s counted by the prelude, the phase's wall time here. A runtime stopped for time or memory
 * is thrown away once its phases are done (its heap may be half-built); the next phase gets a fresh one.
 */

export type { CookieThroughEngine, SendThroughEngine } from './sandbox-runtime'

const noJar: CookieThroughEngine = () => Promise.resolve({ error: 'pm.cookies.jar(): no cookie jar here' })

/** Sandboxes kept per worker (the oldest idle one is dropped past this). */
const MAX_SANDBOXES = 4

const sandboxes = new Map<string, Sandbox>()
let nextPhaseRun = 1

async function sandboxFor(key: string, limits: ScriptLimits): Promise<Sandbox> {
  const known = sandboxes.get(key)
  if (known && !known.broken && known.memoryMb === limits.memoryMb) {
    known.lastUsed = Date.now()
    return known
  }
  // A module of its own, on a memory that cannot grow past the limit (sandbox-memory.ts).
  const [module, bundle] = await Promise.all([boundedModule(limits.memoryMb), sandboxBundle()])
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

/**
 * How a stop reads: the limit, in plain words. QuickJS throws `null` when it runs out of memory making the error
 * itself: a `null` caught in a sandbox whose memory came near its maximum is read as that.
 */
function classify(error: string, limits: ScriptLimits, run: PhaseRun, nearlyFull: boolean): ScriptFailure {
  if (/\binterrupted\b/i.test(error))
    return { kind: 'timeout', message: `CPU time over ${formatMs(limits.cpuMs)}: the script was stopped` }
  if (error === FULL_BEFORE)
    return {
      kind: 'memory',
      message: `memory over ${limits.memoryMb} MB: the sandbox was full before the script ran (values an earlier script of the run kept, on globalThis or in a timer); the next script gets a fresh one`,
    }
  if (/out of memory/i.test(error) || (error === 'null' && nearlyFull))
    return {
      kind: 'memory',
      message: `memory over ${limits.memoryMb} MB: the script was stopped${bodiesRead(run)}`,
    }
  if (/stack overflow/i.test(error))
    return {
      kind: 'limit',
      message: `stack over ${limits.stackKb} KB (too deep a recursion): the script was stopped`,
    }
  return { kind: 'error', message: error }
}

/** The big bodies a phase stopped for memory had read: most often what filled it. */
function bodiesRead(run: PhaseRun): string {
  const read = Object.entries(run.bodies.read ?? {})
  if (read.length === 0) return ''
  return ` (it had read ${read.map(([which, bytes]) => `the ${which} body, ${(bytes / 1048576).toFixed(1)} MB`).join(' and ')})`
}

/** The longest report a phase hands back, in characters (about as many bytes: a share of its memory). */
function reportChars(limits: ScriptLimits): number {
  return (limits.memoryMb * 1048576) / REPORT_SHARE
}

/** What the variables a phase set take, in characters (names and values, a value as its JSON unless text). */
function changedChars(changes: EndState['changes']): number {
  let n = 0
  for (const change of Object.values(changes ?? {}))
    for (const [k, v] of Object.entries(change.set))
      n += k.length + (typeof v === 'string' ? v.length : (JSON.stringify(v)?.length ?? 8))
  return n
}

function variableChars(limits: ScriptLimits): number {
  return (limits.memoryMb * 1048576) / VARIABLE_SHARE
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
    bodies: {},
    timers: new Map(),
    sends: 0,
    queue: [],
    wake: null,
  }
  let failure: ScriptFailure | undefined
  let where = ''
  const stop = (error: string, origin: ScriptSource | undefined): void => {
    const f = classify(error, limits, run, sandbox.nearlyFull())
    if (f.kind !== 'error') sandbox.broken = true
    failure = { ...f, ...(origin ? { origin: origin.origin } : {}) }
    if (origin) where = origin.where
  }
  const state = JSON.stringify({
    phase: input.phase,
    ...sandbox.scriptsState(input.scripts),
    // As text inside the state: the sandbox parses it only for a script that reads the request. A big body stays
    // here until a script reads it (script-bodies.ts).
    request: JSON.stringify(stateRequest(input.request, run.bodies)),
    response: input.response ? stateResponse(input.response, run.bodies) : undefined,
    scopes: input.scopes,
    info: input.info,
    ...sandbox.limitsState(limits),
    ...(input.cookies ? { cookies: input.cookies } : {}),
    ...(input.watch && input.watch.length > 0 ? { watch: input.watch } : {}),
  })
  // replaceIn's random-data names come from the fake-data library, loaded only for a phase whose scripts or state
  // mention one (its code, a variable's value, the request, a big body held back from the state): a phase that
  // does not never loads it.
  const mentions = (text: string | undefined): boolean => text?.includes('$random') === true
  if (
    input.scripts.some((s) => mentions(s.code)) ||
    mentions(state) ||
    mentions(run.bodies.request) ||
    mentions(run.bodies.response)
  )
    await loadFakeValues()
  // The host names the phase, so the prelude's calls back (timers, sends) during `begin` already find it.
  const phaseId = run.id
  sandbox.phases.set(phaseId, run)
  // Which script a stop the script could not catch (time, memory, stack) happened in.
  const stoppedIn = (): ScriptSource | undefined => {
    const w = sandbox.call(null, 'where', [phaseId])
    if ('error' in w) return undefined
    const at = stringOut(sandbox.module, sandbox.ctx, w.value, 65536)
    w.value.dispose()
    return 'text' in at ? input.scripts.find((x) => x.where === at.text) : undefined
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
      if (more === 0 && !sandbox.pendingJobs()) break
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
    const report = stringOut(sandbox.module, sandbox.ctx, ended.value, reportChars(limits))
    ended.value.dispose()
    if (!('text' in report)) {
      // The report is read only within its share of the memory: a bigger one is refused whole, loudly.
      if ('noRoom' in report) stop('InternalError: out of memory', undefined)
      else
        failure ??= {
          kind: 'limit',
          message: `its report (tests, console, variables) is ${megabytes(report.tooLong)}, over the ${megabytes(reportChars(limits))} a script phase may hand back: its tests, console and variables are not kept`,
        }
      return finish(input, run, {}, failure, where, wallStart)
    }
    const checked = checkedEnd(JSON.parse(report.text) as unknown)
    if (typeof checked === 'string') {
      // A script rewrote its own report (through an API object's insides): nothing of it is trusted.
      failure ??= {
        kind: 'error',
        message: `the script changed its own report (${checked}); its tests, console and variables are not kept`,
      }
      return finish(input, run, {}, failure, where, wallStart)
    }
    let out = checked
    // The prelude holds the variables a script sets to their share (4-scopes.js); a script that wrote its phase's
    // changes through the API's insides did not go through it, and is held here.
    const set = changedChars(out.changes)
    if (set > variableChars(limits)) {
      failure ??= {
        kind: 'limit',
        message: `the variables it set (${megabytes(set)}) are over the script's ${megabytes(variableChars(limits))} for variables: they are not kept`,
      }
      out = { ...out, changes: {} }
    }
    if (!failure && out.error) {
      const f = classify(out.error.message, limits, run, sandbox.nearlyFull())
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
                ? JSON.stringify(sentResponse(wake.reply.response))
                : wake.reply.value !== undefined
                  ? JSON.stringify(wake.reply.value)
                  : null,
            ])
      if ('error' in r) return r.error
      r.value.dispose()
      continue
    }
    if (run.timers.size === 0 && run.sends === 0 && !sandbox.pendingJobs()) return null
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
  if (out.request && input.phase === 'pre') result.request = restoredRequest(out.request, input.request)
  if (out.next !== undefined) result.nextRequest = out.next
  if (out.skip === true) result.skipRequest = true
  // Only names the host watched: the report is built where a script can reach it.
  const watched = new Set(input.watch)
  const read = out.read?.filter((k) => watched.has(k))
  if (read && read.length > 0) result.read = read
  return result
}
