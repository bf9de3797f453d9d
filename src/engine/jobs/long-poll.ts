import type { SendResult } from '../../shared/contract'
import type { LongPollOptionsSpec } from '../../shared/job-options'
import type { RequestSpec } from '../../shared/request'
import type { Result } from '../../shared/result'
import type { ExchangeResult, HttpEngine, SessionLink } from '../http/http-engine'
import { abortableSleep } from '../abortable-sleep'
import { parseJsonBody, selectJson } from './json-select'

/**
 * Long polling: send the request again as soon as the previous answer lands, each repeat on the first
 * request's lane, until a response matches, a count or deadline is reached, or the caller stops it.
 */

export interface LongPollOptions {
  maxRepeats: number
  deadlineMs: number
  /** Stop when a response's JSONPath equals this value. */
  until?: { jsonPath: string; equals: string | number | boolean | null }
  /** Stop on a network error instead of trying again. */
  stopOnError: boolean
  signal?: AbortSignal
  /**
   * Sends each request (default `http.send`, as it is); hosts pass one that authorizes it, so every repeat
   * carries fresh credentials (an OAuth 2.0 token from the cache, the next digest nonce count) as the first did.
   */
  send?: (spec: RequestSpec, link?: SessionLink) => Promise<Result<SendResult>> | Result<SendResult>
  /** The first request was already sent (this session): repeat from its answer on, on `lane` (default its own). */
  adopt?: string
  lane?: string
  /** Called as each request is sent (1-based count), so a host can cancel the one in flight. */
  onSend?: (sid: string, count: number) => void
  /** Called after each answer with its status (0 for a network error). */
  onAnswer?: (status: number, value: unknown) => void
}

const ERROR_PAUSE_MS = 1000
/** `request.longPoll` without a deadline stops after a day (or its count, or the person). */
const NO_DEADLINE_MS = 24 * 3_600_000

/** The loop's limits and condition from what `request.longPoll` and a request file's `longPoll:` say. */
export function longPollOptions(
  p: LongPollOptionsSpec,
): Pick<LongPollOptions, 'maxRepeats' | 'deadlineMs' | 'until' | 'stopOnError'> {
  return {
    maxRepeats: p.maxRepeats,
    deadlineMs: p.deadlineMs ?? NO_DEADLINE_MS,
    ...(p.until ? { until: p.until } : {}),
    stopOnError: p.stopOnError ?? false,
  }
}

export interface LongPollResult {
  outcome: 'matched' | 'max_repeats' | 'deadline' | 'error' | 'cancelled'
  sids: string[]
  message: string
  /** For an `error` outcome: the network error's code. */
  code?: string
  /** The last answer that came (what a run's checks look at). */
  last?: ExchangeResult
}

export async function longPoll(
  http: HttpEngine,
  spec: RequestSpec,
  options: LongPollOptions,
): Promise<LongPollResult> {
  const began = Date.now()
  const sids: string[] = []
  let last: ExchangeResult | undefined
  const end = (outcome: LongPollResult['outcome'], message: string, code?: string): LongPollResult => ({
    outcome,
    sids,
    message,
    ...(code !== undefined ? { code } : {}),
    ...(last ? { last } : {}),
  })
  for (let i = 0; i < options.maxRepeats; i++) {
    if (options.signal?.aborted) return end('cancelled', 'Stopped by the user')
    if (Date.now() - began >= options.deadlineMs) break
    let sid: string
    if (i === 0 && options.adopt !== undefined) sid = options.adopt
    else {
      const first = sids[0]
      const link = first
        ? { lane: options.lane ?? first, initiator: sids[sids.length - 1] ?? first }
        : undefined
      const sent = options.send ? await options.send(spec, link) : http.send(spec, 1, link)
      if (!sent.ok) return end('error', sent.error.message, sent.error.code)
      sid = sent.value.sids[0] as string
    }
    sids.push(sid)
    options.onSend?.(sid, sids.length)
    // Stopped while the request's credentials were being fetched: it goes no further.
    if (options.signal?.aborted) http.cancel(sid)
    const r = await http.waitFor(sid)
    if (r.final.type !== 'done') options.onAnswer?.(0, undefined)
    else last = r
    if (r.final.type === 'error' && options.stopOnError) return end('error', r.final.message, r.final.code)
    if (r.final.type === 'cancelled') return end('cancelled', 'Cancelled')
    // A refused or broken connection answers at once: wait a little rather than spin through the repeats.
    if (r.final.type === 'error') await abortableSleep(ERROR_PAUSE_MS, options.signal)
    if (r.final.type === 'done' && options.until) {
      const body = await http.bodies.read(
        r.final.body.id,
        0,
        Math.min(r.final.body.size, 4 * 1024 * 1024),
        'utf8',
      )
      const json = body.ok ? parseJsonBody(body.value.data) : undefined
      const v = json === undefined ? undefined : selectJson(json, options.until.jsonPath)
      options.onAnswer?.(r.final.status, v)
      if (JSON.stringify(v) === JSON.stringify(options.until.equals))
        return end('matched', `${options.until.jsonPath} is ${JSON.stringify(v)}`)
    } else if (r.final.type === 'done') options.onAnswer?.(r.final.status, undefined)
  }
  const deadline = Date.now() - began >= options.deadlineMs
  const what = options.until ? 'No match' : 'Stopped'
  return deadline
    ? end('deadline', `${what} within ${options.deadlineMs} ms`)
    : end('max_repeats', `${what} ${options.until ? 'within' : 'after'} ${options.maxRepeats} requests`)
}
