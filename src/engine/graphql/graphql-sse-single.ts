import { randomUUID } from 'node:crypto'
import { operationLabel, paramsJson, type GraphqlParams, type PickedOperation } from '../../shared/graphql'
import type { RequestSpec } from '../../shared/request'
import { ok, type AppError, type Result } from '../../shared/result'
import { streamLogCutReason } from '../../shared/stream-log-cut'
import { DEFAULT_SSE_OPTIONS } from '../../shared/streams'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import { SessionKernel } from '../sessions/kernel/session-kernel'
import type { SessionTransport } from '../sessions/kernel/session-transport'
import { SseSession, type SseWatch } from '../sse/sse-session'
import type { StreamLog } from '../streams/stream-log'
import type { PluggedSessionInit, StreamOutcome } from '../streams/stream-engine'
import {
  refusal,
  reserve,
  resultHasErrorsText,
  TOKEN_HEADER,
  withoutHeaders,
  type SseDeps,
  type SseOperation,
} from './graphql-sse'
import { readAll, ResultTally } from './graphql-result'

/**
 * GraphQL over SSE's single connection mode (graphql-sse's `singleConnection`), several operations over one
 * reserved stream: a PUT reserves the stream and answers its token (a row of its own), a GET with the token
 * opens it (the stream's lane, `GraphQL event stream`), and each operation is POSTed onto it with the token and
 * its `extensions.operationId` — a session of its own (its own Stop and log) listed under the stream's row, its
 * POST drawn on its lane. Results come as `next` events `{id, payload}` and a `complete` `{id}`; each is routed
 * to its operation (and stays in the stream's log too). Stop on an operation sends DELETE ?operationId=; the
 * stream is closed as its last operation ends. The stream ending ends its operations: closed by the person, as
 * closed; dropped or ended by the server, with an error. Its log's cut ends them too: an event past it is not
 * kept, so its operation id cannot be read, and an operation left on the stream would wait for results that
 * can no longer reach it; each ends with an error naming the cut and the stream is closed.
 */

/** Data read from an event to find its operation id and errors; a larger result is routed by nothing. */
const MAX_SCAN = 1024 * 1024
/** Operations at once on one reserved stream; past it, another is reserved. */
const MAX_ON_STREAM = 200

type Pending = Promise<Result<StreamMux>>

/** The engine's reserved streams, by URL, headers and auth. */
export class SseStreamPool {
  private readonly byKey = new Map<string, StreamMux>()
  private readonly pending = new Map<string, Pending>()

  /** The open stream for this operation's URL, headers and auth, reserving and opening one when none is. */
  async streamFor(deps: SseDeps, o: SseOperation): Promise<Result<StreamMux>> {
    const key = JSON.stringify([o.spec.url, o.spec.headers.filter((h) => h.enabled), o.auth, o.spec.options])
    const open = this.byKey.get(key)
    if (open && open.takes) return ok(open)
    const waiting = this.pending.get(key)
    if (waiting) return waiting
    const made = this.open(deps, o, key)
    this.pending.set(key, made)
    try {
      return await made
    } finally {
      this.pending.delete(key)
    }
  }

  private async open(deps: SseDeps, o: SseOperation, key: string): Promise<Result<StreamMux>> {
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
    const mux = new StreamMux(deps, o, token.value, () => {
      if (this.byKey.get(key) === mux) this.byKey.delete(key)
    })
    const session = deps.streams.openSession(
      'g',
      (init) =>
        new SseSession({
          ...init,
          spec: authorized.value.spec,
          stream: { ...DEFAULT_SSE_OPTIONS, reconnect: false, mode: 'sse' },
          name: 'GraphQL event stream',
          watch: mux,
        }),
    )
    mux.session = session
    this.byKey.set(key, mux)
    session.start()
    const { refused } = authorized.value
    deps.streams.wait(session.sid).then(
      (outcome) => {
        // A GET refused 401 drops the token it carried (the PUT and POSTs go through auth.send, which does).
        if (outcome.handshake.status === 401) refused?.()
        mux.streamEnded(outcome)
      },
      () => mux.streamEnded(null),
    )
    return ok(mux)
  }
}

/** One reserved stream and the operations on it. */
export class StreamMux implements SseWatch {
  session: SseSession | null = null
  private readonly ops = new Map<string, SseSingleOperation>()
  private isOpen = false
  private over = false

  constructor(
    readonly deps: SseDeps,
    readonly base: SseOperation,
    readonly token: string,
    private readonly onOver: () => void,
  ) {}

  get sid(): string {
    return this.session?.sid ?? ''
  }

  /** The stream takes another operation: it has not ended or begun closing, and has room. */
  get takes(): boolean {
    return !this.over && this.ops.size < MAX_ON_STREAM
  }

  get open(): boolean {
    return this.isOpen && !this.over
  }

  attach(op: SseSingleOperation): void {
    this.ops.set(op.operationId, op)
    if (this.open) op.post()
  }

