import { setMaxListeners } from 'node:events'
import { defaultDynamicValues, type DynamicValues } from '../../shared/template'
import { applySimpleAuth } from '../auth/apply-auth'
import { confineBody } from '../files/confine'
import type { HttpEngine } from '../http/http-engine'
import { resolveForSend, unknownVariables } from '../send-rules/variables'
import { resolveAssertions } from './assertion-templates'
import { webhookValues, type WebhookValues } from '../webhooks/webhook-values'
import type { WebhookInbox } from '../webhooks/webhook-inbox'
import type { RequestSpec } from '../../shared/request'
import type { StreamEngine } from '../streams/stream-engine'
import { runStreamStep, type StreamStepInput } from './stream-step'
import { computeStats } from './stats'
import {
  failed,
  NOTHING,
  result,
  type InternalOptions,
  type RunOptions,
  type RunReport,
  type RunStep,
  type StepResult,
  type StepRun,
} from './run-step'
import { byId, checkGraph } from './step-graph'
import { Pacer, Semaphore } from './pacing'
import { httpStep } from './http-step'
import { carryScriptValues, runInOrder, runsInOrder, scriptedStep } from './script-step'
import { newTraceId } from '../trace/trace-ids'

/**
 * The runner: a set of steps (requests with assertions, extractions and a retry policy, optionally depending
 * on each other) run for a number of iterations — or once per data row — with at most `concurrency` requests
 * in flight, optionally paced. Independent steps of an iteration run at once; a step that depends on others
 * starts when they have finished, with their extracted values in its variables.
 */

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
      runTraceId: newTraceId(),
    })
  } finally {
    outer?.removeEventListener('abort', forward)
  }
}

/** Dynamic values that note whether a resolution used any of them (then it cannot be reused). */
function watchDynamic(base: DynamicValues): { values: DynamicValues; used: boolean } {
  const w = {
    used: false,
    values: {
      uuid: () => {
        w.used = true
        return base.uuid()
      },
      now: () => {
        w.used = true
        return base.now()
      },
      random: () => {
        w.used = true
        return base.random()
      },
    } as DynamicValues,
  }
  const webhook = base.webhook
  if (webhook)
    w.values.webhook = () => {
      w.used = true
      return webhook()
    }
  return w
}

const NO_DEPS: readonly (StepResult | null)[] = []

async function runAll(
  http: HttpEngine,
  steps: readonly RunStep[],
  options: InternalOptions,
): Promise<RunReport> {
  const started = Date.now()
  const results: StepResult[] = []
  const gate = new Semaphore(Math.max(1, options.concurrency))
  const pacer = new Pacer(options.delayMs, options.ratePerSecond)
  let bailed = false
  const stopped = (): boolean => bailed || options.signal?.aborted === true

  const rows = options.data && options.data.length > 0 ? options.data : undefined
  const iterations = Math.max(1, options.iterations)
  const inOrder = runsInOrder(steps, options.concurrency, options.scripts)

  const runIteration = async (iteration: number): Promise<void> => {
    const vars = new Map(options.variables ?? [])
    // Names scripts unset: the collection's and environment's values of them are gone for later steps too.
    const unset = new Set<string>()
    const row = rows?.[iteration % rows.length]
    if (row) for (const [k, v] of Object.entries(row)) vars.set(k, v)
    carryScriptValues(options.scripts, vars, unset, row)
    const finished = new Map<string, Promise<StepResult | null>>()
    const runOne = (step: RunStep): Promise<StepResult | null> => {
      const existing = finished.get(step.id)
      if (existing) return existing
      const p = (async (): Promise<StepResult | null> => {
        // In order (as newman runs a collection), every step runs whatever the ones before it did. A step with
        // no dependencies does not wait on an empty Promise.all (a promise and a turn per step run).
        const after = inOrder ? undefined : step.dependsOn
        const deps =
          after && after.length > 0 ? await Promise.all(after.map((id) => runOne(byId(steps, id)))) : NO_DEPS
        // A step whose dependency failed does not run: its inputs are not there.
        if (deps.some((d) => d === null || !(d.passed || d.scriptsNotRun?.checksPassed)) || stopped())
          return null
        await gate.acquire()
        // A scripted step hands its slot back once its response is in (the slot counts requests in flight; its
        // test script then waits for the sandbox, not the network). Not under --bail, which stops at a failed test.
        let held = true
        const release = (): void => {
          if (!held) return
          held = false
          gate.release()
        }
        try {
          if (stopped()) return null
          const scripted = step.scripts && options.scripts?.enabled ? options.scripts : undefined
          const r =
            step.scripts && scripted
              ? await scriptedStep(
                  http,
                  step,
                  step.scripts,
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
              : await runStep(http, step, iteration, vars, pacer, options, unset)
          if (step.scriptsNotRun !== undefined && !scripted)
            scriptsNotRun(step.scriptsNotRun, r.result, options, step.scriptsKeptIn)
          for (const [k, v] of r.extracted) {
            vars.set(k, v)
            unset.delete(k)
          }
          for (const k of r.unset ?? []) {
            vars.delete(k)
            unset.add(k)
          }
          results.push(r.result)
          options.onResult?.(r.result)
          if (!r.result.passed && options.bail) bailed = true
          return r.result
        } finally {
          release()
        }
      })()
      finished.set(step.id, p)
      return p
    }
    if (inOrder) {
      const report = (r: StepResult): void => {
        results.push(r)
        options.onResult?.(r)
      }
      // A step may run again (a setNextRequest loop): each run is a fresh one.
      const again = (step: RunStep): Promise<StepResult | null> => {
        finished.delete(step.id)
        return runOne(step)
      }
      await runInOrder(steps, again, stopped, report, iteration)
      return
    }
    await Promise.all(steps.map(runOne))
  }

  // At most `concurrency` iterations are alive at once; each request still takes a slot of the gate.
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < iterations && !stopped()) {
      const i = next++
      await runIteration(i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(iterations, Math.max(1, options.concurrency)) }, worker))
  const durationMs = Date.now() - started
  return {
    results,
    stats: computeStats(results, started, durationMs),
    bailed,
    cancelled: options.signal?.aborted === true,
    durationMs,
  }
}

