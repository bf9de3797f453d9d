import { defaultDynamicValues, type DynamicValues } from '../../shared/template'
import { applySimpleAuth } from '../auth/apply-auth'
import { confineBody } from '../files/confine'
import { ok, type Result } from '../../shared/result'
import type { HttpEngine } from '../http/http-engine'
import { resolveForSendSoon, unknownVariables, type SendResolution } from '../send-rules/variables'
import { messagingTexts, withMessagingTexts } from '../send-rules/messaging-texts'
import { resolveAssertions } from './assertion-templates'
import { webhookValues, type WebhookValues } from '../webhooks/webhook-values'
import type { WebhookInbox } from '../webhooks/webhook-inbox'
import type { RequestSpec } from '../../shared/request'
import type { AuthSpec } from '../../shared/collection'
import type { StreamEngine } from '../streams/stream-engine'
import { runStreamStep, type StreamStepInput } from './stream-step'
import { messagingMaySendToken } from './messaging-token-use'
import {
  failed,
  NOTHING,
  result,
  type FixedRequest,
  type InternalOptions,
  type RunStep,
  type StepRun,
} from './run-step'
import type { Pacer } from './pacing'
import { httpStep, planOf, type StepSendPlan } from './http-step'
import { namesFile, runTls, withBlockCaFile } from './step-files'

/**
 * A step's run once its iteration gives it a slot: its request and assertions resolved with the iteration's
 * variables (or the step's resolved request reused when nothing in it can differ), then sent as an HTTP
 * exchange or opened as a stream session.
 */

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
  const fake = base.fake
  if (fake)
    w.values.fake = (name) => {
      w.used = true
      return fake(name)
    }
  const webhook = base.webhook
  if (webhook)
    w.values.webhook = () => {
      w.used = true
      return webhook()
    }
  return w
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
 * An MQTT step whose OAuth 2.0 auth sends its token in the query, which a CONNECT does not have (and that takes
 * the token: the request has no password of its own): its refusal, given before the token endpoint is asked for
 * a token that could not be sent, or null.
 */
async function mqttQueryTokenRefusal(
  step: RunStep,
  auth: AuthSpec,
): Promise<Extract<Result<never>, { ok: false }> | null> {
  if (step.kind !== 'mqtt' || auth.type !== 'oauth2' || auth.tokenIn !== 'query') return null
  const { mqttTakesToken } = await import('../mqtt/messaging-connect')
  if (!mqttTakesToken(step.mqtt?.options)) return null
  const { mqttTokenInQuery } = await import('../mqtt/messaging-token')
  const refused = mqttTokenInQuery()
  return refused.ok ? null : refused
}

/**
 * A step's run. Not itself async: a step whose request was resolved before with the same variables (every
 * iteration of an unchanging request) goes straight to its HTTP exchange, without a promise of its own around
 * it; the rest resolve in `resolveAndRun`.
 */
