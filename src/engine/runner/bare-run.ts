import type { ExchangeResult, HttpEngine } from '../http/http-engine'
import type { RequestSpec } from '../../shared/request'
import { plainResult, queuePlain, type StepSendPlan } from './http-step'
import type { Pacer, Semaphore } from './pacing'
import type { InternalOptions, RunStep, StepResult, StepRun } from './run-step'
import { readyPlain, runStep, type ReadyPlain } from './step-run'

/**
 * A request run N times that nothing of an iteration can change (runner.ts's `bare` run): each worker keeps one
 * request in flight and starts the next once the last one's result is reported. A plain send (the step resolved
 * once, checked on its status and headers) is waited for through the engine's `whenSettled`, with a function the
 * worker made once, and taken up in one microtask: no async frame or resolver closures per request, and no promise
 * but the microtask's. The step's first run, and a step that does not go the plain way, go through `runStep` as
 * any step does.
 */
export interface BareRun {
  http: HttpEngine
  step: RunStep
  pacer: Pacer
  options: InternalOptions
  /** Every request takes a slot (the run's count of requests in flight); a worker always finds one free. */
  gate: Semaphore
  /** The next iteration to run, or undefined when there is none (all started, the run bailed or was cancelled). */
  take(): number | undefined
  /** A step's run finished: its result reported (a bare step extracts nothing and unsets nothing). */
  done(result: StepResult): void
}

const RESOLVED = Promise.resolve()
const NO_VARS: ReadonlyMap<string, string> = new Map()
const NONE_UNSET: ReadonlySet<string> = new Set()

/**
 * `workers` loops over the run's iterations; settles when all have ended. The first that throws rejects it and
 * stops them all: no worker starts another request, and the results still to come are not reported, since the run
 * has ended on that error.
 */
export function runBare(workers: number, run: BareRun): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let left = workers
    const state: BareState = {
      broken: false,
      ready: undefined,
      ended: () => {
        if (--left === 0) resolve()
      },
      failed: (e) => {
        if (state.broken) return
        state.broken = true
        reject(e)
      },
    }
    for (let w = 0; w < workers; w++) new BareWorker(run, state).next()
  })
}

/** What a run's workers share: whether one threw, the step's plain send as last worked out, how each says it has ended. */
interface BareState {
  broken: boolean
  ready: ReadyPlain | undefined
  ended(): void
  failed(e: unknown): void
}

class BareWorker {
  private iteration = 0
  private sid = ''
  private spec: RequestSpec | null = null
  private planned: StepSendPlan | null = null
  private outcome: ExchangeResult | null = null

  constructor(
    private readonly run: BareRun,
    private readonly state: BareState,
  ) {}

  /** Runs the next iteration, or says the worker has ended when none is left. */
  next(): void {
    const { http, step, pacer, options, gate } = this.run
    try {
      if (this.state.broken) return
      const i = this.run.take()
      if (i === undefined) {
        this.state.ended()
        return
      }
      gate.tryAcquire()
      const ready = (this.state.ready = readyPlain(step, pacer, options, this.state.ready))
      this.iteration = i
      if (!ready) {
        runStep(http, step, i, NO_VARS, pacer, options, NONE_UNSET).then(this.ranStep, this.stepThrew)
        return
      }
      const sid = queuePlain(http, step, options, undefined, ready.planned, ready.spec)
      this.sid = sid
      this.spec = ready.spec
      this.planned = ready.planned
      if (!http.whenSettled(sid, this.settled)) throw new Error(`Unknown session ${sid}`)
    } catch (e) {
      this.threw(e)
    }
  }

  // Bound once each, handed over for every request.

  /**
   * The engine's word that the request ended: taken up in a microtask, after the engine's own work for it (its end
   * recorded, its connection back in the pool), as an await would. A resolved promise's `then` is V8's own
   * microtask; Node's queueMicrotask wraps each in an async resource (three to five times the CPU).
   */
  private readonly settled = (r: ExchangeResult): void => {
    this.outcome = r
    void RESOLVED.then(this.takeUp)
  }

  private readonly takeUp = (): void => {
    const { options, gate } = this.run
    try {
      const outcome = this.outcome as ExchangeResult
      this.outcome = null
      options.inFlight.delete(this.sid)
      gate.release()
      if (this.state.broken) return
      const spec = this.spec as RequestSpec
      const planned = this.planned as StepSendPlan
      this.run.done(plainResult(this.run.step, this.iteration, this.sid, spec, planned, outcome))
    } catch (e) {
      this.threw(e)
      return
    }
    this.next()
  }

  private readonly ranStep = (r: StepRun): void => {
    try {
      this.run.gate.release()
      if (this.state.broken) return
      this.run.done(r.result)
    } catch (e) {
      this.threw(e)
      return
    }
    this.next()
  }

  private readonly stepThrew = (e: unknown): void => {
    this.run.gate.release()
    this.threw(e)
  }

  private readonly threw = (e: unknown): void => {
    this.state.failed(e)
  }
}
