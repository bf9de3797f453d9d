import * as grpc from '@grpc/grpc-js'
import type protobuf from 'protobufjs'
import { grpcStatusText, type GrpcMethodInfo, type GrpcStatusInfo } from '../../shared/grpc'
import { fail, ok, type AppError, type Result } from '../../shared/result'
import type { ExchangeMarks } from '../http/timings'
import { SessionKernel } from '../sessions/kernel/session-kernel'
import { previewOf } from '../sessions/kernel/message-ticks'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import type { SessionTransport } from '../sessions/kernel/session-transport'
import type { PluggedSessionInit } from '../streams/stream-engine'
import { metadataPairs, type GrpcTarget } from './grpc-channel'
import { decodeToJson, encodeJson } from './grpc-json'
import type { ResolvedMethod } from './grpc-schema'
import { explainStatus, refusedHere, sizeText, statusDetails, statusError, statusInfo } from './grpc-status'
import { GRPC_CONNECT_TIMEOUT_MS, noConnectionWords } from './grpc-connect-wait'

/**
 * One gRPC call, of any of the four kinds, as a session on the kernel (reconnect off: a call is never sent
 * twice). Every kind goes out as a bidirectional stream on the wire, which is what they all are in HTTP/2: the
 * request's messages are written one by one, then the sending side is half-closed (at once, or when the person
 * says for a client or bidi stream kept open). Phases as far as grpc-js lets them be seen: the channel
 * becoming ready (connect, TLS included), the request's headers sent, the initial metadata (headers), and the
 * status with its trailers (the end). Messages are JSON text in the stream log, received above, sent below; the
 * half-close and the trailers are `control` entries among them.
 */

export interface GrpcSessionInit extends PluggedSessionInit {
  target: GrpcTarget
  method: ResolvedMethod
  client: grpc.Client
  /** The channel was READY already: no connect phase, as a reused connection. */
  reused: boolean
  /** The channel's connection number: calls on one channel are siblings of one connection. */
  connectionId: number
  metadata: grpc.Metadata
  /** The messages to send at once, JSON text each (checked against the request type when sent). */
  messages: string[]
  halfClose: boolean
  deadlineMs?: number
  /** How long a new channel may take to become READY; absent: GRPC_CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number
  maxMessageBytes: number
  schema: protobuf.Root
  /** The row's name (a saved request's). */
  name?: string
}

/** What a call ended with, besides its timeline events (the CLI and the runner read it). */
export interface GrpcCallOutcome {
  method: GrpcMethodInfo
  status: GrpcStatusInfo | null
  headers: [string, string][]
  trailers: [string, string][]
  sent: number
  received: number
}

export class GrpcSession implements SessionTransport {
  readonly sid: string
  private readonly kernel: SessionKernel
  private call: grpc.ClientDuplexStream<Buffer, Buffer> | null = null
  private attempt: SessionAttempt | null = null
  private halfClosed = false
  private readonly outcome: GrpcCallOutcome
  private readonly sendLimit: number
  /** Received messages logged but not ticked yet (seq .. seq + count - 1), and the turn that ticks them. */
  private run: { seq: number; count: number; size: number; t: number; last: string } | null = null
  private runTimer: ReturnType<typeof setImmediate> | null = null
  /** Ends a call whose channel never becomes READY (grpc-js itself waits for ever on a silent peer). */
  private connectTimer: ReturnType<typeof setTimeout> | null = null
  /** Senders waiting for grpc-js to take what it holds (`writable()`): told at its 'drain' or the call's end. */
  private drainWaiters: (() => void)[] = []

  constructor(private readonly init: GrpcSessionInit) {
    this.sid = init.sid
    this.sendLimit = init.maxMessageBytes
    this.outcome = { method: init.method.info, status: null, headers: [], trailers: [], sent: 0, received: 0 }
    this.kernel = new SessionKernel(
      {
        sid: init.sid,
        kind: 'grpc',
        tick: 'ws-message',
        ctx: init.ctx,
        log: init.log,
        onEnd: init.onEnd,
        reconnect: { enabled: false, maxRetries: 0, resetOn: 'open', delayMs: () => 0 },
      },
      this,
    )
  }

