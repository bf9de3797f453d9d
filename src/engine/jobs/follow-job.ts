import type { SendResult } from '../../shared/contract'
import { DEFAULT_FOLLOW_JOB, defaultMaxIntervalMs, type FollowOptionsSpec } from '../../shared/job-options'
import type { RequestSpec } from '../../shared/request'
import type { Result } from '../../shared/result'
import type { DoneEvent, HeaderList } from '../../shared/timeline'
import { abortableSleep } from '../abortable-sleep'
import type { ExchangeResult, HttpEngine, SessionLink } from '../http/http-engine'
import { isCredentialHeader } from '../send-rules/credentials'
import { isTooDeep, parseJsonBody, selectJson } from './json-select'

/**
 * Following asynchronous work: a request starts a job (typically 202 Accepted with a Location or
 * Operation-Location), then its status URL is polled — with a fixed or exponential interval, honouring
 * Retry-After — until a condition holds or a deadline passes. Every poll is its own session on the
 * originating request's lane, so the whole job reads as one line on the timeline.
 */

export type StatusUrlSource =
  | { from: 'location' }
  | { from: 'operation-location' }
  /** Poll the request's own URL again (long polling, or a job polled where it was started). */
  | { from: 'request' }
  | { from: 'json'; path: string }

export interface JobCondition {
  /** Done when the poll answers with one of these statuses. */
  status?: number[]
  /** Done when this JSONPath of the poll's JSON body equals `equals` (compared as JSON). */
  jsonPath?: string
  equals?: string | number | boolean | null
}

export interface FollowJobOptions {
  statusUrl: StatusUrlSource
  until: JobCondition
  /** Give up as failed when the JSONPath equals this (e.g. "failed"). */
  failWhen?: { jsonPath: string; equals: string | number | boolean | null }
  intervalMs: number
  backoff: 'fixed' | 'exponential'
  maxIntervalMs: number
  honourRetryAfter: boolean
  deadlineMs: number
  maxPolls: number
}

export type JobOutcome = 'completed' | 'failed' | 'deadline' | 'max_polls' | 'error' | 'cancelled'

export interface JobResult {
  outcome: JobOutcome
  message: string
  /** For an `error` outcome where a request got no answer: the network error's code (`refused`, ...). */
  code?: string
  /** The request that started the job; every poll sits on its lane. */
  startSid: string
  pollSids: string[]
  /** Once it is known. */
  statusUrl?: string
  lastStatus: number | undefined
  /** The value at the condition's JSONPath in the last poll, when there is one. */
  lastValue: unknown
  /** The last answer (the first request's, or the last poll's): what a run's checks look at. */
  last?: ExchangeResult
}

export interface FollowJobControl {
  /** Stops polling at the next step. */
  signal?: AbortSignal
  /** Waits are taken from here, so tests can run the loop without real sleeps if they choose. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /**
   * Sends a request with the job's credentials (default: `http.send`, as it is). The first request goes
   * through it, and so does every poll to the first request's origin, so each is authorized anew: an OAuth 2.0
   * token from the cache (fetched again near expiry), digest with the next nonce count, basic, bearer and API
   * keys on every poll. A status URL on another origin is polled without them, as a redirect there would be.
   */
  sendAuthorized?: (spec: RequestSpec, link?: SessionLink) => Promise<Result<SendResult>> | Result<SendResult>
  /** Follow the job a request already sent started (this session), instead of sending `start`. */
  adopt?: string
  /** The lane the polls are drawn on (default: the first request's). */
  lane?: string
  /** Called once the first request is on its way, with its session id. */
  onStarted?: (sid: string) => void
  /** Called when the status URL is known and polling begins. */
  onStatusUrl?: (url: string) => void
  /** Called as each poll is sent (1-based count). */
  onPoll?: (sid: string, count: number) => void
  /** Called after each answer (the first one too) with its status and the condition's value. */
  onAnswer?: (status: number, value: unknown) => void
}

/** The loop's options from what `job.follow` and a request file's `followJob:` say. */
export function followJobOptions(f: FollowOptionsSpec): FollowJobOptions {
  return {
    statusUrl: f.statusUrl,
    until: {
      ...(f.until.status ? { status: f.until.status } : {}),
      ...(f.until.jsonPath ? { jsonPath: f.until.jsonPath } : {}),
      ...(f.until.equals !== undefined ? { equals: f.until.equals } : {}),
    },
    ...(f.failWhen ? { failWhen: f.failWhen } : {}),
    intervalMs: f.intervalMs,
    backoff: f.backoff,
    maxIntervalMs: f.maxIntervalMs ?? defaultMaxIntervalMs(f.intervalMs),
    honourRetryAfter: f.honourRetryAfter ?? DEFAULT_FOLLOW_JOB.honourRetryAfter,
    deadlineMs: f.deadlineMs,
    maxPolls: f.maxPolls,
  }
}

const MAX_BODY_FOR_CONDITIONS = 4 * 1024 * 1024
const BODY_HEADERS = /^(content-type|content-length)$/i

