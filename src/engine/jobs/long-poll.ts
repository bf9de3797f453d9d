import type { SendResult } from '../../shared/contract'
import type { RequestSpec } from '../../shared/request'
import type { Result } from '../../shared/result'
import type { HttpEngine, SessionLink } from '../http/http-engine'
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
  /** Called as each request is sent (1-based count), so a host can cancel the one in flight. */
  onSend?: (sid: string, count: number) => void
  /** Called after each answer with its status (0 for a network error). */
  onAnswer?: (status: number, value: unknown) => void
}

const ERROR_PAUSE_MS = 1000

export interface LongPollResult {
  outcome: 'matched' | 'max_repeats' | 'deadline' | 'error' | 'cancelled'
  sids: string[]
  message: string
}

export async function longPoll(
  http: HttpEngine,
  spec: RequestSpec,
  options: LongPollOptions,
): Promise<LongPollResult> {
  const began = Date.now()
  const sids: string[] = []
  for (let i = 0; i < options.maxRepeats; i++) {
    if (options.signal?.aborted) return { outcome: 'cancelled', sids, message: 'Stopped by the user' }
    if (Date.now() - began >= options.deadlineMs) break
    const first = sids[0]
    const link = first ? { lane: first, initiator: sids[sids.length - 1] ?? first } : undefined
    const sent = options.send ? await options.send(spec, link) : http.send(spec, 1, link)
    if (!sent.ok) return { outcome: 'error', sids, message: sent.error.message }
    const sid = sent.value.sids[0] as string
    sids.push(sid)
    options.onSend?.(sid, sids.length)
    // Stopped while the request's credentials were being fetched: it goes no further.
    if (options.signal?.aborted) http.cancel(sid)
    const r = await http.waitFor(sid)
    if (r.final.type !== 'done') options.onAnswer?.(0, undefined)
    if (r.final.type === 'error' && options.stopOnError)
      return { outcome: 'error', sids, message: r.final.message }
    if (r.final.type === 'cancelled') return { outcome: 'cancelled', sids, message: 'Cancelled' }
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
      if (JSON.stringify(v) === JSON.stringify(options.until.equals)) {
        return { outcome: 'matched', sids, message: `${options.until.jsonPath} is ${JSON.stringify(v)}` }
      }
    } else if (r.final.type === 'done') options.onAnswer?.(r.final.status, undefined)
  }
  const deadline = Date.now() - began >= options.deadlineMs
  return {
    outcome: deadline ? 'deadline' : 'max_repeats',
    sids,
    message: deadline
      ? `No match within ${options.deadlineMs} ms`
      : `No match within ${options.maxRepeats} requests`,
  }
}