  get isEnded(): boolean {
    return this.kernel.isEnded
  }

  get result(): GrpcCallOutcome {
    return this.outcome
  }

  start(): void {
    const scheme = this.init.target.plaintext ? 'grpc' : 'grpcs'
    this.kernel.start({
      method: 'GRPC',
      url: `${scheme}://${this.init.target.address}${this.init.method.path}`,
      invalid: null,
      ...(this.init.name ? { name: this.init.name } : {}),
    })
  }

  // ---- the transport ----

  connect(attempt: SessionAttempt): void {
    const { init } = this
    const clock = init.ctx.clock
    const marks: ExchangeMarks = { queuedAt: attempt.queuedAt }
    attempt.marks = marks
    this.attempt = attempt
    const options: grpc.CallOptions = {}
    if (init.deadlineMs !== undefined) options.deadline = Date.now() + init.deadlineMs
    const call = init.client.makeBidiStreamRequest<Buffer, Buffer>(
      init.method.path,
      (b) => b,
      (b) => b,
      init.metadata,
      options,
    )
    this.call = call
    call.on('drain', () => this.wakeWriters())
    const sent = (): void => {
      const t = clock.now()
      marks.sendStart = t
      marks.sendEnd = t
      const headers = metadataPairs(init.metadata)
      attempt.phase(() => ({
        type: 'request-sent',
        sid: this.sid,
        t,
        start: t,
        reused: init.reused,
        connectionId: init.connectionId,
        protocol: 'h2',
        remoteAddress: init.target.host,
        remotePort: init.target.port,
        headers: [[':path', init.method.path], ...headers],
        headersBytes: headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0),
        bodyBytes: 0,
      }))
    }
    if (init.reused) sent()
    else this.watchReady(attempt, marks, sent)
    call.on('metadata', (md: grpc.Metadata) => {
      if (!attempt.current) return
      const t = clock.now()
      marks.firstByte = t
      marks.sendEnd ??= t
      if (marks.sendStart === undefined) sent()
      this.outcome.headers = metadataPairs(md)
      attempt.phase(() => ({
        type: 'response-headers',
        sid: this.sid,
        t,
        status: 200,
        statusText: 'OK',
        httpVersion: '2',
        headers: this.outcome.headers,
        headersBytes: 0,
      }))
      attempt.opened({ status: 200, mode: 'grpc', marks, at: t })
    })
    call.on('data', (bytes: Buffer) => {
      if (!attempt.current) return
      this.kernel.wireBytes += bytes.length + 5
      this.kernel.bodyBytes += bytes.length
      const json = decodeToJson(init.method.responseType, bytes)
      if (!json.ok) {
        this.finishCall(attempt, { code: grpc.status.INTERNAL, details: json.error.message }, undefined)
        return
      }
      this.outcome.received++
      this.received(attempt, json.value)
    })
    // grpc-js reports a non-OK status as 'error' and always as 'status': the status is what is read.
    call.on('error', () => undefined)
    call.on('status', (s: grpc.StatusObject) => this.finishCall(attempt, s, s.metadata))
    for (let i = 0; i < init.messages.length; i++) {
      const r = this.write(attempt, init.messages[i] as string, `Message ${i + 1}`)
      if (!r.ok) {
        this.finishCall(
          attempt,
          { code: grpc.status.INVALID_ARGUMENT, details: r.error.message },
          undefined,
          r.error,
        )
        return
      }
    }
    if (init.halfClose) this.halfClose(attempt)
  }

  /**
   * A received message: logged at once, ticked with the run of messages that arrived in the same turn of the
   * event loop (one tick with a count), as the SSE decoder does, so a flood costs the timeline per turn.
   */
  private received(attempt: SessionAttempt, json: string): void {
    const t = this.init.ctx.clock.now()
    const seq = attempt.log.appendText(t, 'in', 'text', json)
    if (seq < 0) {
      // The log is full: the message is counted as dropped (once, by the append above) and still shown as a tick.
      this.flushRun(attempt)
      attempt.tick(t, -1, 'text', Buffer.byteLength(json), previewOf('text', json))
      return
    }
    const size = attempt.log.sizeOf(seq, json)
    const run = this.run
    if (run && run.seq + run.count === seq) {
      run.count++
      run.size += size
      run.last = json
    } else {
      this.flushRun(attempt)
      this.run = { seq, count: 1, size, t, last: json }
    }
    this.runTimer ??= setImmediate(() => {
      this.runTimer = null
      this.flushRun(attempt)
    })
  }

  /** Tick the received messages not ticked yet; before anything else is recorded or the call ends. */
  private flushRun(attempt: SessionAttempt): void {
    const run = this.run
    if (!run) return
    this.run = null
    attempt.tick(run.t, run.seq, 'text', run.size, previewOf('text', run.last), { count: run.count })
  }

  /** The connect phase: from the call's start until the channel is READY (only for a channel not open yet). */
  private watchReady(attempt: SessionAttempt, marks: ExchangeMarks, sent: () => void): void {
    const channel = this.init.client.getChannel()
    const clock = this.init.ctx.clock
    const check = (): void => {
      if (!attempt.current || marks.sendStart !== undefined) return
      const state = channel.getConnectivityState(true)
      if (state === grpc.connectivityState.READY) {
        this.clearConnectTimer()
        const t = clock.now()
        marks.connectStart = attempt.queuedAt
        marks.connectEnd = t
        attempt.phase(() => ({
          type: 'connect',
          sid: this.sid,
          t,
          start: attempt.queuedAt,
          remoteAddress: this.init.target.host,
          remotePort: this.init.target.port,
        }))
        sent()
        return
      }
      if (state === grpc.connectivityState.SHUTDOWN) return
      // Event-driven, one watch at a time; it ends with the call (the status arrives and `current` turns false).
      channel.watchConnectivityState(state, Date.now() + 60_000, () => check())
    }
    const limit = this.init.connectTimeoutMs ?? GRPC_CONNECT_TIMEOUT_MS
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null
      if (!attempt.current || marks.sendStart !== undefined) return
      const words = noConnectionWords(this.init.target.host, this.init.target.port, limit)
      const status = { code: grpc.status.UNAVAILABLE, details: words }
      this.finishCall(attempt, status, undefined, {
        code: 'timeout_connect',
        message: grpcStatusText(status.code, words),
      })
    }, limit)
    check()
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer)
    this.connectTimer = null
  }

  /** One message out: checked against the request type and the size limit, written, logged. */
  private write(attempt: SessionAttempt, text: string, which: string): Result<{ seq: number; size: number }> {
    const call = this.call
    if (!call || !attempt.current) return fail('invalid_request', 'The call has ended')
    if (this.halfClosed)
      return fail('invalid_request', 'The sending side is closed (half-closed): no more messages')
    const bytes = encodeJson(this.init.method.requestType, text, which)
    if (!bytes.ok) return bytes
    if (bytes.value.length > this.sendLimit) {
      return fail(
        'message_too_large',
        `${grpcStatusText(8, `${which} is ${sizeText(bytes.value.length)}, past the ${sizeText(this.sendLimit)} limit on a message; it was not sent`)}`,
      )
    }
    call.write(bytes.value)
    this.flushRun(attempt)
    this.outcome.sent++
    const seq = attempt.record('out', 'text', compactJson(text))
    return ok({ seq, size: bytes.value.length })
  }

  /**
   * Null when grpc-js takes more messages now; else a promise that settles once it has passed on what it holds
   * (its 'drain') or the call has ended. A sender of many messages (a lines feed) waits on it, so what grpc-js
   * buffers for a server that reads slowly stays at its high-water mark (16 messages), whatever the input's length.
   */
  writable(): Promise<void> | null {
    if (!this.call?.writableNeedDrain) return null
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  private wakeWriters(): void {
    const waiting = this.drainWaiters
    this.drainWaiters = []
    for (const wake of waiting) wake()
  }

  private halfClose(attempt: SessionAttempt): void {
    if (this.halfClosed || !this.call) return
    this.halfClosed = true
    this.call.end()
    this.flushRun(attempt)
    attempt.record('out', 'control', 'half-close')
  }

  private finishCall(
    attempt: SessionAttempt,
    s: { code: number; details: string },
    trailers: grpc.Metadata | undefined,
    error?: AppError,
  ): void {
    if (!attempt.current) return
    this.clearConnectTimer()
    this.flushRun(attempt)
    const call = this.call
    this.call = null
    this.wakeWriters()
    if (s.code !== grpc.status.OK) call?.cancel()
    const details = statusDetails(trailers, this.init.schema)
    const status = statusInfo(
      {
        code: s.code,
        details: explainStatus(
          s,
          this.init.maxMessageBytes,
          `${this.init.target.host}:${this.init.target.port}`,
        ),
      },
      details,
    )
    this.outcome.status = status
    this.outcome.trailers = trailers ? metadataPairs(trailers) : []
    const words = grpcStatusText(status.code, status.message)
    // grpc-js gives its own statuses (a peer that is no HTTP/2 server, a refused connection) empty trailers
    // too: the call opened only if the channel was up (the request went out) or the server answered.
    if (attempt.isOpen || (trailers && attempt.marks?.sendStart !== undefined)) {
      if (!attempt.isOpen)
        attempt.opened({ status: 200, mode: 'grpc', marks: attempt.marks ?? { queuedAt: attempt.queuedAt } })
      const marker: Record<string, unknown> = { status: words }
      if (this.outcome.trailers.length > 0) marker.trailers = Object.fromEntries(this.outcome.trailers)
      if (details) marker.details = details
      attempt.record('in', 'control', JSON.stringify(marker))
    }
    attempt.ended({
      reason: words,
      ...(s.code === grpc.status.OK ? {} : { error: error ?? statusError(status) }),
      reconnectable: false,
      by: error || refusedHere(s) ? 'client' : s.code === grpc.status.UNAVAILABLE ? 'network' : 'server',
    })
  }

  abort(): void {
    const call = this.call
    this.call = null
    this.clearConnectTimer()
    if (this.runTimer) clearImmediate(this.runTimer)
    this.runTimer = null
    this.run = null
    this.wakeWriters()
    call?.cancel()
  }

  // ---- commands ----

  /** Send one more message on a client or bidi stream kept open. */
  send(text: string): Result<{ seq: number; size: number }> {
    const attempt = this.attempt
    if (!attempt || this.kernel.isEnded) return fail('invalid_request', 'The call has ended')
    return this.write(attempt, text, `Message ${this.outcome.sent + 1}`)
  }

  /** Half-close: the server hears that no more messages come. */
  end(): Result<{ halfClosed: boolean }> {
    const attempt = this.attempt
    if (!attempt || this.kernel.isEnded) return fail('invalid_request', 'The call has ended')
    this.halfClose(attempt)
    return ok({ halfClosed: true })
  }

  /** The person's cancel: the call is cancelled (RST_STREAM), the lane ends as closed by you. */
  stop(): boolean {
    if (this.attempt) this.flushRun(this.attempt)
    return this.kernel.close('Cancelled by you')
  }

  dispose(): void {
    if (this.attempt) this.flushRun(this.attempt)
    this.kernel.dispose('Cancelled: Flightdeck is shutting down')
  }
}

function compactJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text))
  } catch {
    return text
  }
}
