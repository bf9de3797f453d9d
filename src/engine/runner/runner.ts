import { setMaxListeners } from 'node:events'
import type { HttpEngine } from '../http/http-engine'
import { computeStats } from './stats'
import { StatsTally } from './stats-tally'
import type { InternalOptions, RunOptions, RunReport, RunStep, StepResult, StepRun } from './run-step'
import { byId, checkGraph } from './step-graph'
import { cancelledSteps } from './cancelled-steps'
import { Pacer, Semaphore } from './pacing'
import { runStep } from './step-run'
import { runBare } from './bare-run'
import { carryScriptValues, runInOrder, runsInOrder, scriptedStep } from './script-step'
import { newTraceId } from '../trace/trace-ids'

/**
 * The runner: a set of steps (requests with assertions, extractions and a retry policy, optionally depending
 * on each other) run for a number of iterations — or once per data row — with at most `concurrency` requests
 * in flight, optionally paced. Independent steps of an iteration run at once; a step that depends on others
 * starts when they have finished, with their extracted values in its variables.
 */

/** Failed results a run that keeps only failures keeps in detail; past it they are counted (`failuresLeftOut`). */
export const MAX_KEPT_FAILURES = 1000

export async function runSteps(
  http: HttpEngine,
  steps: readonly RunStep[],
  options: RunOptions,
): Promise<RunReport> {
  checkGraph(steps)
  // One signal of our own for every step, retry wait and stream of the run: each in-flight step listens on it
  // (and removes its listener when it ends), so with high concurrency there are many listeners, none leaked.
  const own = new AbortController()
  setMaxListeners(0, own.signal)
  const outer = options.signal
  const inFlight = new Set<string>()
  const forward = (): void => {
    own.abort()
    for (const sid of inFlight) http.cancel(sid)
  }
  if (outer?.aborted) own.abort()
  else outer?.addEventListener('abort', forward, { once: true })
  try {
    return await runAll(http, steps, {
      ...options,
      signal: own.signal,
      inFlight,
      resolved: new Map(),
      sendPlans: new WeakMap(),
      runTraceId: newTraceId(),
    })
  } finally {
    outer?.removeEventListener('abort', forward)
  }
}

