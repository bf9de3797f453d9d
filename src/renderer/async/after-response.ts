import type { FollowOptionsSpec, LongPollOptionsSpec } from '../../shared/async-schemas'
import type { RequestKind, SavedRequest } from '../../shared/collection'
import { DEFAULT_FOLLOW_JOB, DEFAULT_LONG_POLL } from '../../shared/job-options'
import { sameJson } from '../composer/run-draft'

/**
 * What a request does after its response: nothing (a plain send), follow the job the response started, or
 * send the request again as soon as it answers (long polling). Each tab's draft has one (`ComposerDraft.after`),
 * saved in the request's file as `followJob:` or `longPoll:`. The draft keeps text as typed; `followOptions`
 * and `longPollOptions` turn it into a command payload or say plainly what is wrong; `afterFromSaved` and
 * `afterToSaved` map it to and from the file.
 */
export type AfterMode = 'none' | 'follow' | 'long-poll'
export type StatusSource = 'location' | 'operation-location' | 'json' | 'request'

/** The file's fields this draft stands for. */
export type AfterFields = Pick<SavedRequest, 'followJob' | 'longPoll'>

export interface AfterResponseDraft {
  mode: AfterMode
  source: StatusSource
  /** JSONPath of the status URL in the response body (source `json`). */
  sourcePath: string
  intervalMs: number
  backoff: 'fixed' | 'exponential'
  /** Done on these statuses: "200" or "200, 201"; empty for no status condition. */
  untilStatus: string
  /** Done when this JSONPath equals `untilEquals`; empty for no value condition. */
  untilPath: string
  untilEquals: string
  /** Failed when this JSONPath equals `failEquals`; empty for none. */
  failPath: string
  failEquals: string
  deadlineS: number
  maxPolls: number
  /** Long polling: requests at most. */
  repeats: number
  // Kept from the file, not shown in the panel: a save writes them back as they were.
  /** The backoff's cap; null for the default (a minute, or the interval when longer). */
  maxIntervalMs: number | null
  honourRetryAfter: boolean
  /** Long polling: stop on a network error instead of trying again. */
  stopOnError: boolean
  /** The file's entry when this draft cannot show it exactly: written back unchanged until the panel is edited. */
  raw?: AfterFields
}

export const DEFAULT_AFTER: AfterResponseDraft = {
  mode: 'none',
  source: 'location',
  sourcePath: '$.links.status',
  intervalMs: DEFAULT_FOLLOW_JOB.intervalMs,
  backoff: DEFAULT_FOLLOW_JOB.backoff,
  untilStatus: '',
  untilPath: '$.status',
  untilEquals: 'succeeded',
  failPath: '$.status',
  failEquals: 'failed',
  deadlineS: DEFAULT_FOLLOW_JOB.deadlineMs / 1000,
  maxPolls: DEFAULT_FOLLOW_JOB.maxPolls,
  repeats: DEFAULT_LONG_POLL.maxRepeats,
  maxIntervalMs: null,
  honourRetryAfter: DEFAULT_FOLLOW_JOB.honourRetryAfter,
  stopOnError: DEFAULT_LONG_POLL.stopOnError,
}

export type Built<T> = { ok: true; value: T } | { ok: false; message: string }

/** A typed value as the condition compares it: JSON when it parses as a scalar, else the text itself. */
export function scalarOf(text: string): string | number | boolean | null {
  const t = text.trim()
  if (t === 'null') return null
  if (t === 'true') return true
  if (t === 'false') return false
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t)
  if (/^".*"$/.test(t)) {
    try {
      return JSON.parse(t) as string
    } catch {
      return t
    }
  }
  return text
}

/** The text `scalarOf` reads back as `v`: a string bare unless it would read as something else. */
export function scalarText(v: string | number | boolean | null): string {
  if (typeof v !== 'string') return JSON.stringify(v)
  return scalarOf(v) === v ? v : JSON.stringify(v)
}

function statuses(text: string): Built<number[] | undefined> {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
  if (parts.length === 0) return { ok: true, value: undefined }
  const out: number[] = []
  for (const p of parts) {
    const n = Number(p)
    if (!Number.isInteger(n) || n < 100 || n > 599)
      return { ok: false, message: `"${p}" is not an HTTP status` }
    out.push(n)
  }
  return { ok: true, value: out }
}

function path(text: string, what: string): Built<string | undefined> {
  const t = text.trim()
  if (t === '') return { ok: true, value: undefined }
  if (!t.startsWith('$')) return { ok: false, message: `${what} must be a JSONPath starting with $` }
  return { ok: true, value: t }
}

/** What is wrong with the draft's follow options, in a sentence; null when they can be used. */
function followProblem(d: AfterResponseDraft): string | null {
  const st = statuses(d.untilStatus)
  if (!st.ok) return st.message
  const until = path(d.untilPath, 'The done condition')
  if (!until.ok) return until.message
  const fail = path(d.failPath, 'The failure condition')
  if (!fail.ok) return fail.message
  if (st.value === undefined && until.value === undefined)
    return 'Say when the job is done: a status, a JSONPath value, or both'
  if (d.source === 'json') {
    const p = path(d.sourcePath, 'The status URL path')
    if (!p.ok) return p.message
    if (p.value === undefined) return 'Give the JSONPath of the status URL'
  }
  return null
}

