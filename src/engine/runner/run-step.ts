import type { GrpcRequest } from '../../shared/grpc-request'
import type { ServerTimingEntry } from '../../shared/server-timing'
import type { AuthSpec, RequestKind } from '../../shared/collection'
import type { SavedMqtt } from '../../shared/mqtt'
import type { SavedSocketIo } from '../../shared/socketio'
import type { GraphqlGetStepFields } from '../graphql/graphql-get-step'
import type { GraphqlWsStepFields } from '../graphql/graphql-ws-step'
import type { Assertion, Extraction, StopSpec, WaitForWebhookSpec } from '../../shared/run-spec'
import type { FollowOptionsSpec, LongPollOptionsSpec } from '../../shared/job-options'
import type { RequestSpec } from '../../shared/request'
import type { AuthRunner } from '../auth/auth-runner'
import type { FileScope } from '../files/confine'
import type { WebhookInbox } from '../webhooks/webhook-inbox'
import type { JobStepOutcome } from './job-step'
import type { StepSendPlan } from './http-step'
import type { RunTallied } from './result-tally'
import type { StreamDeps } from './stream-step'
import type { AssertionResult, MissingValue, WebhookAssertionResult } from './checks'
import type { RunStats } from './stats'
import type { RunScripts, StepScriptReports, StepScripts } from './script-step'
import type { TraceSetting } from '../../shared/trace-context'
import { UNKNOWN_NAMES_SHOWN } from '../send-rules/variables'
import type { TraceOverride } from '../trace/run-trace'
import type { BaseScopes } from '../scripts/script-scopes'
import type { EmptySecrets } from '../send-rules/empty-secrets'

/** A runner step and what it reports: the shapes the run, the run manager and the reports share. */

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
  /** The same variables scope by scope, as scripts read them (`pm.environment`, `pm.collectionVariables`…). */
  scopeBase?: BaseScopes
  /** Its scope's secrets with no value on this machine: a send that uses one is noted, or refused (the CLI). */
  emptySecrets?: EmptySecrets
  /** WebSocket: subprotocols, and texts sent once the connection opens. */
  protocols?: string[]
  messages?: string[]
  /** gRPC: the method, schema source and limits (the request's url is the target, its headers the metadata). */
  grpc?: GrpcRequest
  /** MQTT and Socket.IO: the saved request's own fields (subscriptions and publishes, namespace and emits). */
  mqtt?: SavedMqtt
  socketio?: SavedSocketIo
  /** GraphQL over a WebSocket transport: the transport and operation (`messages` has the query, variables, params). */
  graphql?: GraphqlWsStepFields
  /** A GraphQL query or mutation step that does not check `$.errors` itself: an answer with errors fails it. */
  graphqlErrorsFail?: boolean
  /** A GraphQL query step sent by GET (`messages` has the query and variables; the URL is built once resolved). */
  graphqlGet?: GraphqlGetStepFields
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
  /** The request keeps imported scripts that were not (all) translated: which ones (`pre-request and test`). */
  scriptsNotRun?: string
  /** Where those scripts are kept, when not (only) in the request file (`collection.yaml, the request file`). */
  scriptsKeptIn?: string
  /** The scripts that run for it (collection, folders, then its own), when it keeps untranslated ones. */
  scripts?: StepScripts
  /** Told the session of an HTTP step's first attempt as soon as it has one. */
  onSession?: (sid: string) => void
  /** The id reserved for an HTTP step's first attempt (its pre-request script's requests name it as cause). */
  sid?: string
  /** HTTP steps: the request's `trace:` setting (inheritance applied), when one applies. */
  trace?: TraceSetting
  /** The request file could not be read: the step fails with this, sending nothing (./unreadable-step.ts). */
  unreadable?: string
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
  /** Steps with untranslated scripts pass on their other checks (otherwise they fail, saying so). */
  allowUntranslatedScripts?: boolean
  /** Runs steps' scripts; without it (or disabled) they are reported as not run. */
  scripts?: RunScripts
  /** Trace context for every HTTP step, in place of each step's own mode (`off`: none). */
  trace?: TraceOverride
  /** TLS settings laid over every step's own (`flightdeck run -k`, `--cacert`): its caFile is then not read. */
  tls?: { insecure?: true; caFile?: string }
  /**
   * `all` (the default): every result is kept in the report. `failures`: only failed ones (a bounded number),
   * the statistics counted as results come (percentiles within LATENCY_RELATIVE_ERROR), so memory does not grow
   * with the number of iterations; `onResult` still sees every result.
   */
  keep?: 'all' | 'failures'
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
  /** Extractions that gave their variable no value, each with why. */
  missing: MissingValue[]
  /** Variables used that had no value: the first UNKNOWN_NAMES_SHOWN, as the step's error names them. */
  unknown: string[]
  /** How many more had no value and are not listed (a text can name hundreds of thousands). */
  unknownLeftOut?: number
  /** Steps with `waitForWebhook` whose response passed: the wait and the checks on the call. */
  webhook?: WebhookOutcome
  /** Steps with `followJob` or `longPoll`: how the job went (then `status` and `timeMs` are the job's). */
  job?: JobStepOutcome
  /**
   * The step's request keeps scripts that were not translated, so some of its checks were not made.
   * `checksPassed`: what `passed` would be without them (the steps that depend on it still run when true).
   */
  scriptsNotRun?: { message: string; checksPassed: boolean; allowed: boolean }
  /** What the answering response's server said it spent its time on (Server-Timing), when it did. */
  serverTiming?: ServerTimingEntry[]
  /** The step's scripts: their tests, console and failure, per phase. */
  scripts?: StepScriptReports
  /** A script called `setNextRequest` (null: stop). */
  nextRequest?: string | null
  /** Why the step sent nothing and still did not fail. */
  skipped?: string
  /** The W3C trace id the step's request went out with, when it carried one. */
  traceId?: string
  /** Its requests that went a second time, the server having cut the first off before any response. */
  resent?: number
}