async function runAll(
  http: HttpEngine,
  steps: readonly RunStep[],
  options: InternalOptions,
): Promise<RunReport> {
  const started = Date.now()
  const results: StepResult[] = []
  // A run that keeps only its failures (a long CLI run) counts every result into bounded statistics instead.
  const tally = options.keep === 'failures' ? new StatsTally(started) : null
  let failuresLeftOut = 0
  // A script's setNextRequest chose an order (known from every result, kept or not).
  let directed = false
  const keep = (r: StepResult): void => {
    if (r.nextRequest !== undefined) directed = true
    if (!tally) {
      results.push(r)
      return
    }
    tally.add(r)
    if (r.passed) return
    if (results.length < MAX_KEPT_FAILURES) results.push(r)
    else failuresLeftOut++
  }
  const gate = new Semaphore(Math.max(1, options.concurrency))
  const pacer = new Pacer(options.delayMs, options.ratePerSecond)
  let bailed = false
  const stopped = (): boolean => bailed || options.signal?.aborted === true
  const asCancelled = cancelledSteps(options.signal)

  const rows = options.data && options.data.length > 0 ? options.data : undefined
  const iterations = Math.max(1, options.iterations)
  const inOrder = runsInOrder(steps, options.concurrency, options.scripts)

  /** What a step's run hands back, taken in: its values for the steps after it, its result reported. */
  const report = (r: StepRun, vars: Map<string, string>, unset: Set<string>): StepResult => {
    // Most steps extract nothing and unset nothing: no iterator made for empty collections.
    if (r.extracted.size > 0)
      for (const [k, v] of r.extracted) {
        vars.set(k, v)
        unset.delete(k)
      }
    if (r.unset)
      for (const k of r.unset) {
        vars.delete(k)
        unset.add(k)
      }
    return reported(r.result)
  }

  /** A result taken in: counted or kept, handed to the run's listener, the run bailing on a failure when asked. */
  const reported = (r: StepResult): StepResult => {
    asCancelled(r)
    keep(r)
    options.onResult?.(r)
    if (!r.passed && options.bail) bailed = true
    return r
  }

  /** One step's run in an iteration, its dependencies done: a slot of the gate, the step, its result reported. */
  const runBody = async (
    step: RunStep,
    iteration: number,
    vars: Map<string, string>,
    unset: Set<string>,
  ): Promise<StepResult | null> => {
    if (stopped()) return null
    if (!gate.tryAcquire()) await gate.acquire()
    const scripted = step.scripts && options.scripts?.enabled ? options.scripts : undefined
    if (step.scripts && scripted) return runScripted(step, step.scripts, scripted, iteration, vars, unset)
    try {
      if (stopped()) return null
      const r = await runStep(http, step, iteration, vars, pacer, options, unset)
      if (step.scriptsNotRun !== undefined)
        scriptsNotRun(step.scriptsNotRun, r.result, options, step.scriptsKeptIn)
      return report(r, vars, unset)
    } finally {
      gate.release()
    }
  }

  /**
   * A step whose scripts run, holding the slot `runBody` took. It hands its slot back once its response is in (the
   * slot counts requests in flight; its test script then waits for the sandbox, not the network). Not under
   * --bail, which stops at a failed test.
   */
  const runScripted = async (
    step: RunStep,
    scripts: NonNullable<RunStep['scripts']>,
    scripted: NonNullable<RunOptions['scripts']>,
    iteration: number,
    vars: Map<string, string>,
    unset: Set<string>,
  ): Promise<StepResult | null> => {
    let held = true
    const release = (): void => {
      if (!held) return
      held = false
      gate.release()
    }
    try {
      if (stopped()) return null
      const r = await scriptedStep(
        http,
        step,
        scripts,
        iteration,
        iterations,
        vars,
        scripted,
        (s, v) =>
          // A step a pre-request script changed is resolved once: nothing to keep for reuse.
          runStep(http, s, iteration, v, pacer, options, unset).finally(() => {
            if (s !== step) options.resolved.delete(s)
          }),
        unset,
        options.bail ? undefined : { release, concurrency: options.concurrency },
      )
      return report(r, vars, unset)
    } finally {
      release()
    }
  }
  const lone =
    !inOrder && steps.length === 1 && !(steps[0]?.dependsOn && steps[0].dependsOn.length > 0)
      ? steps[0]
      : undefined

  // Not async itself: it sets up the iteration and hands back the promise of its steps (no frame of its own).
  const runIteration = (iteration: number): Promise<unknown> => {
    const vars = new Map(options.variables ?? [])
    // Names scripts unset: the collection's and environment's values of them are gone for later steps too.
    const unset = new Set<string>()
    const row = rows?.[iteration % rows.length]
    if (row) for (const [k, v] of Object.entries(row)) vars.set(k, v)
    carryScriptValues(options.scripts, vars, unset, row)
    // An iteration of one step with no dependencies (a request run N times) runs it without the bookkeeping that
    // orders several: no map of finished steps, no Promise.all over one promise.
    if (lone) return runBody(lone, iteration, vars, unset)
    const finished = new Map<string, Promise<StepResult | null>>()
    const runOne = (step: RunStep): Promise<StepResult | null> => {
      const existing = finished.get(step.id)
      if (existing) return existing
      const after = step.dependsOn
      const p =
        after && after.length > 0
          ? Promise.all(
              after.map((id) =>
                // In order (as newman runs a collection) a step waits for none: it looks at the dependencies
                // that already ran this iteration. One a setNextRequest passed over does not hold it back.
                inOrder ? (finished.get(id) ?? Promise.resolve(undefined)) : runOne(byId(steps, id)),
              ),
            ).then((deps) =>
              deps.some((d) => (inOrder ? leftInputsOut(d) : failed(d)))
                ? null
                : runBody(step, iteration, vars, unset),
            )
          : runBody(step, iteration, vars, unset)
      finished.set(step.id, p)
      return p
    }
    if (inOrder) {
      const report = (r: StepResult): void => {
        asCancelled(r)
        keep(r)
        options.onResult?.(r)
      }
      // A step may run again (a setNextRequest loop): each run is a fresh one.
      const again = (step: RunStep): Promise<StepResult | null> => {
        finished.delete(step.id)
        return runOne(step)
      }
      return runInOrder(steps, again, stopped, report, iteration)
    }
    return Promise.all(steps.map(runOne))
  }

  // A request run N times whose iterations can differ in nothing the run sets (no data rows, run variables or
  // scripts) and which hands nothing on (no extractions): every iteration shares one empty scope, and each
  // worker runs the step without an async frame, promise or extra turn of the queue per iteration (bare-run.ts).
  // With one step per iteration, a worker's step always finds a free slot of the gate.
  const bare =
    lone !== undefined &&
    lone.extract.length === 0 &&
    !(lone.scripts && options.scripts?.enabled) &&
    !rows &&
    !(options.variables && options.variables.size > 0) &&
    !(options.scripts?.enabled && options.scripts.overlay)
      ? lone
      : undefined
  // At most `concurrency` iterations are alive at once; each request still takes a slot of the gate.
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < iterations && !stopped()) {
      const i = next++
      await runIteration(i)
    }
  }
  const workers = Math.min(iterations, Math.max(1, options.concurrency))
  if (bare) {
    const step = bare
    await runBare(workers, {
      http,
      step,
      pacer,
      options,
      gate,
      take: () => (next < iterations && !stopped() ? next++ : undefined),
      done: (r) => {
        if (step.scriptsNotRun !== undefined)
          scriptsNotRun(step.scriptsNotRun, r, options, step.scriptsKeptIn)
        reported(r)
      },
    })
  } else await Promise.all(Array.from({ length: workers }, worker))
  const durationMs = Date.now() - started
  return {
    results,
    stats: tally ? tally.stats(durationMs) : computeStats(results, started, durationMs),
    bailed,
    cancelled: options.signal?.aborted === true,
    durationMs,
    ...(inOrder && directed ? { directed: true } : {}),
    ...(failuresLeftOut > 0 ? { failuresLeftOut } : {}),
  }
}