  detach(op: SseSingleOperation): void {
    if (!this.ops.delete(op.operationId) || this.ops.size > 0 || this.over) return
    this.over = true
    this.onOver()
    // Not inside the stream's own message handling (a `complete` ends the last operation there).
    setImmediate(() => this.session?.close('Its last operation ended'))
  }

  // ---- the stream's watch ----

  opened(): void {
    this.isOpen = true
    for (const op of [...this.ops.values()]) op.post()
  }

  messages(log: StreamLog, seq: number, count: number): number {
    if (seq < 0) {
      this.cutOff(log)
      return 0
    }
    let errors = 0
    for (let i = seq; i < seq + count; i++) {
      const e = log.entry(i, MAX_SCAN)
      if (!e || e.truncated || (e.event !== 'next' && e.event !== 'complete')) continue
      let id: unknown
      let payload: unknown
      try {
        const v = JSON.parse(e.data) as { id?: unknown; payload?: unknown } | null
        id = v?.id
        payload = v?.payload
      } catch {
        continue
      }
      const withErrors = e.event === 'next' && resultHasErrorsText(payload)
      if (withErrors) errors++
      if (typeof id === 'string') this.ops.get(id)?.deliver(e.event, e.data, payload, withErrors, e.t)
    }
    return errors
  }

  /** The stream's log stopped keeping events: its operations end, naming the cut, and the stream closes. */
  private cutOff(log: StreamLog): void {
    if (this.over && this.ops.size === 0) return
    const why = (log.cut ? streamLogCutReason(log.cut) : "this session's log is full").replace(
      "this session's log",
      'its log',
    )
    this.over = true
    this.isOpen = false
    this.onOver()
    const ops = [...this.ops.values()]
    this.ops.clear()
    for (const op of ops) op.cutOff(this.sid, why)
    // Not inside the stream's own message handling.
    setImmediate(() => this.session?.close(`Stopped keeping events, ${why}: results can no longer be routed`))
  }

  ended(): AppError | undefined {
    if (this.ops.size === 0) return undefined
    return {
      code: 'reset',
      message: `The server ended the event stream while ${this.ops.size} operation${this.ops.size === 1 ? ' was' : 's were'} running`,
    }
  }

  /** The stream's session ended: its operations end with it. */
  streamEnded(outcome: StreamOutcome | null): void {
    this.over = true
    this.isOpen = false
    this.onOver()
    const ops = [...this.ops.values()]
    this.ops.clear()
    const final = outcome?.final
    for (const op of ops) op.streamEnded(final?.type === 'error' ? final : null)
  }
}

/** One operation on a reserved stream: a session of its own, listed under the stream's row. */
export class SseSingleOperation implements SessionTransport {
  readonly sid: string
  readonly operationId = randomUUID()
  private readonly kernel: SessionKernel
  private attempt: SessionAttempt | null = null
  private posted = false
  private gone = false
  /** Its results, for the `graphql` event that marks the row when some carried errors. */
  private readonly tally = new ResultTally()

  constructor(
    private readonly init: PluggedSessionInit & {
      mux: StreamMux
      params: GraphqlParams
      op: PickedOperation
    },
  ) {
    this.sid = init.sid
    this.kernel = new SessionKernel(
      {
        sid: init.sid,
        kind: 'sse',
        tick: 'sse-event',
        ctx: init.ctx,
        log: init.log,
        onEnd: init.onEnd,
        reconnect: { enabled: false, maxRetries: 0, resetOn: 'message', delayMs: () => 0 },
      },
      this,
    )
  }

  get isEnded(): boolean {
    return this.kernel.isEnded
  }

  start(): void {
    this.kernel.start({
      method: 'POST',
      url: this.init.mux.base.spec.url,
      invalid: null,
      name: operationLabel(this.init.op),
      graphql: this.init.op.type,
      connection: this.init.mux.sid,
    })
  }

  connect(attempt: SessionAttempt): void {
    this.attempt = attempt
    attempt.marks = { queuedAt: attempt.queuedAt }
    this.init.mux.attach(this)
  }

  abort(): void {
    this.attempt = null
  }

  beginClose(attempt: SessionAttempt): boolean {
    if (!this.posted || this.gone) return false
    const mux = this.init.mux
    const url = new URL(mux.base.spec.url)
    url.searchParams.set('operationId', this.operationId)
    const del: RequestSpec = {
      method: 'DELETE',
      url: url.href,
      headers: [
        { name: TOKEN_HEADER, value: mux.token, enabled: true },
        ...withoutHeaders(mux.base.spec.headers, ['content-type', TOKEN_HEADER]),
      ],
      body: { kind: 'none' },
      options: mux.base.spec.options,
    }
    // The DELETE is a row on this lane; the operation is over once it is sent (its answer is on that row).
    void mux.deps.auth.send(del, mux.base.auth, 1, {
      lane: this.sid,
      name: `DELETE ${operationLabel(this.init.op)}`,
    })
    setImmediate(() => attempt.ended({ reason: 'Stopped by you', reconnectable: false, by: 'client' }))
    return true
  }

