import {
  operationLabel,
  summarizeResult,
  type GraphqlParams,
  type PickedOperation,
} from '../../shared/graphql'
import type { AuthSpec } from '../../shared/collection'
import type { KeyValue, RequestSpec } from '../../shared/request'
import { fail, ok, type AppError, type Result } from '../../shared/result'
import { DEFAULT_SSE_OPTIONS } from '../../shared/streams'
import type { AuthRunner } from '../auth/auth-runner'
import type { HttpEngine } from '../http/http-engine'
import { SseSession, type SseWatch } from '../sse/sse-session'
import type { StreamLog } from '../streams/stream-log'
import type { StreamEngine } from '../streams/stream-engine'
import { operationFailure } from './graphql-errors'
import { readAll, ResultTally } from './graphql-result'
import type { TimelineEvent } from '../../shared/timeline'

/**
 * GraphQL over SSE (the graphql-sse protocol). Distinct connections mode (`sse`) is here: a POST of the
 * operation with `Accept: text/event-stream`, answered by an event stream of `next` events and one `complete`,
 * after which the server ends it. A `next` whose result carries `errors` is counted on its tick (red on the
 * lane), and a stream that ends before `complete` is an error, never a quiet done. Single connection mode
 * (`sse-single`) is graphql-sse-single.ts; the reservation (PUT) and a refused operation's words are shared.
 */

export const TOKEN_HEADER = 'x-graphql-event-stream-token'
/** A token longer than this is not a graphql-sse token (it is some page the server answered the PUT with). */
const MAX_TOKEN = 4096
/** Data read back from the log to look for a result's errors; a larger result is not searched. */
const MAX_SCAN = 1024 * 1024

export interface SseDeps {
  auth: AuthRunner
  http: HttpEngine
  streams: StreamEngine
  emit(e: TimelineEvent): void
}

/** An operation over SSE: its request as prepared ({{variables}} resolved), its auth, parameters and type. */
export interface SseOperation {
  spec: RequestSpec
  auth: AuthSpec
  params: GraphqlParams
  op: PickedOperation
}

/**
 * Distinct connections mode: the operation's POST is the stream. `refused` is the authorizer's: called when
 * the POST is answered 401, so a cached OAuth token is dropped as after an HTTP 401.
 */
export function openSseDistinct(
  deps: SseDeps,
  o: SseOperation,
  authorized: RequestSpec,
  refused?: () => void,
): string {
  const watch = new ResultWatch(o.op.type)
  const session = deps.streams.openSession(
    'g',
    (init) =>
      new SseSession({
        ...init,
        spec: authorized,
        // A POST is not sent again on its own; the stream is read as an event stream whatever its type says.
        stream: { ...DEFAULT_SSE_OPTIONS, reconnect: false, mode: 'sse' },
        name: operationLabel(o.op),
        watch,
      }),
  )
  session.start()
  // Once it ends, a `graphql` event marks the row when some result carried errors.
  deps.streams.wait(session.sid).then(
    (outcome) => {
      if (outcome.handshake.status === 401) refused?.()
      const marked = watch.tally.event(session.sid, outcome.final.t, o.op)
      if (marked) deps.emit(marked)
    },
    () => undefined,
  )
  return session.sid
}

/** PUT: the server reserves a stream and answers its token (201, text). Any other answer says why not. */
export async function reserve(deps: SseDeps, o: SseOperation): Promise<Result<string>> {
  const put: RequestSpec = {
    method: 'PUT',
    url: o.spec.url,
    headers: [
      { name: 'Accept', value: 'text/plain', enabled: true },
      ...withoutHeaders(o.spec.headers, ['accept', 'content-type']),
    ],
    body: { kind: 'none' },
    options: o.spec.options,
  }
  const sent = await deps.auth.send(put, o.auth, 1, { name: 'reserve a GraphQL event stream' })
  if (!sent.ok) return sent
  const sid = sent.value.sids[0] ?? ''
  const result = await deps.http.waitFor(sid)
  const final = result.final
  if (final.type === 'cancelled') return fail('network', 'The stream reservation (PUT) was cancelled')
  if (final.type === 'error')
    return fail(final.code, `The stream reservation (PUT) failed: ${final.message}`, final.detail)
  if (final.status === 401 || final.status === 403)
    return fail(
      'auth',
      `The server refused the stream reservation (PUT) with ${final.status}: it did not accept the request's credentials`,
    )
  if (final.status !== 201)
    return fail(
      'protocol',
      `The server answered the stream reservation (PUT) with ${final.status}, not 201 and a token: it does not serve GraphQL over SSE's single connection mode (try the distinct mode, sse)`,
    )
  const text =
    final.body.size > MAX_TOKEN ? null : await readAll(deps.http.bodies, final.body.id, final.body.size)
  const token = text?.trim() ?? ''
  if (!token || token.length > MAX_TOKEN || /[\r\n]/.test(token))
    return fail(
      'protocol',
      `The server answered the stream reservation (PUT) with 201 but ${token ? 'something that is not a token' : 'no token'} (${final.body.size} bytes)`,
    )
  return ok(token)
}

/** A refused operation POST: its GraphQL errors when it has them, else the status in words. */
export function refusal(status: number, text: string | null, op: PickedOperation): AppError {
  let value: unknown
  try {
    value = text ? JSON.parse(text) : undefined
  } catch {
    value = undefined
  }
  const summary = summarizeResult(value)
  if (summary && summary.errorCount > 0) {
    const e = operationFailure((value as { errors: unknown }).errors, op)
    return { ...e, message: `${e.message} (the operation's POST was answered ${status})` }
  }
  return {
    code: 'protocol',
    message: `The server answered the operation's POST with ${status}, not 202 Accepted`,
    ...(text ? { detail: text.slice(0, 2000) } : {}),
  }
}

/**
 * Reads the events of one distinct-mode stream as they are logged: counts results with errors, notes
 * `complete` (a stream that ends before it is an error).
 */
class ResultWatch implements SseWatch {
  private completed = false
  readonly tally = new ResultTally()

  constructor(private readonly type: PickedOperation['type']) {}

  messages(log: StreamLog, seq: number, count: number, event?: string): number {
    // Past the log's cut only the event's type is known: a `complete` there still completes the operation.
    if (seq < 0) {
      if (event === 'complete') this.completed = true
      return 0
    }
    let errors = 0
    for (let i = seq; i < seq + count; i++) {
      const e = log.entry(i, MAX_SCAN)
      if (!e) continue
      if (e.event === 'complete') this.completed = true
      else if (e.event !== 'next') continue
      else if (e.truncated || !e.data.includes('"errors"')) this.tally.clean()
      else if (this.tallied(e.data)) errors++
    }
    return errors
  }

  /** One result's text: tallied; true when it carried errors. */
  private tallied(data: string): boolean {
    let result: unknown
    try {
      result = JSON.parse(data)
    } catch {
      this.tally.clean()
      return false
    }
    this.tally.add(result)
    return resultHasErrorsText(result)
  }

  ended(): AppError | undefined {
    if (this.completed) return undefined
    return { code: 'reset', message: `The server ended the event stream before the ${this.type} completed` }
  }
}

/** A result (parsed) whose `errors` are not empty, with or without data. */
export function resultHasErrorsText(result: unknown): boolean {
  return (summarizeResult(result)?.errorCount ?? 0) > 0
}

export function withoutHeaders(headers: KeyValue[], names: string[]): KeyValue[] {
  return headers.filter((h) => !names.includes(h.name.trim().toLowerCase()))
}
