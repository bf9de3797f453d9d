import type { ExchangeResult, HttpEngine } from '../http/http-engine'
import type { RequestSpec } from '../../shared/request'
import { plainRun, queuePlain, type StepSendPlan } from './http-step'
import type { Pacer, Semaphore } from './pacing'
import type { InternalOptions, RunStep, StepRun } from './run-step'
import { readyPlain, runStep } from './step-run'

/**
 * A request run N times that nothing of an iteration can change (runner.ts's `bare` run): each worker keeps one
 * request in flight and starts the next once the last one's result is reported. A plain send (the step resolved
 * once, checked on its status and headers) is waited for through the engine's `whenSettled`, with a function the
 * worker made once, and taken up in one microtask: no async frame, promise or resolver closures per request. The
 * step's first run, and a step that does not go the plain way, go through `runStep` as any step does.
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
  /** A step's run finished: its result reported. */
  done(run: StepRun): void
}

const NO_VARS: ReadonlyMap<string, string> = new Map()
const NONE_UNSET: ReadonlySet<string> = new Set()

/** `workers` loops over the run's iterations; settles when all have ended, rejects on the first that threw. */
export function runBare(workers: number, run: BareRun): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let left = workers
    const ended = (): void => {
      if (--left === 0) resolve()
    }
    for (let w = 0; w < workers; w++) new BareWorker(run, ended, reject).next()
  })
}

class BareWorker {
  private iteration = 0
  private sid = ''
  private spec: RequestSpec | null = null
  private planned: StepSendPlan | null = null
  private outcome: ExchangeResult | null = null
  private stopped = false

  constructor(
    private readonly run: BareRun,
    private readonly ended: () => void,
    private readonly failed: (e: unknown) => void,
  ) {}

  /** Runs iterations until one waits on the network or none is left. */
  next(): void {
    const { http, step, pacer, options, gate } = this.run
    try {
      for (;;) {
        const i = this.run.take()
        if (i === undefined) {
          this.stopped = true
          this.ended()
          return
        }
        gate.tryAcquire()
        const ready = readyPlain(step, pacer, options)
        if (!ready) {
          this.iteration = i
          runStep(http, step, i, NO_VARS, pacer, options, NONE_UNSET).then(this.ranStep, this.stepThrew)
          return
        }
        const sid = queuePlain(http, step, i, ready.spec, options, undefined, ready.planned)
        if (typeof sid !== 'string') {
          gate.release()
          this.run.done(sid)
          continue
        }
        this.iteration = i
        this.sid = sid
        this.spec = ready.spec
        this.planned = ready.planned
        if (!http.whenSettled(sid, this.settled)) throw new Error(`Unknown session ${sid}`)
        return
      }
    } catch (e) {
      this.threw(e)
    }
  }

  // Bound once each, handed over for every request.

  /** The engine's word that the request ended: taken up after the engine's own work for it, as an await would. */
  private readonly settled = (r: ExchangeResult): void => {
    this.outcome = r
    queueMicrotask(this.takeUp)
  }

  private readonly takeUp = (): void => {
    const { options, gate } = this.run
    try {
      const outcome = this.outcome as ExchangeResult
      this.outcome = null
      options.inFlight.delete(this.sid)
      gate.release()
      const spec = this.spec as RequestSpec
      const planned = this.planned as StepSendPlan
      this.run.done(plainRun(this.run.step, this.iteration, this.sid, spec, planned, outcome))
    } catch (e) {
      this.threw(e)
      return
    }
    this.next()
  }

  private readonly ranStep = (r: StepRun): void => {
    try {
      this.run.gate.release()
      this.run.done(r)
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
    if (this.stopped) return
    this.stopped = true
    this.failed(e)
  }
}