export async function followJob(
  http: HttpEngine,
  start: RequestSpec,
  options: FollowJobOptions,
  control: FollowJobControl = {},
): Promise<JobResult> {
  const sleep = control.sleep ?? abortableSleep
  const began = Date.now()
  // What the result reports, as it stands: each exit below adds its outcome and message.
  const state: Omit<JobResult, 'outcome' | 'message'> = {
    startSid: control.adopt ?? '',
    pollSids: [],
    lastStatus: undefined,
    lastValue: undefined,
  }
  const end: Ender = (outcome, message, code) => ({
    outcome,
    message,
    ...state,
    ...(code !== undefined ? { code } : {}),
  })
  if (control.adopt === undefined) {
    const sent = control.sendAuthorized ? await control.sendAuthorized(start) : http.send(start, 1)
    if (!sent.ok) return end('error', sent.error.message, sent.error.code)
    state.startSid = sent.value.sids[0] as string
  }
  const startSid = state.startSid
  control.onStarted?.(startSid)
  const first = await http.waitFor(startSid)
  if (first.final.type !== 'done') return unanswered(first.final, 'The request was cancelled', end)
  const firstDone = first.final
  state.last = first
  state.lastStatus = firstDone.status
  const firstUrl = lastUrl(first.events) ?? start.url
  // The origin the credentials were sent to: the first hop's (a redirect to elsewhere dropped them).
  const credentialOrigin = originOf(firstHopUrl(first.events) ?? start.url)
  const firstHeaders = headersOf(first.events)
  let statusUrl: string
  try {
    statusUrl = await resolveStatusUrl(http, options.statusUrl, firstDone, firstHeaders, firstUrl)
  } catch (e) {
    return end('error', e instanceof Error ? e.message : String(e))
  }
  state.statusUrl = statusUrl
  control.onStatusUrl?.(statusUrl)
  // The first answer may already be the final one (a job that finished at once).
  const immediate = await evaluate(http, options, firstDone)
  state.lastValue = immediate.value
  control.onAnswer?.(firstDone.status, immediate.value)
  if (immediate.done) return end(immediate.outcome, immediate.message)

  let interval = options.intervalMs
  let wait = retryAfterMs(firstHeaders, options) ?? interval
  const sameOrigin = credentialOrigin !== null && originOf(statusUrl) === credentialOrigin
  const pollSpec: RequestSpec = {
    method: 'GET',
    url: statusUrl,
    // Custom headers go with the polls; the body and its headers do not, and credentials set by hand only
    // to the first request's origin.
    headers: start.headers.filter(
      (h) =>
        !BODY_HEADERS.test(h.name.trim()) &&
        (sameOrigin || !(isCredentialHeader(h.name) || start.credentialHeaders?.includes(h.name))),
    ),
    body: { kind: 'none' },
    options: start.options,
  }
  const link: SessionLink = { lane: control.lane ?? startSid, initiator: startSid }
  const sendPoll = (): Promise<Result<SendResult>> | Result<SendResult> =>
    sameOrigin && control.sendAuthorized
      ? control.sendAuthorized(pollSpec, link)
      : http.send(pollSpec, 1, link)
  for (let poll = 0; poll < options.maxPolls; poll++) {
    const remaining = options.deadlineMs - (Date.now() - began)
    if (remaining <= 0) break
    await sleep(Math.min(wait, remaining), control.signal)
    if (control.signal?.aborted) return end('cancelled', 'Stopped by the user')
    const r = await sendPoll()
    if (!r.ok) return end('error', r.error.message, r.error.code)
    const sid = r.value.sids[0] as string
    state.pollSids.push(sid)
    control.onPoll?.(sid, state.pollSids.length)
    // Stopped while the poll's credentials were being fetched: the poll goes no further.
    if (control.signal?.aborted) http.cancel(sid)
    const res = await http.waitFor(sid)
    if (res.final.type !== 'done') return unanswered(res.final, 'The poll was cancelled', end)
    state.last = res
    state.lastStatus = res.final.status
    const verdict = await evaluate(http, options, res.final)
    state.lastValue = verdict.value
    control.onAnswer?.(res.final.status, verdict.value)
    if (verdict.done) return end(verdict.outcome, verdict.message)
    if (options.backoff === 'exponential') interval = Math.min(options.maxIntervalMs, interval * 2)
    wait = retryAfterMs(headersOf(res.events), options) ?? interval
  }
  return Date.now() - began >= options.deadlineMs
    ? end('deadline', `The job did not finish within ${options.deadlineMs} ms`)
    : end('max_polls', `The job did not finish within ${options.maxPolls} polls`)
}

type Ender = (outcome: JobOutcome, message: string, code?: string) => JobResult

/** A request of the job that got no answer: the network error (with its code), or the cancel. */
function unanswered(final: ExchangeResult['final'], cancelled: string, end: Ender): JobResult {
  return final.type === 'error' ? end('error', final.message, final.code) : end('cancelled', cancelled)
}

