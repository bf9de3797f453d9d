import type { SendResult } from '../../shared/contract'
import { monotonicMs } from '../clock'
import { formatMs } from '../../shared/format'
import type { FollowOptionsSpec, LongPollOptionsSpec } from '../../shared/job-options'
import type { RequestSpec } from '../../shared/request'
import type { Result } from '../../shared/result'
import type { ExchangeResult, HttpEngine, SessionLink } from '../http/http-engine'
import { followJob, followJobOptions, type JobOutcome } from '../jobs/follow-job'
import { longPoll, longPollOptions, type LongPollResult } from '../jobs/long-poll'

/**
 * A run step whose request has `followJob` or `longPoll`: once its request has answered, the step follows the
 * job (polling the status URL) or repeats the request, as the app does, every poll on the step's lane and
 * authorized as the request was. The step's checks then apply to the last answer. A job passes when it ends
 * done; a long poll when its `until` matched, or (without one) when it ran its count or deadline out.
 */

export interface JobStepOutcome {
  mode: 'follow' | 'long-poll'
  outcome: JobOutcome | LongPollResult['outcome']
  /** Polls after the first request (a long poll: requests after the first). */
  polls: number
  /** From the request that started it being sent to the last answer. */
  durationMs: number
  /** The job as a check, in words: `job done within 100 polls and 60000 ms`. */
  check: string
  /** What happened, with the poll count and the time: `The job completed (status 200) after 3 polls in 1.2 s`. */
  message: string
  statusUrl?: string
  /** The step may go on to its checks: the job is done, the long poll matched or ran its course. */
  done: boolean
  /** Every poll's session (for run.har), on the step's lane. */
  pollSids: string[]
}

export interface JobStepInput {
  follow?: FollowOptionsSpec
  longPoll?: LongPollOptionsSpec
  /** The request as resolved, without its credentials: each poll is authorized as it goes out. */
  spec: RequestSpec
  send: (spec: RequestSpec, link?: SessionLink) => Promise<Result<SendResult>> | Result<SendResult>
  /** The request that started it (already sent), and when it was sent (monotonicMs()). */
  startSid: string
  sentAt: number
  /** The step's lane (its first attempt). */
  lane: string
  signal: AbortSignal | undefined
  /** The run's sessions in flight, cancelled with the run. */
  inFlight: Set<string>
}

export interface JobStepResult {
  job: JobStepOutcome
  /** The last answer: what the step's assertions and extractions look at. */
  last: ExchangeResult | undefined
  /** A poll that got no answer (a network error) or a cancelled run: the step's error. */
  error?: { code: string; message: string }
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`

export async function runJobStep(http: HttpEngine, input: JobStepInput): Promise<JobStepResult> {
  const track = (sid: string): void => {
    input.inFlight.add(sid)
    // The run was cancelled as this poll went out: it ends cancelled, as the run's other requests do.
    if (input.signal?.aborted) http.cancel(sid)
  }
  const pollSids: string[] = []
  try {
    if (input.follow) {
      const r = await followJob(http, input.spec, followJobOptions(input.follow), {
        adopt: input.startSid,
        lane: input.lane,
        sendAuthorized: input.send,
        ...(input.signal ? { signal: input.signal } : {}),
        onPoll: (sid) => {
          pollSids.push(sid)
          track(sid)
        },
      })
      const durationMs = monotonicMs() - input.sentAt
      const polls = r.pollSids.length
      const done = r.outcome === 'completed'
      const f = input.follow
      const job: JobStepOutcome = {
        mode: 'follow',
        outcome: r.outcome,
        polls,
        durationMs,
        check: `job done within ${plural(f.maxPolls, 'poll')} and ${f.deadlineMs} ms`,
        message: done
          ? `${r.message} after ${plural(polls, 'poll')} in ${formatMs(durationMs)}`
          : `${r.message} (${plural(polls, 'poll')}, ${formatMs(durationMs)})`,
        ...(r.statusUrl !== undefined ? { statusUrl: r.statusUrl } : {}),
        done,
        pollSids,
      }
      return { job, last: r.last, ...errorOf(r.outcome, r.code, r.message) }
    }
    const spec = input.longPoll ?? { maxRepeats: 1 }
    const r = await longPoll(http, input.spec, {
      ...longPollOptions(spec),
      adopt: input.startSid,
      lane: input.lane,
      send: input.send,
      ...(input.signal ? { signal: input.signal } : {}),
      onSend: (sid, n) => {
        if (n === 1) return
        pollSids.push(sid)
        track(sid)
      },
    })
    const durationMs = monotonicMs() - input.sentAt
    const repeats = Math.max(0, r.sids.length - 1)
    // Without a condition, running the count or the deadline out is how a long poll ends.
    const done =
      r.outcome === 'matched' || (!spec.until && (r.outcome === 'max_repeats' || r.outcome === 'deadline'))
    const job: JobStepOutcome = {
      mode: 'long-poll',
      outcome: r.outcome,
      polls: repeats,
      durationMs,
      check: spec.until
        ? `long poll until ${spec.until.jsonPath} equals ${JSON.stringify(spec.until.equals)} within ${plural(spec.maxRepeats, 'request')}`
        : `long poll of ${plural(spec.maxRepeats, 'request')}`,
      message: `${r.message} (${plural(r.sids.length, 'request')}, ${formatMs(durationMs)})`,
      done,
      pollSids,
    }
    return { job, last: r.last, ...errorOf(r.outcome, r.code, r.message) }
  } finally {
    for (const sid of pollSids) input.inFlight.delete(sid)
  }
}

/** A poll with no answer (it has a network error's code) or a cancelled run is the step's error. */
function errorOf(
  outcome: string,
  code: string | undefined,
  message: string,
): { error?: { code: string; message: string } } {
  if (outcome === 'cancelled') return { error: { code: 'cancelled', message: 'Cancelled' } }
  if (outcome === 'error' && code !== undefined) return { error: { code, message } }
  return {}
}
