import { setMaxListeners } from 'node:events'
import { performance } from 'node:perf_hooks'
import { WEBHOOK_NOT_RUNNING } from '../../shared/async-schemas'
import type { AuthSpec, RequestKind, StopSpec, WaitForWebhookSpec } from '../../shared/collection'
import type { FollowOptionsSpec, LongPollOptionsSpec } from '../../shared/job-options'
import type { SendResult } from '../../shared/contract'
import type { RequestSpec } from '../../shared/request'
import type { Result } from '../../shared/result'
import { defaultDynamicValues, type DynamicValues } from '../../shared/template'
import type { DoneEvent, HeaderList } from '../../shared/timeline'
import { abortableSleep } from '../abortable-sleep'
import { applySimpleAuth } from '../auth/apply-auth'
import type { AuthRunner } from '../auth/auth-runner'
import { confineBody, type FileScope } from '../files/confine'
import type { ExchangeResult, HttpEngine, SessionLink } from '../http/http-engine'
import { resolveForSend } from '../send-rules/variables'
import type { WebhookExpectation, WebhookInbox } from '../webhooks/webhook-inbox'
import { webhookValues, type WebhookValues } from '../webhooks/webhook-values'
import { runJobStep, type JobStepOutcome } from './job-step'
import { runStreamStep, type StreamDeps } from './stream-step'
import {
  MAX_SCAN,
  runAssertions,
  runExtractions,
  runWebhookAssertions,
  type Assertion,
  type AssertionResult,
  type Extraction,
  type WebhookAssertionResult,
} from './checks'
import { computeStats, type RunStats } from './stats'

/**
 * The runner: a set of steps (requests with assertions, extractions and a retry policy, optionally depending
 * on each other) run for a number of iterations — or once per data row — with at most `concurrency` requests
 * in flight, optionally paced. Independent steps of an iteration run at once; a step that depends on others
 * starts when they have finished, with their extracted values in its variables.
 */

export interface RetryPolicy {
  /** How many times to try again after the first attempt. */
  retries: number
  onNetworkError: boolean
  onStatus: number[]
  backoffMs: number
  factor: number
  maxBackoffMs: number
}

export interface RunStep {
  id: string
  name: string
  /** The request file in its collection ('' for steps built by hand). */
  path?: string
  /** `http` (the default), or a stream step that opens an SSE/WebSocket session and ends on `stop`. */
  kind?: RequestKind
  /** Templates unresolved: variables are resolved when the step starts, with that iteration's values. */
  request: RequestSpec
  /** The effective auth (inheritance already applied), templates unresolved. */
  auth?: AuthSpec
  /** The step's own variable scope (collection, folders, environment); iteration values override it. */
  variables?: ReadonlyMap<string, string>
  /** WebSocket: subprotocols, and texts sent once the connection opens. */
  protocols?: string[]
  messages?: string[]
  stop?: StopSpec
  assertions: Assertion[]
  extract: Extraction[]
  retry?: RetryPolicy
  dependsOn?: string[]
  /** HTTP steps: after the response, wait for the webhook call carrying this step's `{{$webhook}}` token. */
  waitForWebhook?: WaitForWebhookSpec
  /** HTTP steps: after the response, follow the job it started; the checks apply to the last poll's answer. */
  followJob?: FollowOptionsSpec
  /** HTTP steps: send again as soon as it answers, until `until` matches; the checks apply to the last answer. */
  longPoll?: LongPollOptionsSpec
}

export interface RunOptions {
  concurrency: number
  iterations: number
  /** Wait this long between starting two requests. */
  delayMs?: number
  /** Start at most this many requests per second. */
  ratePerSecond?: number
  /** Rows whose columns become variables; iteration i uses row i mod rows. */
  data?: Record<string, string>[]
  variables?: ReadonlyMap<string, string>
  /** Stop starting new work after the first failure. */
  bail?: boolean
  signal?: AbortSignal
  onResult?: (r: StepResult) => void
  /** Digest and OAuth 2.0 requests go through this (their token/challenge exchanges); others are sent directly. */
  auth?: AuthRunner
  /** Needed for SSE and WebSocket steps. */
  streams?: StreamDeps
  /** `{{$webhook}}` and `waitForWebhook` need a listening inbox; without one `{{$webhook}}` is unknown. */
  webhooks?: WebhookInbox
  /** The collection's folder and the folders the user allowed: body files may come from nowhere else. */
  files?: FileScope
}

