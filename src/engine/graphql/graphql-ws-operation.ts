import { operationLabel, paramsObject, type GraphqlParams, type PickedOperation } from '../../shared/graphql'
import type { AppError } from '../../shared/result'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import { SessionKernel } from '../sessions/kernel/session-kernel'
import type { EndedReport, SessionTransport } from '../sessions/kernel/session-transport'
import type { PluggedSessionInit, StreamEngine } from '../streams/stream-engine'
import { operationFailure } from './graphql-errors'
import { resultHasErrors, ResultTally } from './graphql-result'
import { ConnectionMux, muxKey, type MuxedOperation, type MuxLink, type MuxPool } from './graphql-ws-mux'
import { GraphqlWsSession, type GraphqlWsSessionInit } from './graphql-ws-session'
import type { Reaction } from './ws-protocols'

/**
 * One GraphQL operation over a shared WebSocket (graphql-ws-mux.ts): a session of its own on the kernel, with
 * its own lane, log and Stop, its `queued` naming the connection's session (`connection`), so the timeline lists
 * it under that connection's row. It opens when its subscribe goes out (the connection acknowledged already,
 * or as soon as it does), so its handshake is all queueing: a reused connection has no DNS, connect or TLS.
 *
 * It ends when the server completes it (done) or sends its `error` (an error with the GraphQL errors), when the
 * person stops it (the protocol's stop goes out; the connection stays for the others), or with the connection:
 * closed by the person, it ends as closed; dropped or broken, with an error that says so. It never reconnects
 * on its own (the connection does not either).
 */

export interface GraphqlWsOperationInit extends PluggedSessionInit {
  url: string
  mux: ConnectionMux
  params: GraphqlParams
  operation: PickedOperation
}

export class GraphqlWsOperation implements SessionTransport, MuxedOperation {
  readonly sid: string
  private readonly kernel: SessionKernel
  private attempt: SessionAttempt | null = null
  private link: MuxLink | null = null
  /** The connection is gone: nothing more can be sent. */
  private gone = false
  /** Its results, for the `graphql` event that marks the row when some carried errors. */
  private readonly tally = new ResultTally()

  constructor(private readonly init: GraphqlWsOperationInit) {
    this.sid = init.sid
    this.kernel = new SessionKernel(
      {
        sid: init.sid,
        kind: 'ws',
        tick: 'ws-message',
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
      method: 'GET',
      url: this.init.url,
      invalid: null,
      name: operationLabel(this.init.operation),
      graphql: this.init.operation.type,
      connection: this.init.mux.connectionSid,
    })
  }

  // ---- the kernel's transport ----

  connect(attempt: SessionAttempt): void {
    this.attempt = attempt
    attempt.marks = { queuedAt: attempt.queuedAt }
    this.init.mux.attach(this)
  }

  abort(): void {
    // Stopped before it was subscribed, or let go: nothing was started on the server that needs a stop.
    this.attempt = null
  }

  beginClose(attempt: SessionAttempt): boolean {
    const link = this.link
    if (!link || this.gone) return false
    const frame = link.protocol.stop(link.id)
    link.send(frame)
    attempt.record('out', 'text', frame, undefined, undefined, { event: 'stop', id: link.id })
    // The stop needs no answer: the operation is over once it is out (after the kernel took the close).
    setImmediate(() => attempt.ended({ reason: 'Stopped by you', reconnectable: false, by: 'client' }))
    return true
  }

  release(): void {
    this.attempt = null
    const marked = this.tally.event(this.sid, this.kernel.now(), this.init.operation)
    if (marked) this.init.ctx.emit(marked)
    this.init.mux.detach(this)
  }

  // ---- the mux's side ----

  subscribe(link: MuxLink): void {
    const attempt = this.attempt
    if (!attempt || !attempt.current || this.link) return
    this.link = link
    const frame = link.protocol.subscribe(link.id, paramsObject(this.init.params))
    link.send(frame)
    const t = this.kernel.now()
    attempt.opened({
      status: 101,
      mode: 'ws',
      marks: { queuedAt: attempt.queuedAt, sendStart: t, sendEnd: t, firstByte: t },
      protocol: link.protocol.name,
      note: `Multiplexed over the connection ${this.init.mux.connectionSid}`,
    })
    attempt.record('out', 'text', frame, t, undefined, { event: 'subscribe', id: link.id })
  }