export function runStep(
  http: HttpEngine,
  step: RunStep,
  iteration: number,
  iterationVars: ReadonlyMap<string, string>,
  pacer: Pacer,
  options: InternalOptions,
  unset?: ReadonlySet<string>,
): Promise<StepRun> {
  try {
    if (step.unreadable !== undefined) {
      const error = { code: 'parse', message: step.unreadable }
      return Promise.resolve({ result: failed(step, iteration, [], 0, error, []), extracted: NOTHING })
    }
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

/** A plain step's request as `runStep` would send it at once: the step's cached request and its send plan. */
export interface ReadyPlain {
  spec: RequestSpec
  planned: StepSendPlan
  /** The run's cached request the spec is: the plan holds while the cache holds this one. */
  fixed: FixedRequest
}

/**
 * What a run of `step` with no variables of its iteration sends without resolving anything, when `runStep` would go
 * straight to the plain send (its request resolved before with the same variables, its assertions without
 * templates, no webhook to mint, a plain step): undefined when the step must go through `runStep`. `last`, what
 * an earlier call gave for the same step and run, is given back while the run's cache still holds the request it
 * was made from: the rest of it (the assertions' templates, the send plan) follows from the step alone.
 */
export function readyPlain(
  step: RunStep,
  pacer: Pacer,
  options: InternalOptions,
  last?: ReadyPlain,
): ReadyPlain | undefined {
  if (step.unreadable !== undefined || step.waitForWebhook || options.webhooks?.baseUrl) return undefined
  const cached = options.resolved.get(step)
  if (last !== undefined && cached === last.fixed) return last
  if (!cached || cached.vars !== (step.variables ?? NOTHING)) return undefined
  const checks = resolveAssertions(step.assertions, cached.vars, undefined)
  if (checks.assertions !== step.assertions || checks.unknown.length > 0) return undefined
  const planned = planOf(step, pacer, options)
  return planned.plain ? { spec: cached.spec, planned, fixed: cached } : undefined
}

/**
 * A step whose request resolves now (its first run, or its variables or a dynamic value changed). Not itself
 * async: an HTTP request that names no file and no CA file (a collection's usual request, each resolved once) goes
 * from its resolution straight to its exchange, without an async frame whose promise would wait on the exchange's;
 * the rest finish in `finishResolved`.
 */
function resolveAndRun(
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
  const dyn = watchDynamic(hook?.dyn ?? defaultDynamicValues)
  // MQTT's publishes and credentials, Socket.IO's emits and auth resolve as a WebSocket step's messages do.
  const own = messagingTexts(step)
  // A promise only when the random-data values must load first.
  const soon = resolveForSendSoon(
    step.request,
    step.auth ?? { type: 'none' },
    vars,
    dyn.values,
    own ?? step.messages,
    '',
    step.emptySecrets,
  )
  const next = (sent: SendResolution): Promise<StepRun> =>
    sent.ok && sendsAsResolved(step, sent.value.spec, options)
      ? sendHttp(
          http,
          step,
          checked,
          iteration,
          vars,
          sent.value.spec,
          sent.value.auth,
          dyn,
          pacer,
          options,
          hook,
          inbox,
        )
      : finishResolved(http, step, checked, iteration, vars, pacer, options, hook, inbox, dyn, own, sent)
  return soon instanceof Promise ? soon.then(next) : next(soon)
}

/**
 * An HTTP step whose resolved request goes as it is: no file to confine (a body file, a CA file), no run-wide TLS
 * setting to lay over it, no GraphQL GET to compose.
 */
function sendsAsResolved(step: RunStep, spec: RequestSpec, options: InternalOptions): boolean {
  return (
    (step.kind ?? 'http') === 'http' &&
    !step.graphqlGet &&
    options.tls === undefined &&
    spec.options.caFile === undefined &&
    !namesFile(spec.body)
  )
}

/** The rest of a step's run once its request has resolved: files confined, TLS, GraphQL GET, streams. */
async function finishResolved(
  http: HttpEngine,
  step: RunStep,
  checked: RunStep,
  iteration: number,
  vars: ReadonlyMap<string, string>,
  pacer: Pacer,
  options: InternalOptions,
  hook: WebhookValues | undefined,
  inbox: WebhookInbox | undefined,
  dyn: { used: boolean },
  own: ReturnType<typeof messagingTexts>,
  sent: SendResolution,
): Promise<StepRun> {
  const signal = options.signal
  if (!sent.ok) {
    const error = { code: sent.error.code, message: sent.error.message }
    return { result: failed(step, iteration, [], 0, error, sent.unknown), extracted: NOTHING }
  }
  const resolved = sent.value
  const messages = resolved.extra
  const { auth } = resolved
  // After variables resolve (a data row may name the file): a file outside the collection fails the step unsent.
  // A request that names no file (most of a collection's) is not awaited: an await is a promise and a turn of
  // the microtask queue, for every request of the run.
  const body = namesFile(resolved.spec.body)
    ? await confineBody(resolved.spec.body, options.files ?? null)
    : ok(resolved.spec.body)
  if (!body.ok) {
    const error = { code: body.error.code, message: body.error.message }
    return { result: failed(step, iteration, [], 0, error, []), extracted: NOTHING }
  }
  const ownTls = withBlockCaFile(resolved.spec.options, step)
  const tls =
    ownTls.caFile === undefined && options.tls === undefined ? ok(ownTls) : await runTls(ownTls, options)
  if (!tls.ok) {
    const error = { code: tls.error.code, message: tls.error.message }
    return { result: failed(step, iteration, [], 0, error, []), extracted: NOTHING }
  }
  let spec =
    body.value === resolved.spec.body && tls.value === resolved.spec.options
      ? resolved.spec
      : { ...resolved.spec, body: body.value, options: tls.value }
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
    const messaging = own ? withMessagingTexts(step, messages) : step
    const noQuery = await mqttQueryTokenRefusal(messaging, auth)
    if (noQuery !== null) {
      const error = { code: noQuery.error.code, message: noQuery.error.message }
      return { result: failed(step, iteration, [], 0, error, []), extracted: NOTHING }
    }
    if (pacer.paced) await pacer.next()
    const runner = options.auth
    const out =
      step.kind === 'grpc' && step.grpc
        ? await (
            await import('../grpc/grpc-step')
          ).runGrpcStep(options.streams, {
            spec,
            auth,
            ...(runner ? { authorize: runner.authorize.bind(runner) } : {}),
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
              ? {
                  // Only an OAuth 2.0 token is sent, as the app sends it (mqtt/messaging-connect.ts).
                  hooks: await messagingHooks(options.streams.streams, messaging, spec),
                  // An OAuth 2.0 token goes with the session (MQTT's password, Socket.IO's handshake), and is
                  // fetched only when it does.
                  ...(runner && (await messagingMaySendToken(messaging, auth))
                    ? { authorize: runner.authorize.bind(runner) }
                    : {}),
                }
              : runner
                ? { authorize: runner.authorize.bind(runner) }
                : {}),
            ...(step.kind === 'graphql' && step.graphql
              ? {
                  graphqlTransport: step.graphql.transport,
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

  return sendHttp(http, step, checked, iteration, vars, spec, auth, dyn, pacer, options, hook, inbox)
}

/** An HTTP step's resolved request sent; kept for the step's next runs when nothing in it can differ. */
function sendHttp(
  http: HttpEngine,
  step: RunStep,
  checked: RunStep,
  iteration: number,
  vars: ReadonlyMap<string, string>,
  spec: RequestSpec,
  auth: AuthSpec,
  dyn: { used: boolean },
  pacer: Pacer,
  options: InternalOptions,
  hook: WebhookValues | undefined,
  inbox: WebhookInbox | undefined,
): Promise<StepRun> {
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