async function evaluate(
  http: HttpEngine,
  options: FollowJobOptions,
  done: DoneEvent,
): Promise<{ done: boolean; outcome: JobOutcome; message: string; value: unknown }> {
  const needsBody = options.until.jsonPath !== undefined || options.failWhen !== undefined
  const json = needsBody ? await readJson(http, done) : undefined
  try {
    return judge(options, done, json)
  } catch (e) {
    // A status answer nested past what JSONPath can walk fails this job in words; it must not end the run.
    if (!isTooDeep(e)) throw e
    const path = options.failWhen?.jsonPath ?? options.until.jsonPath ?? ''
    const message = `The job's status answer is nested too deeply to read ${path} (thousands of levels)`
    return { done: true, outcome: 'failed', message, value: undefined }
  }
}

function judge(
  options: FollowJobOptions,
  done: DoneEvent,
  json: unknown,
): { done: boolean; outcome: JobOutcome; message: string; value: unknown } {
  if (options.failWhen && json !== undefined) {
    const v = selectJson(json, options.failWhen.jsonPath)
    if (sameJson(v, options.failWhen.equals)) {
      return {
        done: true,
        outcome: 'failed',
        message: `The job failed: ${options.failWhen.jsonPath} is ${JSON.stringify(v)}`,
        value: v,
      }
    }
  }
  const value =
    options.until.jsonPath && json !== undefined ? selectJson(json, options.until.jsonPath) : undefined
  const statusOk = options.until.status ? options.until.status.includes(done.status) : true
  const valueOk = options.until.jsonPath ? sameJson(value, options.until.equals ?? null) : true
  const hasCondition = options.until.status !== undefined || options.until.jsonPath !== undefined
  if (hasCondition && statusOk && valueOk) {
    return { done: true, outcome: 'completed', message: `The job completed (status ${done.status})`, value }
  }
  return { done: false, outcome: 'completed', message: '', value }
}

async function readJson(http: HttpEngine, done: DoneEvent): Promise<unknown> {
  const r = await http.bodies.read(done.body.id, 0, Math.min(done.body.size, MAX_BODY_FOR_CONDITIONS), 'utf8')
  return r.ok ? parseJsonBody(r.value.data) : undefined
}

async function resolveStatusUrl(
  http: HttpEngine,
  source: StatusUrlSource,
  done: DoneEvent,
  headers: HeaderList,
  requestUrl: string,
): Promise<string> {
  const header = (name: string): string | undefined => headers.find(([k]) => k.toLowerCase() === name)?.[1]
  let raw: string | undefined
  switch (source.from) {
    case 'request':
      return requestUrl
    case 'location':
      raw = header('location')
      if (!raw) throw new Error('The response has no Location header to poll')
      break
    case 'operation-location':
      raw = header('operation-location')
      if (!raw) throw new Error('The response has no Operation-Location header to poll')
      break
    case 'json': {
      const v = selectJson(await readJson(http, done), source.path)
      if (typeof v !== 'string' || !v) throw new Error(`No status URL at ${source.path} in the response body`)
      raw = v
      break
    }
  }
  try {
    return new URL(raw, requestUrl).href
  } catch {
    throw new Error(`The status URL is not a valid URL: ${raw}`)
  }
}

const HTTP_DATE_START = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s/i

/** Retry-After as ms (delta-seconds or an HTTP date), when the user wants it honoured; anything else is ignored. */
export function retryAfterMs(
  headers: HeaderList,
  options: Pick<FollowJobOptions, 'honourRetryAfter' | 'maxIntervalMs'>,
): number | undefined {
  if (!options.honourRetryAfter) return undefined
  const raw = headers.find(([k]) => k.toLowerCase() === 'retry-after')?.[1]?.trim()
  if (!raw) return undefined
  let ms: number
  if (/^\d+$/.test(raw)) ms = Number(raw) * 1000
  else {
    // An HTTP date starts with its day's name (all three of RFC 9110's forms do). Date.parse alone takes "-1" or
    // "-5" as a year, long past: a server answering `Retry-After: -1` made every poll go without a wait.
    if (!HTTP_DATE_START.test(raw)) return undefined
    const at = Date.parse(raw)
    if (Number.isNaN(at)) return undefined
    ms = at - Date.now()
  }
  return Math.max(0, Math.min(ms, options.maxIntervalMs))
}

function headersOf(events: { type: string }[]): HeaderList {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as { type: string; headers?: HeaderList }
    if (e.type === 'response-headers' && e.headers) return e.headers
  }
  return []
}

function firstHopUrl(events: { type: string }[]): string | undefined {
  const e = events.find((x) => x.type === 'queued') as { url?: string } | undefined
  return e?.url
}

/** `https://host:port`, or null for text that is not an absolute http(s) URL. */
function originOf(url: string): string | null {
  try {
    const u = new URL(url)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null
  } catch {
    return null
  }
}

function lastUrl(events: { type: string }[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as { type: string; url?: string }
    if (e.type === 'queued' && e.url) return e.url
  }
  return undefined
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