/**
 * A step whose request keeps scripts Flightdeck did not translate: its result says so, and it fails unless the
 * run allows it, since the checks those scripts made were not made.
 */
function scriptsNotRun(
  which: string,
  result: StepResult,
  options: RunOptions,
  keptIn = 'the request file',
): void {
  const allowed = options.allowUntranslatedScripts === true
  result.scriptsNotRun = {
    message: `${which} scripts not run: they are kept in ${keptIn}, untranslated${
      allowed
        ? ' (allowed for this run)'
        : '; allow untranslated scripts for the run (--allow-untranslated-scripts) to pass on the other checks'
    }`,
    checksPassed: result.passed,
    allowed,
  }
  if (!allowed) result.passed = false
}

/** A dependency that did not run or failed: a step that dependsOn it does not run (its inputs are not there). */
function failed(d: StepResult | null | undefined): boolean {
  return d === null || (d !== undefined && !(d.passed || d.scriptsNotRun?.checksPassed))
}

/**
 * In order, newman's way: a dependency whose check failed still hands on what it set, and the step after it is
 * sent as newman sends it. One that did not run, got no response (refused, timed out) or left an extracted value
 * without one holds it back: the step would go with an unknown variable, so it is listed as not run instead.
 */
function leftInputsOut(d: StepResult | null | undefined): boolean {
  return d === null || (d !== undefined && failed(d) && (d.error !== undefined || d.missing.length > 0))
}