  receive(r: Extract<Reaction, { kind: 'next' | 'error' | 'complete' }>, text: string, t: number): void {
    const attempt = this.attempt
    if (!attempt) return
    const size = Buffer.byteLength(text)
    this.kernel.wireBytes += size
    this.kernel.bodyBytes += size
    if (r.kind === 'next') this.tally.add(r.payload)
    const errors = r.kind === 'next' && resultHasErrors(r.payload) ? { errors: 1 } : {}
    attempt.record('in', 'text', text, t, undefined, { event: r.type, id: r.id, ...errors })
    const type = this.init.operation.type
    if (r.kind === 'complete')
      attempt.ended({ reason: `The server completed the ${type}`, reconnectable: false, by: 'server' })
    else if (r.kind === 'error')
      attempt.ended({
        reason: `The server answered the ${type} with an error`,
        error: operationFailure(r.payload, this.init.operation),
        reconnectable: false,
        by: 'server',
      })
  }

  stopForClose(): void {
    const link = this.link
    const attempt = this.attempt
    if (!link || !attempt || this.gone) return
    const frame = link.protocol.stop(link.id)
    link.send(frame)
    attempt.record('out', 'text', frame, undefined, undefined, { event: 'stop', id: link.id })
  }

  connectionEnded(report: EndedReport | null, byPerson: boolean): void {
    this.gone = true
    const attempt = this.attempt
    if (!attempt || this.kernel.isEnded) return
    if (byPerson || !report) {
      this.kernel.close('The connection was closed by you')
      return
    }
    const type = this.init.operation.type
    const error: AppError = report.error
      ? {
          ...report.error,
          message: `The connection ended before the ${type} completed: ${report.error.message}`,
        }
      : { code: 'network', message: `The connection ended before the ${type} completed: ${report.reason}` }
    attempt.ended({
      reason: error.message,
      error,
      reconnectable: false,
      by: report.by,
      ...(report.code !== undefined ? { code: report.code } : {}),
    })
  }

  // ---- the engine's ----

  stop(): boolean {
    if (this.kernel.isEnded) return false
    return this.kernel.close('Stopped by you')
  }

  dispose(): void {
    this.kernel.dispose('Flightdeck is shutting down')
  }
}

/** What an operation over a shared connection is opened with. */
export interface MuxedOpen {
  streams: StreamEngine
  pool: MuxPool
  connection: Omit<GraphqlWsSessionInit, keyof PluggedSessionInit | 'mux' | 'operation' | 'params'>
  params: GraphqlParams
  operation: PickedOperation
}

/**
 * Open an operation over the shared connection its URL, subprotocols, headers and connection params name,
 * opening that connection (a session of its own) first when none is open. Returns the operation's sid.
 */
export function openMuxed(o: MuxedOpen): string {
  const c = o.connection
  const key = muxKey({
    url: c.url,
    protocols: c.protocols,
    headers: c.headers,
    connectionParams: c.connectionParams,
    insecure: c.options.insecure,
    caFile: c.options.caFile,
    maxMessageBytes: c.options.maxMessageBytes,
    omitUserAgent: c.options.omitDefaultHeaders?.includes('user-agent') ?? false,
  })
  let mux = o.pool.find(key)
  if (!mux) {
    let connection: GraphqlWsSession | null = null
    const created = new ConnectionMux(
      key,
      'GraphQL connection',
      (m) => {
        o.pool.forget(m)
        connection?.close('Its last operation ended')
      },
      (m) => o.pool.forget(m),
    )
    connection = o.streams.openSession(
      'g',
      (init) =>
        new GraphqlWsSession({
          ...init,
          ...c,
          options: { ...c.options, reconnect: false },
          params: { query: '' },
          operation: { type: 'subscription' },
          mux: created,
        }),
    )
    created.connectionSid = connection.sid
    o.pool.add(created)
    connection.start()
    mux = created
  }
  const muxed = mux
  const session = o.streams.openSession(
    'g',
    (init) =>
      new GraphqlWsOperation({ ...init, url: c.url, mux: muxed, params: o.params, operation: o.operation }),
  )
  session.start()
  return session.sid
}