/** A step's wait for its webhook call. */
export interface WebhookOutcome {
  timeoutMs: number
  /** The call, when one came: its session on the timeline, and how long after the response it came. */
  call?: { id: string; method: string; path: string; waitedMs: number }
  /** Why there is no call: `No webhook call within N ms`, or the run was cancelled during the wait. */
  missed?: string
  assertions: WebhookAssertionResult[]
}

export interface StepResult {
  stepId: string
  name: string
  path: string
  iteration: number
  /** The session of the last attempt; earlier attempts are on its lane. */
  sid: string | undefined
  /** Every attempt's session, first to last. */
  sids: string[]
  attempts: number
  status: number | undefined
  error: { code: string; message: string } | undefined
  timeMs: number
  /** Wall-clock ms when the step finished. */
  endedAt: number
  passed: boolean
  assertions: AssertionResult[]
  /** Extractions that found nothing. */
  missing: string[]
  /** Variables used that had no value. */
  unknown: string[]
  /** Steps with `waitForWebhook` whose response passed: the wait and the checks on the call. */
  webhook?: WebhookOutcome
  /** Steps with `followJob` or `longPoll`: how the job went (then `status` and `timeMs` are the job's). */
  job?: JobStepOutcome
}

export interface RunReport {
  results: StepResult[]
  stats: RunStats
  bailed: boolean
  cancelled: boolean
  durationMs: number
}

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
    return await runAll(http, steps, { ...options, signal: own.signal, inFlight, resolved: new Map() })
  } finally {
    outer?.removeEventListener('abort', forward)
  }
}

/** The run's own options: its signal, the HTTP sessions in flight (cancelled with the run), and each step's
 * reusable resolved request. */
type InternalOptions = RunOptions & { inFlight: Set<string>; resolved: Map<RunStep, FixedRequest> }

/** A step's request resolved with `vars` (auth applied), which used no dynamic value. */
interface FixedRequest {
  vars: ReadonlyMap<string, string>
  spec: RequestSpec
  auth: AuthSpec
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

