import { WEBHOOK_NOT_RUNNING } from '../../shared/async-schemas'
import type { AuthSpec } from '../../shared/collection'
import type { SendResult } from '../../shared/contract'
import type { RequestSpec } from '../../shared/request'
import type { Result } from '../../shared/result'
import type { DoneEvent, HeaderList } from '../../shared/timeline'
import { abortableSleep } from '../abortable-sleep'
import { monotonicMs } from '../clock'
import { applySimpleAuth } from '../auth/apply-auth'
import type { ExchangeResult, HttpEngine, SessionLink } from '../http/http-engine'
import type { WebhookExpectation, WebhookInbox } from '../webhooks/webhook-inbox'
import type { WebhookValues } from '../webhooks/webhook-values'
import { runJobStep, type JobStepOutcome } from './job-step'
import { MAX_SCAN, runAssertions, runExtractions, type MissingValue, type ResponseView } from './checks'
import {
  failed,
  NO_MISSING,
  NO_UNKNOWN,
  NOTHING,
  result,
  type InternalOptions,
  type RunStep,
  type StepResult,
  type StepRun,
  type WebhookOutcome,
} from './run-step'
import type { Pacer } from './pacing'
import { waitForCall } from './webhook-wait'
import { getUrlTooLong, queryAnswerErrors } from '../graphql/graphql-step'
import { stepTracePlan } from '../trace/run-trace'

/**
 * A run's HTTP step: sent with retries, its job followed when it starts one, its response checked, then its
 * webhook call waited for when the step asks for one.
 */

/** An HTTP step with its request resolved; `fixed`: the spec is the step's cached one (auth applied). */
export function httpStep(
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
): Promise<StepRun> {
  const wait = step.waitForWebhook
  if (wait && (!inbox || !hook || hook.token === undefined)) {
    const error = {
      code: 'invalid_request',
      message: hook
        ? 'waitForWebhook: the request does not use {{$webhook}}, so no call can be matched to it'
        : WEBHOOK_NOT_RUNNING,
    }
    return Promise.resolve({ result: failed(step, iteration, [], 0, error, []), extracted: NOTHING })
  }
  // A step that waits for no call has nothing to dispose after: its exchange's promise is the step's.
  if (!wait) {
    if (fixed) {
      const planned = planOf(step, pacer, options)
      if (planned.plain) return sendOnce(http, step, iteration, spec, options, hook, planned)
    }
    return exchange(http, step, iteration, spec, auth, pacer, options, hook, undefined, fixed)
  }
  // Listen before sending: a callback can come before the response has been read.
  const expectation = inbox && hook?.token ? inbox.expect(hook.token) : undefined
  return exchange(http, step, iteration, spec, auth, pacer, options, hook, expectation, fixed).finally(() =>
    expectation?.dispose(),
  )
}

/**
 * A step sent as it is, once, and checked on its headers and status alone (no retries, job, webhook, pacing or
 * body to read): the most common step, and every iteration of a request run N times. Its own small async
 * function: one await, a frame with a handful of slots, nothing made for the cases it does not have.
 */
function plain(step: RunStep, pacer: Pacer, options: InternalOptions): boolean {
  return (
    // A test script reads the response's body after the step: a lean request counts its body and keeps none.
    !(options.scripts?.enabled && step.scripts !== undefined && step.scripts.post.length > 0) &&
    step.retry === undefined &&
    !step.followJob &&
    !step.longPoll &&
    !step.waitForWebhook &&
    !pacer.paced &&
    !needsBody(step)
  )
}

async function sendOnce(
  http: HttpEngine,
  step: RunStep,
  iteration: number,
  spec: RequestSpec,
  options: InternalOptions,
  hook: WebhookValues | undefined,
  planned: StepSendPlan,
): Promise<StepRun> {
  const sid = queuePlain(http, step, options, hook, planned, spec)
  let outcome: ExchangeResult
  try {
    outcome = await http.waitFor(sid)
  } finally {
    options.inFlight.delete(sid)
  }
  return plainRun(step, iteration, sid, spec, planned, outcome)
}

/**
 * A plain step's request queued (lean: only the result's final event, headers, trace id and resends are read, never
 * its events), in the run's requests in flight until its result is taken: its session id. A request that cannot be
 * sent (a bad URL, say) still gets one, and ends at once with an error.
 */
export function queuePlain(
  http: HttpEngine,
  step: RunStep,
  options: InternalOptions,
  hook: WebhookValues | undefined,
  planned: StepSendPlan,
  spec: RequestSpec,
): string {
  const sid = http.sendFixedLean(spec, planned.link)
  hook?.bind([sid])
  step.onSession?.(sid)
  options.inFlight.add(sid)
  if (options.signal?.aborted) http.cancel(sid)
  return sid
}

