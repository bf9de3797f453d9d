import { randomBytes } from 'node:crypto'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { HeaderList } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { BodyStore, BodyWriteLimits } from '../http/body-store'
import { answerCut, clientErrorReason, cutReasons, type CutReason, type WebhookCut } from './webhook-cuts'
import {
  UNKNOWN_BODY_READ,
  UnknownCalls,
  unknownReason,
  unknownTarget,
  unreadBody,
  unreadHeadReason,
} from './webhook-unknown'
import { TokenWaiters, type WebhookExpectation } from './webhook-waiters'
import { declaredLength, pairRaw, reply, type InFlight } from './webhook-http'

export type { WebhookCut } from './webhook-cuts'
export type { WebhookExpectation } from './webhook-waiters'
export { UNKNOWN_BODY_READ, UNKNOWN_CALLS_SHOWN } from './webhook-unknown'

/**
 * A local listener for webhooks. A request that wants a callback gets a URL with a fresh correlation token in
 * its path (`{{$webhook}}`); whatever calls that URL is recorded, stored like a response body, and linked to
 * the session that minted the token. Binds to loopback unless the user chooses otherwise.
 */

export interface WebhookCall {
  id: string
  token: string
  /** The session (or run step) that minted the token, when known. */
  owner: string | undefined
  t: number
  wall: number
  method: string
  /** The path after `/hooks/<token>`, e.g. `/done`; `/` when there was none. */
  path: string
  query: string
  headers: HeaderList
  body: { id: string; size: number; contentType: string }
  remoteAddress: string
}

export interface WebhookInboxOptions {
  clock: Clock
  bodies: BodyStore
  /** Larger callback bodies are refused with 413. */
  maxBodyBytes?: number
  /** How many tokens may be live at once; the oldest are forgotten first. */
  maxTokens?: number
  /** Each call's body limits in the store (default WEBHOOK_BODY_LIMITS). */
  bodyLimits?: BodyWriteLimits
  /** A caller still sending its head after this long is answered 408 and cut (default 10 s). */
  headersTimeoutMs?: number
  /** A caller still sending its call after this long is answered 408 and cut (default 30 s). */
  requestTimeoutMs?: number
}

/**
 * A call's body stays in memory up to 256 KB, past which it is on disk; a caller that sends faster than the disk
 * takes it pauses once 256 KB waits to be written. Callers come many at once (a burst of deliveries, a retry
 * storm), and the store's own limits, made for one response at a time (8 MB in memory, 4 MB of pending writes),
 * let 40 callers of 16 MB grow the engine by 320-355 MB; with these, 47-59 MB. Webhook payloads are mostly event
 * JSON of a few KB, so nearly all stay in memory; a 16 MB call was stored as fast either way (55-75 ms alone).
 */
export const WEBHOOK_BODY_LIMITS: Readonly<BodyWriteLimits> = {
  memoryLimit: 256 * 1024,
  highWaterMark: 256 * 1024,
}

const TOKEN_PATH = /^\/hooks\/([A-Za-z0-9_-]{8,64})(\/[^?]*)?(?:\?(.*))?$/

export class WebhookInbox {
  private server: Server | null = null
  private base: string | null = null
  private readonly owners = new Map<string, string>()
  private readonly waiters = new TokenWaiters()
  private readonly listeners = new Set<(call: WebhookCall) => void>()
  private readonly cutListeners = new Set<(cut: WebhookCut) => void>()
  private readonly diskListeners = new Set<(waiting: number) => void>()
  /** The call each connection is in the middle of, and when each connection opened. */
  private readonly inFlight = new WeakMap<Socket, InFlight>()
  /** Kept from the start: a socket cut or reset no longer says where it came from. */
  private readonly callers = new WeakMap<Socket, { t: number; address: string }>()
  private waiting = 0
  private nextCutId = 1
  private readonly unknownCalls = new UnknownCalls()
  /** Calls whose head never came whole (too large, not HTTP, hung up in it): no URL to tell them apart by. */
  private readonly unreadCalls = new UnknownCalls()
  private readonly maxBodyBytes: number
  private readonly maxTokens: number
  private nextId = 1

  constructor(private readonly options: WebhookInboxOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024
    this.maxTokens = options.maxTokens ?? 100_000
  }