/** An MQTT or Socket.IO step's open and sends (their module loads only when such a step runs). */
async function messagingHooks(
  streams: StreamEngine,
  step: RunStep,
  spec: RequestSpec,
): Promise<NonNullable<StreamStepInput['hooks']>> {
  const m = await import('../mqtt/messaging-step')
  return step.kind === 'mqtt'
    ? m.mqttStepHooks(streams, spec, step.mqtt ?? { subscriptions: [], publishes: [] })
    : m.socketIoStepHooks(streams, spec, step.socketio ?? { listen: [], emits: [] })
}

/**
 * A step's run. Not itself async: a step whose request was resolved before with the same variables (every
 * iteration of an unchanging request) goes straight to its HTTP exchange, without a promise of its own around
 * it; the rest resolve in `resolveAndRun`.
 */
function runStep(
  http: HttpEngine,
  step: RunStep,
  iteration: number,
  iterationVars: ReadonlyMap<string, string>,
  pacer: Pacer,
  options: InternalOptions,
  unset?: ReadonlySet<string>,
): Promise<StepRun> {
  try {
    // Resolution happens here, at step start: extracted values and the data row are this iteration's.
    let vars: ReadonlyMap<string, string> = iterationVars
    if (iterationVars.size === 0 && !unset?.size) vars = step.variables ?? NOTHING
    else if (step.variables) {
      const merged = new Map(step.variables)
      // A name a script unset earlier is gone unless it was set again since (then it is in the iteration's).
      for (const k of unset ?? []) if (!iterationVars.has(k)) merged.delete(k)
      for (const [k, v] of iterationVars) merged.set(k, v)
      vars = merged
    }
    // `{{$webhook}}` mints one token per step run (every use in the step gets the same URL).
    const inbox = options.webhooks
    const hook = inbox?.baseUrl ? webhookValues(inbox) : undefined
    const checks = resolveAssertions(step.assertions, vars, hook?.dyn)
    if (checks.unknown.length > 0) {
      const error = unknownVariables(checks.unknown, " in the step's assertions")
      return Promise.resolve({
        result: failed(step, iteration, [], 0, error, checks.unknown),
        extracted: NOTHING,
      })
    }
    const checked = checks.assertions === step.assertions ? step : { ...step, assertions: checks.assertions }
    // An HTTP step resolved with these very variables and no dynamic value (`{{$uuid}}`, …) resolves the same
    // again: reuse it, and let the engine reuse what it worked out from it (the URL, the headers).
    const cached = options.resolved.get(step)
    if (cached && cached.vars === vars)
      return httpStep(http, checked, iteration, cached.spec, cached.auth, pacer, options, hook, inbox, true)
    return resolveAndRun(http, step, checked, iteration, vars, pacer, options, hook, inbox)
  } catch (e) {
    return Promise.reject(e)
  }
}