/** A plain step's run from its request's outcome (taken out of the run's requests in flight by the caller). */
export function plainRun(
  step: RunStep,
  iteration: number,
  sid: string,
  spec: RequestSpec,
  planned: StepSendPlan,
  outcome: ExchangeResult,
): StepRun {
  if (step.extract.length === 0)
    return { result: plainResult(step, iteration, sid, spec, planned, outcome), extracted: NOTHING }
  const final = outcome.final
  const run =
    final.type === 'done'
      ? checked(step, iteration, [sid], 1, final, outcome.headers, spec, planned.readsHeaders)
      : {
          result: failed(step, iteration, [sid], 1, endError(final), [], final.timings.time),
          extracted: NOTHING,
        }
  withTrace(run.result, outcome)
  return run
}

/**
 * A plain step's result from its request's outcome, for a step that extracts nothing (a request run N times): the
 * result alone, with no run around it.
 */
export function plainResult(
  step: RunStep,
  iteration: number,
  sid: string,
  spec: RequestSpec,
  planned: StepSendPlan,
  outcome: ExchangeResult,
): StepResult {
  if (step.extract.length > 0) throw new Error(`plainResult: step ${step.id} extracts values`)
  const final = outcome.final
  return withTrace(
    final.type === 'done'
      ? checkedResult(
          step,
          iteration,
          [sid],
          1,
          final,
          plainView(final, outcome.headers, planned.readsHeaders),
          spec,
          NO_MISSING,
        )
      : failed(step, iteration, [sid], 1, endError(final), NO_UNKNOWN, final.timings.time),
    outcome,
  )
}

/** The trace id and resends of a step's request, put on its result. */
function withTrace(r: StepResult, outcome: ExchangeResult): StepResult {
  if (outcome.traceId !== undefined) r.traceId = outcome.traceId
  if (outcome.resent > 0) r.resent = outcome.resent
  return r
}

/**
 * What a run works out once for each of its steps, not at every send: whether the step goes the plain way, and the
 * link its first attempt is sent with (shared by its sends: the engine only reads it). A step with an id reserved
 * for its attempt is not kept (a script's step, sent once).
 */
export interface StepSendPlan {
  plain: boolean
  link: SessionLink
  /** A check or extraction reads the response's headers (the others need no search of its events for them). */
  readsHeaders: boolean
}

export function planOf(step: RunStep, pacer: Pacer, options: InternalOptions): StepSendPlan {
  let planned = options.sendPlans.get(step)
  if (planned) return planned
  planned = {
    plain: plain(step, pacer, options),
    link: firstLink(step, options),
    readsHeaders: step.extract.length > 0 || step.assertions.some((a) => a.kind === 'header'),
  }
  if (!step.sid) options.sendPlans.set(step, planned)
  return planned
}

/** A step's first attempt's link: its name, and the id reserved for it or the run's trace when it has them. */
function firstLink(step: RunStep, options: InternalOptions): SessionLink {
  const link: SessionLink = { name: step.name }
  if (step.sid) link.sid = step.sid
  const trace = stepTracePlan(step.trace, options.trace, options.runTraceId)
  if (trace) link.trace = trace
  return link
}

/** Why an exchange that did not end in a response failed its step. */
function endError(final: Exclude<ExchangeResult['final'], DoneEvent>): { code: string; message: string } {
  return final.type === 'error'
    ? { code: final.code, message: final.message }
    : { code: 'cancelled', message: 'Cancelled' }
}

const NO_HEADERS: HeaderList = []

/** What the checks of a step that reads no body see of its response. */
function plainView(answered: DoneEvent, responseHeaders: HeaderList, readsHeaders: boolean): ResponseView {
  return { done: answered, headers: readsHeaders ? responseHeaders : NO_HEADERS, body: '' }
}

/** The checks on a response whose body none of them reads, and the step's result from them. */
function checked(
  step: RunStep,
  iteration: number,
  sids: string[],
  attempts: number,
  answered: DoneEvent,
  responseHeaders: HeaderList,
  spec: RequestSpec,
  readsHeaders: boolean,
): StepRun {
  const view = plainView(answered, responseHeaders, readsHeaders)
  // Most steps extract nothing: no map (nor an object around it) made for it.
  let values: Map<string, string> | ReadonlyMap<string, string> = NOTHING
  let missing: MissingValue[] = []
  if (step.extract.length > 0) ({ values, missing } = runExtractions(step.extract, view))
  return {
    result: checkedResult(step, iteration, sids, attempts, answered, view, spec, missing),
    extracted: values,
  }
}