/** The follow options as the draft has them, checked or not (a save checks first; a dirty mark need not). */
function followSpec(d: AfterResponseDraft): FollowOptionsSpec {
  const status = d.untilStatus
    .split(/[\s,]+/)
    .filter((p) => p.trim() !== '')
    .map(Number)
  const until = d.untilPath.trim()
  const fail = d.failPath.trim()
  return {
    statusUrl: d.source === 'json' ? { from: 'json', path: d.sourcePath.trim() } : { from: d.source },
    until: {
      ...(status.length > 0 ? { status } : {}),
      ...(until !== '' ? { jsonPath: until, equals: scalarOf(d.untilEquals) } : {}),
    },
    ...(fail !== '' ? { failWhen: { jsonPath: fail, equals: scalarOf(d.failEquals) } } : {}),
    intervalMs: d.intervalMs,
    backoff: d.backoff,
    ...(d.maxIntervalMs !== null ? { maxIntervalMs: d.maxIntervalMs } : {}),
    honourRetryAfter: d.honourRetryAfter,
    deadlineMs: Math.round(d.deadlineS * 1000),
    maxPolls: d.maxPolls,
  }
}

function longPollSpec(d: AfterResponseDraft): LongPollOptionsSpec {
  const until = d.untilPath.trim()
  return {
    maxRepeats: d.repeats,
    deadlineMs: Math.round(d.deadlineS * 1000),
    ...(until !== '' ? { until: { jsonPath: until, equals: scalarOf(d.untilEquals) } } : {}),
    stopOnError: d.stopOnError,
  }
}

export function followOptions(d: AfterResponseDraft): Built<FollowOptionsSpec> {
  if (d.raw?.followJob) return { ok: true, value: d.raw.followJob }
  const problem = followProblem(d)
  return problem === null ? { ok: true, value: followSpec(d) } : { ok: false, message: problem }
}

export function longPollOptions(d: AfterResponseDraft): Built<LongPollOptionsSpec> {
  if (d.raw?.longPoll) return { ok: true, value: d.raw.longPoll }
  const until = path(d.untilPath, 'The stop condition')
  if (!until.ok) return until
  return { ok: true, value: longPollSpec(d) }
}

// ------------------------------------------------------------------ the request file

/** The file's `followJob:` / `longPoll:` for a draft (the draft as typed: a save checks it first). */
export function afterToSaved(d: AfterResponseDraft): AfterFields {
  if (d.raw) return d.raw
  if (d.mode === 'follow') return { followJob: followSpec(d) }
  if (d.mode === 'long-poll') return { longPoll: longPollSpec(d) }
  return {}
}

/** The draft for a file's `followJob:` / `longPoll:`; one the panel cannot show exactly is kept as `raw`. */
export function afterFromSaved(req: AfterFields): AfterResponseDraft {
  const d: AfterResponseDraft = { ...DEFAULT_AFTER }
  const f = req.followJob
  const l = req.longPoll
  if (f) {
    Object.assign(d, {
      mode: 'follow',
      source: f.statusUrl.from,
      ...(f.statusUrl.from === 'json' ? { sourcePath: f.statusUrl.path } : {}),
      intervalMs: f.intervalMs,
      backoff: f.backoff,
      untilStatus: (f.until.status ?? []).join(', '),
      untilPath: f.until.jsonPath ?? '',
      ...(f.until.equals !== undefined ? { untilEquals: scalarText(f.until.equals) } : {}),
      failPath: f.failWhen?.jsonPath ?? '',
      ...(f.failWhen ? { failEquals: scalarText(f.failWhen.equals) } : {}),
      deadlineS: f.deadlineMs / 1000,
      maxPolls: f.maxPolls,
      maxIntervalMs: f.maxIntervalMs ?? null,
      honourRetryAfter: f.honourRetryAfter ?? DEFAULT_FOLLOW_JOB.honourRetryAfter,
    } satisfies Partial<AfterResponseDraft>)
  } else if (l) {
    Object.assign(d, {
      mode: 'long-poll',
      repeats: l.maxRepeats,
      deadlineS: (l.deadlineMs ?? DEFAULT_LONG_POLL.deadlineMs) / 1000,
      untilPath: l.until?.jsonPath ?? '',
      ...(l.until ? { untilEquals: scalarText(l.until.equals) } : {}),
      stopOnError: l.stopOnError ?? DEFAULT_LONG_POLL.stopOnError,
    } satisfies Partial<AfterResponseDraft>)
  }
  const file: AfterFields = { ...(f ? { followJob: f } : {}), ...(l ? { longPoll: l } : {}) }
  return sameJson(afterToSaved(d), file) ? d : { ...d, raw: file }
}

/**
 * Why a tab's After response cannot be saved, as the refusal says it; null when it can. `waitsForWebhook`: the
 * file has `waitForWebhook`, which a follow-up cannot go with.
 */
export function afterSaveProblem(
  d: AfterResponseDraft,
  kind: RequestKind,
  waitsForWebhook: boolean,
): string | null {
  if (d.mode === 'none') return null
  const what = d.mode === 'follow' ? 'Follow job' : 'Long poll'
  if (kind !== 'http')
    return `Not saved: After response (${what}) applies to HTTP requests; set it to Nothing for this ${kind === 'sse' ? 'SSE' : 'WebSocket'} request.`
  if (waitsForWebhook)
    return `Not saved: this request waits for a webhook in a run (waitForWebhook in its file), so it cannot also ${d.mode === 'follow' ? 'follow a job' : 'long-poll'}; set After response to Nothing.`
  const built = d.mode === 'follow' ? followOptions(d) : longPollOptions(d)
  return built.ok ? null : `Not saved: the After response tab has a problem: ${built.message}.`
}