export interface RunReport {
  /** Every result; with `keep: 'failures'` only failed ones, the first MAX_KEPT_FAILURES of them. */
  results: StepResult[]
  /** Failed results past MAX_KEPT_FAILURES that a run keeping only failures counted but did not keep. */
  failuresLeftOut?: number
  stats: RunStats
  bailed: boolean
  cancelled: boolean
  durationMs: number
  /** A script's setNextRequest chose what ran next: steps may have run more or fewer times than planned. */
  directed?: boolean
  /** The run stopped on an error the runner did not expect; `results` is then empty (see RunFinished). */
  internalError?: string
  /**
   * A run the run manager kept only the failures of: every result counted as it came (result-tally.ts), also when
   * the run stopped on an internal error; its progress events carried counts, not results.
   */
  counted?: RunTallied
}

/** The run's own options: its signal, the HTTP sessions in flight (cancelled with the run), and each step's
 * reusable resolved request. */
export type InternalOptions = RunOptions & {
  inFlight: Set<string>
  resolved: Map<RunStep, FixedRequest>
  /** What each step's sends share, worked out at its first (http-step.ts). */
  sendPlans: WeakMap<RunStep, StepSendPlan>
  /** The one trace id of this run's `per-run` steps. */
  runTraceId: string
}

/** A step's request resolved with `vars` (auth applied), which used no dynamic value. */
export interface FixedRequest {
  vars: ReadonlyMap<string, string>
  spec: RequestSpec
  auth: AuthSpec
}

/** What a step's run hands back: its result and the values it extracted for the steps after it. */
export interface StepRun {
  result: StepResult
  extracted: ReadonlyMap<string, string>
  /** Variables the step's scripts unset: the steps after it no longer see them. */
  unset?: readonly string[]
}

export const NOTHING: ReadonlyMap<string, string> = new Map()

/**
 * The empty lists most results carry (no extraction missing, no variable unknown), shared rather than made for each
 * of a run's requests: frozen, so a result that tried to add to one would throw, not change every other result.
 */
export const NO_MISSING: MissingValue[] = Object.freeze([]) as unknown as MissingValue[]
export const NO_UNKNOWN: string[] = Object.freeze([]) as unknown as string[]

/** Every result has the same shape, built in one literal (this runs once per request of a run). */
export function result(
  step: RunStep,
  iteration: number,
  sids: string[],
  attempts: number,
  status: number | undefined,
  error: StepResult['error'],
  timeMs: number,
  passed: boolean,
  assertions: AssertionResult[],
  missing: MissingValue[],
  unknown: string[],
): StepResult {
  const r: StepResult = {
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
    // Kept as the message names them: a run holds every step's result, and 200,000 names a step was megabytes.
    unknown: unknown.length > UNKNOWN_NAMES_SHOWN ? unknown.slice(0, UNKNOWN_NAMES_SHOWN) : unknown,
  }
  if (unknown.length > UNKNOWN_NAMES_SHOWN) r.unknownLeftOut = unknown.length - UNKNOWN_NAMES_SHOWN
  return r
}

export function failed(
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