  release(): void {
    this.attempt = null
    const marked = this.tally.event(this.sid, this.kernel.now(), this.init.op)
    if (marked) this.init.ctx.emit(marked)
    this.init.mux.detach(this)
  }

  stop(): boolean {
    if (this.kernel.isEnded) return false
    return this.kernel.close('Stopped by you')
  }

  dispose(): void {
    this.kernel.dispose('Flightdeck is shutting down')
  }

  /** The stream is open: POST the operation onto it (202 Accepted). */
  post(): void {
    const attempt = this.attempt
    if (!attempt || this.posted) return
    this.posted = true
    void this.postNow(attempt)
  }

  private async postNow(attempt: SessionAttempt): Promise<void> {
    const mux = this.init.mux
    const params: GraphqlParams = {
      ...this.init.params,
      extensions: { ...(this.init.params.extensions ?? {}), operationId: this.operationId },
    }
    const post: RequestSpec = {
      method: 'POST',
      url: mux.base.spec.url,
      headers: [
        { name: 'Accept', value: 'application/json', enabled: true },
        { name: TOKEN_HEADER, value: mux.token, enabled: true },
        ...withoutHeaders(mux.base.spec.headers, ['accept', 'content-type', TOKEN_HEADER]),
      ],
      body: { kind: 'json', text: paramsJson(params) },
      options: mux.base.spec.options,
    }
    const sentAt = this.kernel.now()
    const label = operationLabel(this.init.op)
    const sent = await mux.deps.auth.send(post, mux.base.auth, 1, { lane: this.sid, name: `POST ${label}` })
    if (!sent.ok)
      return attempt.ended({
        reason: sent.error.message,
        error: sent.error,
        reconnectable: false,
        by: 'network',
      })
    const final = (await mux.deps.http.waitFor(sent.value.sids[0] ?? '')).final
    if (!attempt.current) return
    if (final.type !== 'done') {
      const error: AppError =
        final.type === 'error'
          ? { code: final.code, message: `Starting the operation (POST) failed: ${final.message}` }
          : { code: 'network', message: 'The operation (POST) was cancelled' }
      return attempt.ended({ reason: error.message, error, reconnectable: false, by: 'network' })
    }
    if (final.status === 202 || final.status === 204) {
      attempt.opened({
        status: final.status,
        mode: 'sse',
        marks: { queuedAt: attempt.queuedAt, sendStart: sentAt, sendEnd: sentAt, firstByte: final.t },
        note: `On the event stream ${mux.sid}`,
      })
      return
    }
    const text =
      final.body.size <= MAX_SCAN ? await readAll(mux.deps.http.bodies, final.body.id, final.body.size) : null
    const error = refusal(final.status, text, this.init.op)
    attempt.ended({ reason: error.message, error, reconnectable: false, by: 'server' })
  }

  /** One of this operation's events from the stream: logged on its lane; `complete` ends it. */
  deliver(event: string, data: string, payload: unknown, withErrors: boolean, t: number): void {
    const attempt = this.attempt
    if (!attempt) return
    if (event === 'next') this.tally.add(payload)
    const size = Buffer.byteLength(data)
    this.kernel.wireBytes += size
    this.kernel.bodyBytes += size
    attempt.record('in', 'event', data, t, undefined, {
      event,
      id: this.operationId,
      ...(withErrors ? { errors: 1 } : {}),
    })
    if (event === 'complete')
      attempt.ended({
        reason: `The server completed the ${this.init.op.type}`,
        reconnectable: false,
        by: 'server',
      })
  }

  /** The stream's log was cut (`why`): no result of this operation can be routed to it any more. */
  cutOff(stream: string, why: string): void {
    this.gone = true
    const attempt = this.attempt
    if (!attempt || this.kernel.isEnded) return
    const message = `The event stream ${stream} stopped keeping events, ${why}: results past it cannot be routed to this ${this.init.op.type}`
    attempt.ended({
      reason: message,
      error: { code: 'too_large', message },
      reconnectable: false,
      by: 'client',
    })
  }

  /** The stream ended: closed by the person (or by us), as closed; else with its error. */
  streamEnded(error: AppError | null): void {
    this.gone = true
    const attempt = this.attempt
    if (!attempt || this.kernel.isEnded) return
    if (!error) {
      this.kernel.close('The event stream was closed by you')
      return
    }
    const type = this.init.op.type
    const e: AppError = {
      code: error.code,
      message: `The event stream ended before the ${type} completed: ${error.message}`,
    }
    attempt.ended({ reason: e.message, error: e, reconnectable: false, by: 'network' })
  }
}

/** Single connection mode: the operation on the open reserved stream for its URL, headers and auth. */
export async function openSseSingle(
  deps: SseDeps,
  pool: SseStreamPool,
  o: SseOperation,
): Promise<Result<string>> {
  const mux = await pool.streamFor(deps, o)
  if (!mux.ok) return mux
  const session = deps.streams.openSession(
    'g',
    (init) => new SseSingleOperation({ ...init, mux: mux.value, params: o.params, op: o.op }),
  )
  session.start()
  return ok(session.sid)
}
