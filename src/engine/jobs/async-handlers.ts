import type { AuthSpec, RequestContext } from '../../shared/collection'
import type { CommandHandlers, JobCommand, SendResult } from '../../shared/contract'
import type { RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import type { DynamicValues } from '../../shared/template'
import type { EmptySecretUse, JobEvent, JobMode, JobState, TimelineEvent } from '../../shared/timeline'
import type { AuthRunner } from '../auth/auth-runner'
import type { Clock } from '../clock'
import type { HttpEngine, SessionLink } from '../http/http-engine'
import type { WebhookCall, WebhookInbox } from '../webhooks/webhook-inbox'
import { cutEvents } from '../webhooks/webhook-timeline'
import { webhookValues } from '../webhooks/webhook-values'
import { followJob, followJobOptions } from './follow-job'
import { longPoll, longPollOptions } from './long-poll'
import type { TracePlan } from '../trace/trace-headers'
import { newTraceId } from '../trace/trace-ids'
import { MAX_TRACE_BODY_SCAN, type TraceIndex, type TraceMatch } from '../trace/trace-index'

/**
 * The service's handlers for the async commands: the webhook inbox, following a job and long
 * polling. A job runs in the background; the command answers with the first request's sid as soon as it is
 * sent, and the job reports itself on the timeline with `job` events on that sid's lane. `cancel(sid)` stops
 * it (the service's `session.cancel` asks here first).
 */

export type AsyncHandlers = CommandHandlers<JobCommand>

export interface AsyncDeps {
  http: HttpEngine
  auth: AuthRunner
  clock: Clock
  inbox: WebhookInbox
  emit(e: TimelineEvent): void
  /** Which request sent which trace: a webhook call carrying a trace id joins that request's lane. */
  traces?: TraceIndex
  /** Resolve variables and inherited auth as `request.send` does; `name`: the saved request's, when it is one. */
  prepare(
    request: RequestSpec,
    auth: AuthSpec,
    context: RequestContext | undefined,
    dyn: DynamicValues,
    adHocTrace?: boolean,
  ): Promise<
    Result<{
      spec: RequestSpec
      auth: AuthSpec
      name?: string | undefined
      trace?: TracePlan | undefined
      /** Secrets with no value here that the request used (sent empty): each of the job's requests names them. */
      emptySecrets?: EmptySecretUse[] | undefined
    }>
  >
}

interface RunningJob {
  abort: AbortController
  /** The poll or repeat in flight, cancelled with the job. */
  current: string | null
}

const MAX_VALUE_TEXT = 200
/** Jobs running at once; more are refused rather than queued (each holds a loop and timers). */
const MAX_JOBS = 1000

export interface AsyncService {
  handlers: AsyncHandlers
  /** Stop the job or long poll started by `sid`; false when there is none. */
  cancel(sid: string): boolean
  /** `{{$webhook}}` for one send (request.send uses it too). */
  webhookValues(): ReturnType<typeof webhookValues>
  dispose(): Promise<void>
}

export function createAsyncService(deps: AsyncDeps): AsyncService {
  const { http, inbox, clock } = deps
  const jobs = new Map<string, RunningJob>()

  // A call cut before it was whole (too large, too slow, hung up) shows where the person looks, not only to its caller.
  inbox.onCut((cut) => {
    for (const e of cutEvents(inbox.baseUrl, cut)) deps.emit(e)
  })
  inbox.onCall((call) => {
    const traces = deps.traces
    const byHeader = traces?.matchHeaders(call.headers) ?? null
    if (byHeader || !traces?.readsBodies || call.body.size === 0) {
      emitCall(deps, call, byHeader)
      return
    }
    // A body field names the trace: read the call's body head back (bounded) before drawing it.
    void inbox.bodies
      .read(call.body.id, 0, Math.min(call.body.size, MAX_TRACE_BODY_SCAN), 'utf8')
      .then(
        (r) => (r.ok ? traces.matchBody(r.value.data) : null),
        () => null,
      )
      .then((m) => emitCall(deps, call, m))
  })

  function jobEvent(
    sid: string,
    mode: JobMode,
    state: JobState,
    polls: number,
    message: string,
    extra: Partial<Pick<JobEvent, 'statusUrl' | 'lastStatus' | 'lastValue'>>,
  ): void {
    deps.emit({ type: 'job', sid, t: clock.now(), mode, state, polls, message, ...extra })
  }

  /** Prepare, then start `run` in the background; answer with the first sid once it is sent. */
  async function start(
    p: {
      request: RequestSpec
      auth?: AuthSpec | undefined
      context?: RequestContext | undefined
      trace?: boolean | undefined
    },
    run: (
      spec: RequestSpec,
      send: (spec: RequestSpec, link?: SessionLink) => Promise<Result<SendResult>>,
      job: RunningJob,
      started: (sid: string) => void,
    ) => Promise<{ ok: boolean; message: string }>,
  ): Promise<Result<{ sid: string }>> {
    if (jobs.size >= MAX_JOBS) return fail('invalid_request', `At most ${MAX_JOBS} jobs can run at once`)
    const hook = webhookValues(inbox)
    const prepared = await deps.prepare(
      p.request,
      p.auth ?? { type: 'inherit' },
      p.context,
      hook.dyn,
      p.trace,
    )
    if (!prepared.ok) return prepared
    const { spec, auth, name, emptySecrets } = prepared.value
    // The job's requests (the first and every poll) share one trace id, each with a span of its own.
    const trace = prepared.value.trace
      ? { ...prepared.value.trace, traceId: prepared.value.trace.traceId ?? newTraceId() }
      : undefined
    // Every request of the job is authorized as it goes out, as the first one is (the spec carries no
    // credentials): each poll gets the cached OAuth 2.0 token or a fresh one, the next digest nonce count.
    const send = async (s: RequestSpec, link?: SessionLink): Promise<Result<SendResult>> => {
      const r = await deps.auth.send(s, auth, 1, {
        ...link,
        ...(name ? { name } : {}),
        ...(trace ? { trace } : {}),
        ...(emptySecrets ? { emptySecrets } : {}),
      })
      // The webhook call is drawn as caused by the request that carried the token: the first.
      if (r.ok && !link) hook.bind(r.value.sids)
      return r
    }
    const job: RunningJob = { abort: new AbortController(), current: null }
    return new Promise((resolve) => {
      let answered = false
      const started = (sid: string): void => {
        jobs.set(sid, job)
        answered = true
        resolve(ok({ sid }))
      }
      run(spec, send, job, started)
        .then((r) => {
          if (!answered) resolve(fail('invalid_request', r.message))
        })
        .catch((e: unknown) => {
          if (!answered) resolve(fail('internal', e instanceof Error ? e.message : String(e)))
        })
    })
  }

  const handlers: AsyncHandlers = {
    'webhook.start': async (p) => {
      try {
        const url = await inbox.start(p.port ?? 0, p.host ?? '127.0.0.1')
        return ok({ url })
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        const where = `${p.host ?? '127.0.0.1'}:${p.port ?? 0}`
        if (code === 'EADDRINUSE') return fail('invalid_request', `Port ${p.port ?? 0} is already in use`)
        if (code === 'EACCES') return fail('forbidden', `Not allowed to listen on ${where}`)
        if (code === 'EADDRNOTAVAIL') return fail('invalid_request', `${p.host ?? ''} is not available here`)
        return fail('network', `The webhook inbox could not listen on ${where}`, String(e))
      }
    },
    'webhook.stop': async () => {
      const was = inbox.baseUrl !== null
      await inbox.stop()
      return ok({ stopped: was })
    },
    'webhook.status': async () => {
      const url = inbox.baseUrl
      return ok(
        url ? { running: true, url, calls: inbox.callCount } : { running: false, calls: inbox.callCount },
      )
    },
    'job.follow': (p) =>
      start(p, async (spec, send, job, started) => {
        let sid = ''
        let polls = 0
        let statusUrl: string | undefined
        let last: Pick<JobEvent, 'lastStatus' | 'lastValue'> = {}
        const extra = (): Partial<JobEvent> => ({ ...(statusUrl ? { statusUrl } : {}), ...last })
        const res = await followJob(http, spec, followJobOptions(p.follow), {
          signal: job.abort.signal,
          sendAuthorized: send,
          onStarted: (s) => {
            sid = s
            started(s)
            jobEvent(sid, 'follow', 'running', 0, 'Waiting for the first answer', {})
          },
          onStatusUrl: (u) => {
            statusUrl = u
          },
          onPoll: (s, n) => {
            job.current = s
            polls = n
          },
          onAnswer: (status, value) => {
            job.current = null
            last = { lastStatus: status, ...valueText(value) }
            jobEvent(sid, 'follow', 'running', polls, `Polling ${statusUrl ?? ''}`.trim(), extra())
          },
        })
        if (sid) {
          jobs.delete(sid)
          jobEvent(sid, 'follow', res.outcome, res.pollSids.length, res.message, {
            ...extra(),
            ...(res.lastStatus !== undefined ? { lastStatus: res.lastStatus } : {}),
            ...valueText(res.lastValue),
          })
        }
        return { ok: res.outcome === 'completed', message: res.message }
      }),
    'request.longPoll': (p) =>
      start(p, async (spec, send, job, started) => {
        let sid = ''
        let repeats = 0
        let last: Pick<JobEvent, 'lastStatus' | 'lastValue'> = {}
        const res = await longPoll(http, spec, {
          ...longPollOptions(p.poll),
          signal: job.abort.signal,
          send,
          onSend: (s, n) => {
            job.current = s
            repeats = n - 1
            if (n === 1) {
              sid = s
              started(s)
            }
            jobEvent(
              sid,
              'long-poll',
              'running',
              repeats,
              `Request ${n} of at most ${p.poll.maxRepeats}`,
              last,
            )
          },
          onAnswer: (status, value) => {
            job.current = null
            last = { ...(status > 0 ? { lastStatus: status } : {}), ...valueText(value) }
          },
        })
        if (sid) {
          jobs.delete(sid)
          jobEvent(sid, 'long-poll', res.outcome, Math.max(0, res.sids.length - 1), res.message, last)
        }
        return { ok: res.outcome === 'matched', message: res.message }
      }),
  }

  return {
    handlers,
    cancel: (sid) => {
      const job = jobs.get(sid)
      if (!job) return false
      job.abort.abort()
      if (job.current) http.cancel(job.current)
      // The first request may still be in flight too.
      http.cancel(sid)
      return true
    },
    webhookValues: () => webhookValues(inbox),
    dispose: async () => {
      for (const sid of [...jobs.keys()]) jobs.get(sid)?.abort.abort()
      await inbox.stop()
    },
  }
}

function valueText(value: unknown): Pick<JobEvent, 'lastValue'> {
  if (value === undefined) return {}
  const text = JSON.stringify(value) ?? String(value)
  return { lastValue: text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 1)}…` : text }
}

/** An incoming webhook call as a session of its own: queued (linked to its owner), then the call. */
function emitCall(deps: AsyncDeps, call: WebhookCall, trace: TraceMatch | null): void {
  const url = `${deps.inbox.baseUrl ?? 'http://127.0.0.1'}/hooks/${call.token}${call.path === '/' ? '' : call.path}${
    call.query ? `?${call.query}` : ''
  }`
  // A trace id the call carries names the request that caused it more precisely than a shared token does.
  const owner = trace?.sid ?? (call.owner ? call.owner : undefined)
  deps.emit({
    type: 'queued',
    sid: call.id,
    t: call.t,
    kind: 'webhook',
    wall: call.wall,
    method: call.method,
    url,
    hop: 0,
    ...(owner ? { initiator: owner } : {}),
  })
  deps.emit({
    type: 'webhook-call',
    sid: call.id,
    t: Math.max(call.t, deps.clock.now()),
    method: call.method,
    path: call.path,
    query: call.query,
    headers: call.headers,
    body: { ...call.body, onDisk: false },
    remoteAddress: call.remoteAddress,
    ...(owner ? { owner } : {}),
    ...(trace ? { traceId: trace.traceId } : {}),
  })
}
