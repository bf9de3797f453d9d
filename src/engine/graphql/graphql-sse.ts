import { randomUUID } from 'node:crypto'
import {
  operationLabel,
  paramsJson,
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
import { readAll } from './graphql-result'

/**
 * GraphQL over SSE (the graphql-sse protocol), both of its modes, each subscription one SSE session:
 *
 * - distinct connections (`sse`): a POST of the operation with `Accept: text/event-stream`, answered by an
 *   event stream of `next` events and one `complete`, after which the server ends it.
 * - single connection (`sse-single`, graphql-sse's `singleConnection`): a PUT reserves a stream and answers its
 *   token (201); a GET with the token in `x-graphql-event-stream-token` opens the stream; once it is open, a
 *   POST with the token starts the operation, its id in `extensions.operationId` (202). Results come as `next`
 *   events whose data is `{id, payload}`, then `complete` `{id}`; the server keeps the stream open, so
 *   Flightdeck closes it then. The PUT is a row of its own; the POST is drawn on the stream's lane. Stop closes
 *   the stream, which ends the reservation and its operation (graphql-sse completes every operation of a
 *   stream that closes). One operation per stream: each subscription reserves its own.
 *
 * In both, a `next` whose result carries `errors` is counted on its tick (red on the lane), and a stream that
 * ends before `complete` is an error, never a quiet done.
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
}

/** The operation over one stream: the POST for distinct mode, or the GET of a reserved stream. */
export interface SseOperation {
  spec: RequestSpec
  auth: AuthSpec
  params: GraphqlParams
  op: PickedOperation
}

/** Distinct connections mode: the operation's POST is the stream. */
export function openSseDistinct(deps: SseDeps, o: SseOperation, authorized: RequestSpec): string {
  const watch = new ResultWatch(null, o.op.type)
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
  watch.session = session
  session.start()
  return session.sid
}

/** Single connection mode: reserve a stream (PUT), open it (GET), then start the operation on it (POST). */
export async function openSseSingle(deps: SseDeps, o: SseOperation): Promise<Result<string>> {
  const label = operationLabel(o.op)
  const token = await reserve(deps, o)
  if (!token.ok) return token
  const get: RequestSpec = {
    method: 'GET',
    url: o.spec.url,
    // graphql-sse's handler takes the GET as the stream only when Accept is exactly text/event-stream.
    headers: [
      { name: 'Accept', value: 'text/event-stream', enabled: true },
      { name: TOKEN_HEADER, value: token.value, enabled: true },
      ...withoutHeaders(o.spec.headers, ['accept', TOKEN_HEADER]),
    ],
    body: { kind: 'none' },
    options: o.spec.options,
  }
  const authorized = await deps.auth.authorize(get, o.auth, 'SSE')
  if (!authorized.ok) return authorized
  const operationId = randomUUID()
  const watch = new ResultWatch(operationId, o.op.type)
  const session = deps.streams.openSession(
    'g',
    (init) =>
      new SseSession({
        ...init,
        spec: authorized.value.spec,
        stream: { ...DEFAULT_SSE_OPTIONS, reconnect: false, mode: 'sse' },
        name: label,
        watch,
      }),
  )
  watch.session = session
  watch.onOpen = () => void startOperation(deps, o, session, token.value, operationId)
  session.start()
  return ok(session.sid)
}

/** PUT: the server reserves a stream and answers its token (201, text). Any other answer says why not. */
async function reserve(deps: SseDeps, o: SseOperation): Promise<Result<string>> {
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

/** POST the operation onto the open stream; a refusal (a 400 with the GraphQL errors) fails the session. */
async function startOperation(
  deps: SseDeps,
  o: SseOperation,
  session: SseSession,
  token: string,
  operationId: string,
): Promise<void> {
  const params: GraphqlParams = {
    ...o.params,
    extensions: { ...(o.params.extensions ?? {}), operationId },
  }
  const post: RequestSpec = {
    method: 'POST',
    url: o.spec.url,
    headers: [
      { name: 'Accept', value: 'application/json', enabled: true },
      { name: TOKEN_HEADER, value: token, enabled: true },
      ...withoutHeaders(o.spec.headers, ['accept', 'content-type', TOKEN_HEADER]),
    ],
    body: { kind: 'json', text: paramsJson(params) },
    options: o.spec.options,
  }
  const sent = await deps.auth.send(post, o.auth, 1, {
    lane: session.sid,
    name: `POST ${operationLabel(o.op)}`,
  })
  if (!sent.ok) return session.fail(sent.error)
  const result = await deps.http.waitFor(sent.value.sids[0] ?? '')
  const final = result.final
  if (session.isEnded) return
  if (final.type === 'cancelled')
    return session.fail({ code: 'network', message: 'The operation (POST) was cancelled' })
  if (final.type === 'error')
    return session.fail({ ...final, message: `Starting the operation (POST) failed: ${final.message}` })
  // 202: started; 204: the operation ended before it was prepared (the server's word for a quick complete).
  if (final.status === 202 || final.status === 204) return
  const text =
    final.body.size <= MAX_SCAN ? await readAll(deps.http.bodies, final.body.id, final.body.size) : null
  session.fail(refusal(final.status, text, o.op))
}

function refusal(status: number, text: string | null, op: PickedOperation): AppError {
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
 * Reads the events of one GraphQL-over-SSE stream as they are logged: counts results with errors, notes
 * `complete`. In single connection mode (`operationId` set) the results are wrapped as `{id, payload}` and the
 * server keeps the stream open after `complete`, so the session is closed then.
 */
class ResultWatch implements SseWatch {
  session: SseSession | null = null
  onOpen: (() => void) | null = null
  private completed = false

  constructor(
    private readonly operationId: string | null,
    private readonly type: PickedOperation['type'],
  ) {}

  opened(): void {
    this.onOpen?.()
  }

  messages(log: StreamLog, seq: number, count: number): number {
    let errors = 0
    for (let i = seq; i < seq + count; i++) {
      const e = log.entry(i, MAX_SCAN)
      if (!e) continue
      if (e.event === 'complete') this.complete()
      else if (
        e.event === 'next' &&
        !e.truncated &&
        e.data.includes('"errors"') &&
        hasErrors(e.data, this.operationId)
      )
        errors++
    }
    return errors
  }

  ended(): AppError | undefined {
    if (this.completed) return undefined
    return { code: 'reset', message: `The server ended the event stream before the ${this.type} completed` }
  }

  private complete(): void {
    if (this.completed) return
    this.completed = true
    if (this.operationId === null) return
    // Not while the decoder is still handing over this chunk's events.
    setImmediate(() => this.session?.close(`The server completed the ${this.type}`))
  }
}

function hasErrors(data: string, operationId: string | null): boolean {
  try {
    const v: unknown = JSON.parse(data)
    const result = operationId === null ? v : (v as { payload?: unknown } | null)?.payload
    return (summarizeResult(result)?.errorCount ?? 0) > 0
  } catch {
    return false
  }
}

function withoutHeaders(headers: KeyValue[], names: string[]): KeyValue[] {
  return headers.filter((h) => !names.includes(h.name.trim().toLowerCase()))
}