  const runIteration = async (iteration: number): Promise<void> => {
    const vars = new Map(options.variables ?? [])
    const row = rows?.[iteration % rows.length]
    if (row) for (const [k, v] of Object.entries(row)) vars.set(k, v)
    const finished = new Map<string, Promise<StepResult | null>>()
    const runOne = (step: RunStep): Promise<StepResult | null> => {
      const existing = finished.get(step.id)
      if (existing) return existing
      const p = (async (): Promise<StepResult | null> => {
        const deps = await Promise.all((step.dependsOn ?? []).map((id) => runOne(byId(steps, id))))
        // A step whose dependency failed does not run: its inputs are not there.
        if (deps.some((d) => d === null || !d.passed) || stopped()) return null
        await gate.acquire()
        try {
          if (stopped()) return null
          const r = await runStep(http, step, iteration, vars, pacer, options)
          for (const [k, v] of r.extracted) vars.set(k, v)
          results.push(r.result)
          options.onResult?.(r.result)
          if (!r.result.passed && options.bail) bailed = true
          return r.result
        } finally {
          gate.release()
        }
      })()
      finished.set(step.id, p)
      return p
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

async function runStep(
  http: HttpEngine,
  step: RunStep,
  iteration: number,
  iterationVars: ReadonlyMap<string, string>,
  pacer: Pacer,
  options: InternalOptions,
): Promise<{ result: StepResult; extracted: ReadonlyMap<string, string> }> {
  const signal = options.signal
  // Resolution happens here, at step start: extracted values and the data row are this iteration's.
  let vars: ReadonlyMap<string, string> = iterationVars
  if (iterationVars.size === 0) vars = step.variables ?? NOTHING
  else if (step.variables) {
    const merged = new Map(step.variables)
    for (const [k, v] of iterationVars) merged.set(k, v)
    vars = merged
  }
  // `{{$webhook}}` mints one token per step run (every use in the step gets the same URL).
  const inbox = options.webhooks
  const hook = inbox?.baseUrl ? webhookValues(inbox) : undefined
  // An HTTP step resolved with these very variables and no dynamic value (`{{$uuid}}`, …) resolves the same
  // again: reuse it, and let the engine reuse what it worked out from it (the URL, the headers).
  const cached = options.resolved.get(step)
  if (cached && cached.vars === vars)
    return httpStep(http, step, iteration, cached.spec, cached.auth, pacer, options, hook, inbox, true)
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
  const spec = body.value === resolved.spec.body ? resolved.spec : { ...resolved.spec, body: body.value }

  if (step.kind === 'sse' || step.kind === 'ws') {
    if (!options.streams) {
      const error = { code: 'unsupported', message: 'This run cannot open SSE or WebSocket sessions' }
      return { result: failed(step, iteration, [], 0, error, []), extracted: NOTHING }
    }
    if (pacer.paced) await pacer.next()
    const runner = options.auth
    const out = await runStreamStep(options.streams, {
      kind: step.kind,
      spec,
      auth,
      ...(runner ? { authorize: runner.authorize.bind(runner) } : {}),
      protocols: step.protocols ?? [],
      messages,
      stop: step.stop ?? {},
      assertions: step.assertions,
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
    return httpStep(http, step, iteration, fixed.spec, auth, pacer, options, hook, inbox, true)
  }
  return httpStep(http, step, iteration, spec, auth, pacer, options, hook, inbox, false)
}

/** An HTTP step with its request resolved; `fixed`: the spec is the step's cached one (auth applied). */
async function httpStep(
  http: HttpEngine,
  step: RunStep,
  iteration: number,
  spec: RequestSpec,
  auth: AuthSpec,
  pacer: Pacer,
  options: InternalOptions,
  hook: WebhookValues | undefined,
  inbox: WebhookInbox | undefined,
  fixed: boolean,
): Promise<{ result: StepResult; extracted: ReadonlyMap<string, string> }> {
  const wait = step.waitForWebhook
  if (wait && (!inbox || !hook || hook.token === undefined)) {
    const error = {
      code: 'invalid_request',
      message: hook
        ? 'waitForWebhook: the request does not use {{$webhook}}, so no call can be matched to it'
        : WEBHOOK_NOT_RUNNING,
    }
    return { result: failed(step, iteration, [], 0, error, []), extracted: NOTHING }
  }
  // Listen before sending: a callback can come before the response has been read.
  const expectation = wait && inbox && hook?.token ? inbox.expect(hook.token) : undefined
  try {
    return await exchange(http, step, iteration, spec, auth, pacer, options, hook, expectation, fixed)
  } finally {
    expectation?.dispose()
  }
}

/** An HTTP step: send (with retries), check the response, then wait for its webhook call when asked. */
async function exchange(
  http: HttpEngine,
  step: RunStep,
  iteration: number,
  spec: RequestSpec,
  auth: AuthSpec,
  pacer: Pacer,
  options: InternalOptions,
  hook: WebhookValues | undefined,
  expectation: WebhookExpectation | undefined,
  fixed: boolean,
): Promise<{ result: StepResult; extracted: ReadonlyMap<string, string> }> {
  const signal = options.signal
  const authorized = (
    s: RequestSpec,
    link: SessionLink | undefined,
  ): Promise<Result<SendResult>> | Result<SendResult> =>
    options.auth && (auth.type === 'digest' || auth.type === 'oauth2')
      ? options.auth.send(s, auth, 1, link)
      : http.send(applySimpleAuth(s, auth), 1, link)
  const send = (link: SessionLink | undefined): Promise<Result<SendResult>> | Result<SendResult> =>
    fixed ? http.send(spec, 1, link, true) : authorized(spec, link)
  const policy = step.retry
  let attempts = 0
  const sids: string[] = []
  let backoff = policy?.backoffMs ?? 0
  for (;;) {
    if (pacer.paced) await pacer.next()
    attempts++
    const first = sids[0]
    const prev = sids[sids.length - 1]
    const link: SessionLink = {
      name: step.name,
      ...(first ? { lane: first, ...(prev ? { initiator: prev } : {}) } : {}),
    }
    const sentAt = performance.now()
    const sent = await send(link)
    if (!sent.ok)
      return {
        result: failed(step, iteration, sids, attempts, sent.error, []),
        extracted: NOTHING,
      }
    const sid = sent.value.sids[0] as string
    // The call that comes back is drawn as caused by the step's first request (later attempts share its lane).
    if (sids.length === 0) hook?.bind([sid])
    sids.push(sid)
    // Cancelling the run cancels the requests in flight too; they end as cancelled on the timeline.
    options.inFlight.add(sid)
    if (signal?.aborted) http.cancel(sid)
    let outcome
    try {
      outcome = await http.waitFor(sid)
    } finally {
      options.inFlight.delete(sid)
    }
    const final = outcome.final
    const retriable =
      policy !== undefined &&
      attempts <= policy.retries &&
      !signal?.aborted &&
      ((final.type === 'error' && policy.onNetworkError) ||
        (final.type === 'done' && policy.onStatus.includes(final.status)))
    if (retriable && policy) {
      await abortableSleep(backoff, signal)
      backoff = Math.min(policy.maxBackoffMs, backoff * policy.factor)
      continue
    }
    if (final.type !== 'done') {
      const error =
        final.type === 'error'
          ? { code: final.code, message: final.message }
          : { code: 'cancelled', message: 'Cancelled' }
      return {
        result: failed(step, iteration, sids, attempts, error, [], final.timings.time),
        extracted: NOTHING,
      }
    }
    let answer = outcome
    let job: JobStepOutcome | undefined
    if (step.followJob || step.longPoll) {
      const j = await runJobStep(http, {
        ...(step.followJob ? { follow: step.followJob } : {}),
        ...(step.longPoll ? { longPoll: step.longPoll } : {}),
        spec,
        send: authorized,
        startSid: sid,
        sentAt,
        lane: sids[0] ?? sid,
        signal,
        inFlight: options.inFlight,
      })
      job = j.job
      const lastDone = j.last?.final.type === 'done' ? j.last : undefined
      const error =
        j.error ??
        (lastDone ? undefined : { code: 'network', message: `No request got an answer: ${j.job.message}` })
      if (error || !lastDone || !j.job.done) {
        // The job did not end as the step needs: that is the step's outcome (its checks are not run).
        const r = error
          ? failed(step, iteration, sids, attempts, error, [], j.job.durationMs)
          : result(
              step,
              iteration,
              sids,
              attempts,
              lastStatus(lastDone),
              undefined,
              j.job.durationMs,
              false,
              [],
              [],
              [],
            )
        r.job = j.job
        return { result: r, extracted: NOTHING }
      }
      answer = lastDone
    }
    const answered = answer.final as DoneEvent
    const respondedAt = performance.now()
    const view = await responseView(http, answered, answer.events, needsBody(step))
    const assertions = runAssertions(step.assertions, view)
    const { values, missing } = runExtractions(step.extract, view)
    let passed = assertions.every((a) => a.passed) && missing.length === 0
    let webhook: WebhookOutcome | undefined
    // A response that already failed the step is not worth waiting on.
    if (passed && expectation && step.waitForWebhook && options.webhooks) {
      const w = await waitForCall(options.webhooks, expectation, step.waitForWebhook, respondedAt, signal)
      webhook = w.outcome
      for (const [k, v] of w.values) values.set(k, v)
      missing.push(...w.missing)
      passed = w.passed
    }
    const r = result(
      step,
      iteration,
      sids,
      attempts,
      answered.status,
      undefined,
      job ? job.durationMs : final.timings.time,
      passed,
      assertions,
      missing,
      [],
    )
    if (webhook) r.webhook = webhook
    if (job) r.job = job
    return { result: r, extracted: values }
  }
}

const NOTHING: ReadonlyMap<string, string> = new Map()

const lastStatus = (r: ExchangeResult | undefined): number | undefined =>
  r?.final.type === 'done' ? r.final.status : undefined

/** Wait (from the response on) for the step's webhook call, then check it and take values from it. */
async function waitForCall(
  inbox: WebhookInbox,
  expectation: WebhookExpectation,
  wait: WaitForWebhookSpec,
  respondedAt: number,
  signal: AbortSignal | undefined,
): Promise<{
  outcome: WebhookOutcome
  values: ReadonlyMap<string, string>
  missing: string[]
  passed: boolean
}> {
  const got = await expectation.next(wait.timeoutMs, signal)
  if (!got) {
    // Not an error (the request got its response): a check that failed, as a wrong status is.
    const missed =
      signal?.aborted === true
        ? 'Cancelled while waiting for a webhook call'
        : `No webhook call within ${wait.timeoutMs} ms`
    return {
      outcome: { timeoutMs: wait.timeoutMs, missed, assertions: [] },
      values: NOTHING,
      missing: [],
      passed: false,
    }
  }
  const { call } = got
  const checks = wait.assertions ?? []
  const extract = wait.extract ?? []
  const withBody =
    call.body.size > 0 &&
    (checks.some((a) => a.kind === 'json' || a.kind === 'body-contains') ||
      extract.some((x) => x.from !== 'header'))
  const read = withBody
    ? await inbox.bodies.read(call.body.id, 0, Math.min(call.body.size, MAX_SCAN), 'utf8')
    : null
  const view = {
    method: call.method,
    path: call.path,
    headers: call.headers,
    body: read?.ok ? read.value.data : '',
  }
  const assertions = runWebhookAssertions(checks, view)
  const { values, missing } = runExtractions(extract, view)
  return {
    outcome: {
      timeoutMs: wait.timeoutMs,
      call: {
        id: call.id,
        method: call.method,
        path: call.path,
        waitedMs: Math.max(0, Math.round((got.at - respondedAt) * 1000) / 1000),
      },
      assertions,
    },
    values,
    missing,
    passed: assertions.every((a) => a.passed) && missing.length === 0,
  }
}

/** Every result has the same shape, built in one literal (this runs once per request of a run). */
function result(
  step: RunStep,
  iteration: number,
  sids: string[],
  attempts: number,
  status: number | undefined,
  error: StepResult['error'],
  timeMs: number,
  passed: boolean,
  assertions: AssertionResult[],
  missing: string[],
  unknown: string[],
): StepResult {
  return {
    stepId: step.id,
    name: step.name,
    path: step.path ?? '',
    iteration,
    sid: sids[sids.length - 1],
    sids,
    attempts,
    status,
    error,
    timeMs,
    endedAt: Date.now(),
    passed,
    assertions,
    missing,
    unknown,
  }
}

function failed(
  step: RunStep,
  iteration: number,
  sids: string[],
  attempts: number,
  error: { code: string; message: string },
  unknown: string[],
  timeMs = 0,
): StepResult {
  return result(step, iteration, sids, attempts, undefined, error, timeMs, false, [], [], unknown)
}

/** Only steps that look into the body pay for reading it back from the body store. */
function needsBody(step: RunStep): boolean {
  return (
    step.assertions.some((a) => a.kind === 'json' || a.kind === 'body-contains') ||
    step.extract.some((x) => x.from !== 'header')
  )
}

async function responseView(
  http: HttpEngine,
  done: DoneEvent,
  events: readonly { type: string }[],
  withBody: boolean,
): Promise<{
  done: DoneEvent
  headers: HeaderList
  body: string
}> {
  let headers: HeaderList = []
  for (const e of events) {
    const h = e as { type: string; sid?: string; headers?: HeaderList }
    if (h.type === 'response-headers' && h.sid === done.sid && h.headers) headers = h.headers
  }
  const read =
    withBody && done.body.size > 0
      ? await http.bodies.read(done.body.id, 0, Math.min(done.body.size, MAX_SCAN), 'utf8')
      : null
  return { done, headers, body: read?.ok ? read.value.data : '' }
}

function byId(steps: readonly RunStep[], id: string): RunStep {
  const s = steps.find((x) => x.id === id)
  if (!s) throw new Error(`Unknown step ${id}`)
  return s
}

/** Refuse unknown dependencies and cycles up front, with the names involved. */
export function checkGraph(steps: readonly RunStep[]): void {
  const ids = new Set(steps.map((s) => s.id))
  for (const s of steps)
    for (const d of s.dependsOn ?? [])
      if (!ids.has(d)) throw new Error(`Step "${s.name}" depends on unknown step ${d}`)
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (s: RunStep, path: string[]): void => {
    const st = state.get(s.id)
    if (st === 'done') return
    if (st === 'visiting')
      throw new Error(`Steps depend on each other in a cycle: ${[...path, s.name].join(' → ')}`)
    state.set(s.id, 'visiting')
    for (const d of s.dependsOn ?? []) visit(byId(steps, d), [...path, s.name])
    state.set(s.id, 'done')
  }
  for (const s of steps) visit(s, [])
}

class Semaphore {
  private waiting: (() => void)[] = []
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--
      return
    }
    await new Promise<void>((r) => this.waiting.push(r))
  }
  release(): void {
    const w = this.waiting.shift()
    if (w) w()
    else this.free++
  }
}

/** Spaces request starts by a fixed delay or a rate; free-running when neither is set. */
class Pacer {
  private nextAt = 0
  private readonly gap: number
  constructor(delayMs: number | undefined, ratePerSecond: number | undefined) {
    this.gap = Math.max(delayMs ?? 0, ratePerSecond && ratePerSecond > 0 ? 1000 / ratePerSecond : 0)
  }
  /** False when free-running: callers skip `next()` (and its await) entirely. */
  get paced(): boolean {
    return this.gap > 0
  }
  async next(): Promise<void> {
    if (this.gap <= 0) return
    const now = Date.now()
    const at = Math.max(now, this.nextAt)
    this.nextAt = at + this.gap
    if (at > now) await abortableSleep(at - now)
  }
}