/** A plain step's result from its assertions on `view` and its extractions' missing values. */
function checkedResult(
  step: RunStep,
  iteration: number,
  sids: string[],
  attempts: number,
  answered: DoneEvent,
  view: ResponseView,
  spec: RequestSpec,
  missing: MissingValue[],
): StepResult {
  const assertions = runAssertions(step.assertions, view)
  if (step.graphqlGet) assertions.push(...getUrlTooLong(view, spec.url))
  const passed = assertions.every((a) => a.passed) && missing.length === 0
  const r = result(
    step,
    iteration,
    sids,
    attempts,
    answered.status,
    undefined,
    answered.timings.time,
    passed,
    assertions,
    missing,
    NO_UNKNOWN,
  )
  if (answered.serverTiming) r.serverTiming = answered.serverTiming.entries
  return r
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
): Promise<StepRun> {
  // The trace id the step's requests went out with (the first that had one), and how many of them went a second
  // time (the server cut the first off): put on whichever result it ends with.
  let traceId: string | undefined
  let resent = 0
  const traced = (run: StepRun): StepRun => {
    if (traceId !== undefined) run.result.traceId = traceId
    if (resent > 0) run.result.resent = resent
    return run
  }
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
    const trace = stepTracePlan(step.trace, options.trace, options.runTraceId)
    // Fields set one by one rather than spread from literals: this runs for every request of a run.
    const link: SessionLink = { name: step.name }
    if (first) {
      link.lane = first
      if (prev) link.initiator = prev
    } else if (step.sid) link.sid = step.sid
    if (trace) link.trace = trace
    const sentAt = step.followJob || step.longPoll ? monotonicMs() : 0
    // A fixed request is queued synchronously: its result is not awaited (a turn of the queue per request).
    const sending = send(link)
    const sent = sending instanceof Promise ? await sending : sending
    if (!sent.ok)
      return traced({
        result: failed(step, iteration, sids, attempts, sent.error, []),
        extracted: NOTHING,
      })
    const sid = sent.value.sids[0] as string
    // The call that comes back is drawn as caused by the step's first request (later attempts share its lane).
    if (sids.length === 0) {
      hook?.bind([sid])
      // Right behind its `queued`, before the request goes out (a pre-request script's event, say).
      step.onSession?.(sid)
    }
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
    traceId = outcome.traceId ?? traceId
    resent += outcome.resent
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
      return traced({
        result: failed(step, iteration, sids, attempts, error, [], final.timings.time),
        extracted: NOTHING,
      })
    }
    let answer = outcome
    let job: JobStepOutcome | undefined
    if (step.followJob || step.longPoll) {
      const j = await runJobStep(http, {
        ...(step.followJob ? { follow: step.followJob } : {}),
        ...(step.longPoll ? { longPoll: step.longPoll } : {}),
        spec,
        // The job's polls join the trace of the request that started it, each with a span of its own.
        send: (s: RequestSpec, l?: SessionLink) =>
          authorized(s, trace && traceId ? { ...l, trace: { ...trace, traceId } } : l),
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
        return traced({ result: r, extracted: NOTHING })
      }
      answer = lastDone
    }
    const answered = answer.final as DoneEvent
    const respondedAt = expectation ? monotonicMs() : 0
    const view = needsBody(step)
      ? await responseView(http, answered, answer.headers)
      : { done: answered, headers: answer.headers, body: '' }
    const assertions = runAssertions(step.assertions, view)
    if (step.graphqlErrorsFail) assertions.push(...queryAnswerErrors(view))
    if (step.graphqlGet) assertions.push(...getUrlTooLong(view, spec.url))
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
    if (answered.serverTiming) r.serverTiming = answered.serverTiming.entries
    return traced({ result: r, extracted: values })
  }
}

const lastStatus = (r: ExchangeResult | undefined): number | undefined =>
  r?.final.type === 'done' ? r.final.status : undefined

/** Only steps that look into the body pay for reading it back from the body store. */
function needsBody(step: RunStep): boolean {
  return (
    step.graphqlErrorsFail === true ||
    step.assertions.some((a) => a.kind === 'json' || a.kind === 'body-contains') ||
    step.extract.some((x) => x.from !== 'header')
  )
}

/** What the checks see of a step that looks into the body: its headers and the body's first MAX_SCAN bytes. */
async function responseView(http: HttpEngine, done: DoneEvent, headers: HeaderList): Promise<ResponseView> {
  const read =
    done.body.size > 0
      ? await http.bodies.read(done.body.id, 0, Math.min(done.body.size, MAX_SCAN), 'utf8')
      : null
  return { done, headers, body: read?.ok ? read.value.data : '' }
}