  /** The inbox's base URL (`http://127.0.0.1:PORT`), or null when it is not listening. */
  get baseUrl(): string | null {
    return this.base
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.base) return this.base
    // node:http is loaded here, by the first inbox that listens: a CLI command without a webhook never needs it.
    const headersTimeout = this.options.headersTimeoutMs ?? 10_000
    const requestTimeout = this.options.requestTimeoutMs ?? 30_000
    // node:http looks for callers past these timeouts only every connectionsCheckingInterval (30 s by default),
    // so a caller trickling its head was cut after 30 s, not 10, and one trickling its body after 60, not 30.
    const connectionsCheckingInterval = Math.max(100, Math.min(1_000, headersTimeout / 4))
    const server = process
      .getBuiltinModule('node:http')
      .createServer({ connectionsCheckingInterval }, (req, res) => this.handle(req, res))
    // A caller that half-closes once its body is sent (a shell's `nc -N`, a client doing `end()`) still gets its
    // answer: by default node:http ends the socket at the caller's FIN and drops the call being stored. With
    // this switch (node:http's own, left out of its typings) it answers first, then ends the socket.
    ;(server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true
    server.on('connection', (socket: Socket) =>
      this.callers.set(socket, { t: this.options.clock.now(), address: socket.remoteAddress ?? '' }),
    )
    // A caller node:http gives up on (its timeouts, a head that is not HTTP, a reset) is answered as node:http
    // answers it, and the cut is reported like any other (onCut), with its address.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      const last = this.inFlight.get(socket)
      const call = last?.settledAt === undefined ? last : undefined
      const why = clientErrorReason(err, call, { headersMs: headersTimeout, requestMs: requestTimeout })
      answerCut(socket, why.status, call?.res.headersSent === true)
      if (call) call.cut ??= why
      // A connection that sent nothing (a preconnect, a probe), or nothing since its last call, made no call.
      else if (socket.bytesRead > (last?.settledAt ?? 0)) {
        const { count, shown } = this.unreadCalls.next()
        if (shown) this.reportCut(undefined, unreadHeadReason(why, count), socket)
      }
      socket.destroy()
    })
    // A slow or idle caller must not pin the inbox open forever.
    server.requestTimeout = requestTimeout
    server.headersTimeout = headersTimeout
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
    this.unknownCalls.reset()
    this.unreadCalls.reset()
    const addr = server.address() as AddressInfo
    const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
    this.base = `http://${shownHost}:${addr.port}`
    return this.base
  }

  /** A fresh token and its URL, linked to `owner`. The inbox must be started. */
  mint(owner: string): { token: string; url: string } {
    if (!this.base) throw new Error('The webhook inbox is not listening')
    const token = randomBytes(12).toString('base64url')
    this.owners.set(token, owner)
    if (this.owners.size > this.maxTokens) {
      const oldest = this.owners.keys().next().value
      if (oldest !== undefined) this.owners.delete(oldest)
    }
    return { token, url: `${this.base}/hooks/${token}` }
  }

  /** Link a minted token to its owner once it is known (a send's sid is known only after the send). */
  bind(token: string, owner: string): void {
    if (this.owners.has(token)) this.owners.set(token, owner)
  }

  /** Where call bodies are stored (read them back by `call.body.id`). */
  get bodies(): BodyStore {
    return this.options.bodies
  }

  /** Calls received since the inbox was created. */
  get callCount(): number {
    return this.nextId - 1
  }

  onCall(listener: (call: WebhookCall) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Calls cut before they were whole: too large, too slow, not HTTP, or hung up (webhook-cuts.ts). */
  onCut(listener: (cut: WebhookCut) => void): () => void {
    this.cutListeners.add(listener)
    return () => this.cutListeners.delete(listener)
  }

  /** Calls whose caller is held (its request paused) until the disk takes what waits to be written. */
  get waitingForDisk(): number {
    return this.waiting
  }

  /** Told the new count each time a call starts or stops waiting for the disk. */
  onDiskWait(listener: (waiting: number) => void): () => void {
    this.diskListeners.add(listener)
    return () => this.diskListeners.delete(listener)
  }

  /** Resolves with the next call for `token`, or null after `timeoutMs`. */
  waitFor(token: string, timeoutMs: number): Promise<WebhookCall | null> {
    return this.waiters.waitFor(token, timeoutMs)
  }

  /**
   * Listen for `token`'s first call from now on — before the request carrying the token is sent, so a caller
   * that answers faster than the response is not missed (webhook-waiters.ts).
   */
  expect(token: string): WebhookExpectation {
    return this.waiters.expect(token)
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = null
    this.base = null
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const match = TOKEN_PATH.exec(req.url ?? '')
    const token = match?.[1]
    if (!match || !token || !this.owners.has(token)) {
      this.refuseUnknown(req, res)
      return
    }
    const declared = declaredLength(req)
    const t = this.options.clock.now()
    const call: InFlight = {
      server: this.server,
      res,
      token,
      t,
      method: req.method ?? 'GET',
      path: match[2] || '/',
      query: match[3] ?? '',
      received: 0,
      declared,
    }
    if (declared !== undefined && declared > this.maxBodyBytes) {
      req.resume()
      reply(res, 413, { error: `Webhook bodies are limited to ${this.maxBodyBytes} bytes` })
      this.inFlight.set(req.socket, call)
      this.reportCut(call, cutReasons.declaredTooLarge(declared, this.maxBodyBytes), req.socket)
      return
    }
    this.inFlight.set(req.socket, call)
    const writer = this.options.bodies.create(
      String(req.headers['content-type'] ?? ''),
      this.options.bodyLimits ?? WEBHOOK_BODY_LIMITS,
    )
    let refused = false
    let paused = false
    const diskWait = (now: boolean): void => {
      if (paused === now) return
      paused = now
      this.waiting += now ? 1 : -1
      for (const l of this.diskListeners) l(this.waiting)
    }
    req.on('data', (chunk: Buffer) => {
      if (refused) return
      call.received += chunk.length
      if (call.received > this.maxBodyBytes) {
        refused = true
        this.options.bodies.discard(writer)
        reply(res, 413, { error: `Webhook bodies are limited to ${this.maxBodyBytes} bytes` })
        this.reportCut(call, cutReasons.tooLarge(this.maxBodyBytes), req.socket)
        req.destroy()
        return
      }
      // A caller sends faster than the disk takes it: its socket waits (TCP flow control) rather than its bytes
      // queueing here, so many large calls at once hold about their high-water mark each, not their bodies.
      if (!writer.write(chunk)) {
        req.pause()
        diskWait(true)
        writer.onDrain(() => {
          diskWait(false)
          req.resume()
        })
      }
    })
    // A caller that hangs up mid-body made no call: nothing shows its partial body, so it must not stay stored
    // (a body still being written is never the oldest the store lets go). The person watching is told.
    req.on('close', () => {
      diskWait(false)
      if (refused || req.complete) return
      refused = true
      this.options.bodies.discard(writer)
      this.reportCut(call, call.cut ?? cutReasons.hungUp(call.received, call.declared), req.socket)
    })
    req.on('end', () => {
      call.settledAt ??= req.socket.bytesRead
      if (refused) return
      void writer.end().then(() => {
        const whole: WebhookCall = {
          id: `h${this.nextId++}`,
          token,
          owner: this.owners.get(token),
          t,
          wall: Math.round(this.options.clock.origin + t),
          method: call.method,
          path: call.path,
          query: call.query,
          headers: pairRaw(req.rawHeaders),
          body: { id: writer.id, size: writer.size, contentType: writer.contentType },
          remoteAddress: req.socket.remoteAddress ?? '',
        }
        reply(res, 200, { ok: true, id: whole.id })
        this.waiters.deliver(whole)
        for (const l of this.listeners) l(whole)
      })
    })
    req.on('error', () => undefined)
  }

  /**
   * A call to a URL the inbox did not give out is answered 404 once read and shown, so a service posting to an old
   * URL is not invisible to the person waiting for it; bounded in rows and in what is read (webhook-unknown.ts).
   */
  private refuseUnknown(req: IncomingMessage, res: ServerResponse): void {
    const { count, shown } = this.unknownCalls.next()
    const call: InFlight = {
      server: this.server,
      res,
      token: undefined,
      t: this.options.clock.now(),
      method: req.method ?? 'GET',
      ...unknownTarget(req.url ?? '/'),
      received: 0,
      declared: declaredLength(req),
    }
    this.inFlight.set(req.socket, call)
    this.waiters.noteUnknown(call.path)
    // Reported before it is answered: by the time its caller reads the 404, the row is on its way.
    const settle = (ended: CutReason | undefined, answer: boolean): void => {
      if (call.settledAt !== undefined) return
      if (shown) this.reportCut(call, unknownReason(count, ended), req.socket)
      else call.settledAt = req.socket.bytesRead
      if (answer) reply(res, 404, { error: 'Unknown webhook token' })
    }
    req.on('data', (chunk: Buffer) => {
      call.received += chunk.length
      if (call.received <= UNKNOWN_BODY_READ || call.settledAt !== undefined) return
      settle(unreadBody(), true)
      req.destroy()
    })
    req.on('end', () => settle(undefined, true))
    // Too slow (answered 408 by then) or hung up: cut as any call is.
    req.on('close', () => settle(call.cut ?? cutReasons.hungUp(call.received, call.declared), false))
    req.on('error', () => undefined)
  }

  /** Tell the cut's listeners; `call` is undefined when its head never came whole. */
  private reportCut(call: InFlight | undefined, why: CutReason, socket: Socket): void {
    if (call) call.settledAt ??= socket.bytesRead
    if (call && call.server !== this.server) return
    const caller = this.callers.get(socket)
    const t = call?.t ?? caller?.t ?? this.options.clock.now()
    const owner = call?.token !== undefined ? this.owners.get(call.token) : undefined
    const cut: WebhookCut = {
      id: `hcut${this.nextCutId++}`,
      ...(call?.token !== undefined ? { token: call.token } : {}),
      ...(owner ? { owner } : {}),
      t,
      wall: Math.round(this.options.clock.origin + t),
      cutAt: this.options.clock.now(),
      method: call?.method ?? '',
      path: call?.path ?? '',
      query: call?.query ?? '',
      ...why,
      remoteAddress: caller?.address ?? socket.remoteAddress ?? '',
    }
    this.waiters.noteCut(cut)
    for (const l of this.cutListeners) l(cut)
  }
}
