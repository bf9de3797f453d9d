import type { FollowOptionsSpec, LongPollOptionsSpec } from '../../shared/async-schemas'

/**
 * What the composer does after the response: nothing (a plain send), follow the job the response started, or
 * send the request again as soon as it answers (long polling). The draft keeps text as typed; `followOptions`
 * and `longPollOptions` turn it into a command payload or say plainly what is wrong.
 */
export type AfterMode = 'none' | 'follow' | 'long-poll'
export type StatusSource = 'location' | 'operation-location' | 'json' | 'request'

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
}

export const DEFAULT_AFTER: AfterResponseDraft = {
  mode: 'none',
  source: 'location',
  sourcePath: '$.links.status',
  intervalMs: 1000,
  backoff: 'fixed',
  untilStatus: '',
  untilPath: '$.status',
  untilEquals: 'succeeded',
  failPath: '$.status',
  failEquals: 'failed',
  deadlineS: 60,
  maxPolls: 100,
  repeats: 10,
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

export function followOptions(d: AfterResponseDraft): Built<FollowOptionsSpec> {
  const st = statuses(d.untilStatus)
  if (!st.ok) return st
  const until = path(d.untilPath, 'The done condition')
  if (!until.ok) return until
  const fail = path(d.failPath, 'The failure condition')
  if (!fail.ok) return fail
  if (st.value === undefined && until.value === undefined)
    return { ok: false, message: 'Say when the job is done: a status, a JSONPath value, or both' }
  let statusUrl: FollowOptionsSpec['statusUrl']
  if (d.source === 'json') {
    const p = path(d.sourcePath, 'The status URL path')
    if (!p.ok) return p
    if (p.value === undefined) return { ok: false, message: 'Give the JSONPath of the status URL' }
    statusUrl = { from: 'json', path: p.value }
  } else statusUrl = { from: d.source }
  return {
    ok: true,
    value: {
      statusUrl,
      until: {
        ...(st.value ? { status: st.value } : {}),
        ...(until.value ? { jsonPath: until.value, equals: scalarOf(d.untilEquals) } : {}),
      },
      ...(fail.value ? { failWhen: { jsonPath: fail.value, equals: scalarOf(d.failEquals) } } : {}),
      intervalMs: d.intervalMs,
      backoff: d.backoff,
      maxIntervalMs: Math.max(d.intervalMs, 60_000),
      honourRetryAfter: true,
      deadlineMs: d.deadlineS * 1000,
      maxPolls: d.maxPolls,
    },
  }
}

export function longPollOptions(d: AfterResponseDraft): Built<LongPollOptionsSpec> {
  const until = path(d.untilPath, 'The stop condition')
  if (!until.ok) return until
  return {
    ok: true,
    value: {
      maxRepeats: d.repeats,
      deadlineMs: d.deadlineS * 1000,
      ...(until.value ? { until: { jsonPath: until.value, equals: scalarOf(d.untilEquals) } } : {}),
    },
  }
}