/** A step whose request resolves now (its first run, or its variables or a dynamic value changed). */
async function resolveAndRun(
  http: HttpEngine,
  step: RunStep,
  checked: RunStep,
  iteration: number,
  vars: ReadonlyMap<string, string>,
  pacer: Pacer,
  options: InternalOptions,
  hook: WebhookValues | undefined,
  inbox: WebhookInbox | undefined,
): Promise<StepRun> {
  const signal = options.signal
  const dyn = watchDynamic(hook?.dyn ?? defaultDynamicValues)
  const sent = resolveForSend(step.request, step.auth ?? { type: 'none' }, vars, dyn.values, step.messages)
  if (!sent.ok) {
    const error = { code: sent.error.code, message: sent.error.message }
    return { result: failed(step, iteration, [], 0, error, sent.unknown), extracted: NOTHING }
  }
  const resolved = sent.value
  const messages = resolved.extra
  const { auth } = resolved
  // After variables resolve (a data row may name the file): a file outside the collection fails the step unsent.
  const body = await confineBody(resolved.spec.body, options.files ?? null)
  if (!body.ok) {
    const error = { code: body.error.code, message: body.error.message }
    return { result: failed(step, iteration, [], 0, error, []), extracted: NOTHING }
  }
  let spec = body.value === resolved.spec.body ? resolved.spec : { ...resolved.spec, body: body.value }
  if (step.graphqlGet) {
    const { graphqlGetRequest } = await import('../graphql/graphql-get-step')
    const composed = await graphqlGetRequest(spec, messages, step.graphqlGet)
    if (!composed.ok) {
      const error = { code: composed.error.code, message: composed.error.message }
      return { result: failed(step, iteration, [], 0, error, []), extracted: NOTHING }
    }
    spec = composed.value
  }

  if (
    step.kind === 'sse' ||
    step.kind === 'ws' ||
    step.kind === 'grpc' ||
    step.kind === 'mqtt' ||
    step.kind === 'socketio' ||
    (step.kind === 'graphql' && step.graphql !== undefined)
  ) {
    if (!options.streams) {
      const error = { code: 'unsupported', message: 'This run cannot open SSE, WebSocket or gRPC sessions' }
      return { result: failed(step, iteration, [], 0, error, []), extracted: NOTHING }
    }
    if (pacer.paced) await pacer.next()
    const runner = options.auth
    const out =
      step.kind === 'grpc' && step.grpc
        ? await (
            await import('../grpc/grpc-step')
          ).runGrpcStep(options.streams, {
            spec: applySimpleAuth(spec, auth),
            messages,
            grpc: step.grpc,
            stop: step.stop ?? {},
            assertions: checked.assertions,
            ...(options.files ? { files: options.files } : {}),
            ...(signal ? { signal } : {}),
          })
        : await runStreamStep(options.streams, {
            kind:
              step.kind === 'sse' ||
              step.kind === 'mqtt' ||
              step.kind === 'socketio' ||
              step.kind === 'graphql'
                ? step.kind
                : 'ws',
            spec,
            auth,
            ...(step.kind === 'mqtt' || step.kind === 'socketio'
              ? { hooks: await messagingHooks(options.streams.streams, step, applySimpleAuth(spec, auth)) }
              : runner
                ? { authorize: runner.authorize.bind(runner) }
                : {}),
            ...(step.kind === 'graphql' && step.graphql
              ? {
                  hooks: (await import('../graphql/graphql-ws-step')).graphqlWsStepHooks(
                    options.streams.streams,
                    step.graphql,
                    messages,
                    { http, auth: runner },
                  ),
                }
              : {}),
            ...(step.graphql
              ? await (
                  await import('../graphql/graphql-ws-step')
                ).graphqlStepChecks(options.streams.streams, step.graphql)
              : {}),
            protocols: step.protocols ?? [],
            messages,
            stop: step.stop ?? {},
            assertions: checked.assertions,
            ...(signal ? { signal } : {}),
          })
    const passed = out.error === undefined && out.assertions.every((a) => a.passed)
    const sids = out.sid ? [out.sid] : []
    hook?.bind(sids)
    return {
      result: result(
        step,
        iteration,
        sids,
        1,
        out.status,
        out.error,
        out.timeMs,
        passed,
        out.assertions,
        [],
        [],
      ),
      extracted: NOTHING,
    }
  }

  // A job's polls are authorized one by one (and not at all on another origin): its request stays without them.
  const reusable =
    !dyn.used &&
    !step.waitForWebhook &&
    !step.followJob &&
    !step.longPoll &&
    (step.kind ?? 'http') === 'http' &&
    auth.type !== 'digest' &&
    auth.type !== 'oauth2'
  if (reusable) {
    const fixed = { vars, spec: applySimpleAuth(spec, auth), auth }
    options.resolved.set(step, fixed)
    return httpStep(http, checked, iteration, fixed.spec, auth, pacer, options, hook, inbox, true)
  }
  return httpStep(http, checked, iteration, spec, auth, pacer, options, hook, inbox, false)
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
