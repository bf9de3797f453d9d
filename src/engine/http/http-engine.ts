import { randomUUID } from 'node:crypto'
import type { EngineSettings, SendResult } from '../../shared/contract'
import type { Loose, RequestBody, RequestSpec } from '../../shared/request'
import { ok, type Result } from '../../shared/result'
import type { BatchRef, HeaderList, TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import { BodyStore } from './body-store'
import { AgentPool } from './agent-pool'
import { cookieJarNote, EngineCookies } from './engine-cookies'
import { EngineError } from './errors'
import type { Exchange, ExchangeOutcome, ExchangeOwner } from './exchange'
import type { PushExchange } from '../http2-push/push-exchange'
import { EnginePushes, type PushHost } from './engine-pushes'
import { harTimings } from './timings'
import { Scheduler } from './scheduler'
import { SettledChains, waitForChain } from './settled-chains'
import { Chain, type ExchangeResult, type Hop, type HopRunner, type SessionLink } from './chain'
import { queuedEvent } from './queued-event'
import { keepEvent } from './chain-events'
import { exchangeForWaitingHop, type HopExchangeParts } from './hop-exchange'
import { hopAfterRedirect } from './redirect-hop'
import { warmHttpParser } from './warm-parser'
import { planSend, type SendPlan } from './send-plan'
import { startTempSweep } from '../temp-files'
import { withSentTrace, withTraceHeaders } from '../trace/trace-headers'
import { DEFAULT_SETTINGS, type HttpEngineOptions } from './http-engine-options'

export type { ExchangeResult, SessionLink } from './chain'
export { DEFAULT_SETTINGS, type HttpEngineOptions } from './http-engine-options'

/**
 * Runs HTTP requests: admission (global and per-origin limits), redirects hop by hop, cookies, TLS profiles,
 * timeouts and cancellation. Each hop is an `Exchange`; each request's hops form a chain.
 */
export class HttpEngine implements ExchangeOwner, PushHost, HopRunner {
  readonly bodies: BodyStore
  private readonly clock: Clock
  private readonly emitOut: (e: TimelineEvent) => void
  private readonly onHopBody: ((sid: string, body: RequestBody) => void) | undefined
  /** What every hop's exchange is lent (hop-exchange.ts). */
  private readonly hopParts: HopExchangeParts
  private readonly unwatched: boolean
  private settings: EngineSettings
  private readonly scheduler: Scheduler
  private readonly agents: AgentPool
  /** The jar responses' cookies go into; scripts read and change it (`pm.cookies.jar()`). */
  readonly cookies = new EngineCookies()
  /** SendPlans of specs sent as `fixed`, kept while the caller holds the spec. */
  private readonly plans = new WeakMap<RequestSpec, SendPlan>()
  /** sid of any hop -> its chain. */
  private readonly bySid = new Map<string, Chain>()
  /** HTTP/2 server push: hops that accept it, and the pushed streams still open (the user may cancel each). */
  private readonly pushes: EnginePushes
  private readonly settled = new SettledChains(this.bySid)
  private nextSid = 1

  constructor(options: HttpEngineOptions) {
    this.clock = options.clock
    this.emitOut = options.emit
    this.onHopBody = options.onHopBody
    this.unwatched = options.unwatched === true
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings }
    this.scheduler = new Scheduler(this.settings.globalConcurrency, this.settings.perOriginConcurrency)
    this.agents = new AgentPool(this.clock, this.settings.perOriginConcurrency)
    // Spilled bodies of a process that was killed are still on disk: remove them (once per process, async).
    void startTempSweep()
    // undici's parser is compiled on its first connection; do it now, not inside the first request's phases.
    void warmHttpParser()
    this.bodies = new BodyStore({
      ...(options.tempDir ? { tempDir: options.tempDir } : {}),
      ...(options.memoryBodyLimit !== undefined ? { memoryLimit: options.memoryBodyLimit } : {}),
    })
    this.pushes = new EnginePushes(this, this.cookies, this.clock, this.bodies, this.emitOut)
    this.hopParts = {
      agents: this.agents,
      clock: this.clock,
      owner: this,
      bodies: this.bodies,
      informationalLimit: options.informationalLimit,
    }
  }

  getSettings(): EngineSettings {
    return { ...this.settings }
  }

  setSettings(patch: Loose<EngineSettings>): EngineSettings {
    const next = { ...this.settings }
    if (patch.globalConcurrency !== undefined) next.globalConcurrency = patch.globalConcurrency
    if (patch.perOriginConcurrency !== undefined) next.perOriginConcurrency = patch.perOriginConcurrency
    this.settings = next
    this.scheduler.setLimits(next.globalConcurrency, next.perOriginConcurrency)
    this.agents.resize(next.perOriginConcurrency)
    return this.getSettings()
  }

  /**
   * Queue `count` copies of a request. Returns their session ids at once; results arrive as events.
   * `fixed`: the caller sends this same spec object again and never changes it (a run's unchanging step),
   * so what is worked out from it is kept for the next send. `lean`: the caller reads only each result's final
   * event, headers, trace id and resends, not its events or body (see Chain.lean; only an unwatched engine heeds it).
   */
  send(
    spec: RequestSpec,
    count: number,
    link?: SessionLink,
    fixed = false,
    lean = false,
  ): Result<SendResult> {
    const batchId = count > 1 ? randomUUID() : undefined
    const plan = this.planOf(spec, fixed)
    // One copy (every send of a run's step): its id in a list made to its size, no batch.
    if (count === 1) return ok({ sids: [this.startChain(plan, link?.batch, link, link?.sid, lean)] })
    const sids: string[] = []
    for (let i = 0; i < count; i++) {
      const batch: BatchRef | undefined = batchId ? { id: batchId, index: i, size: count } : link?.batch
      sids.push(this.startChain(plan, batch, link, undefined, lean))
    }
    return ok(batchId ? { sids, batchId } : { sids })
  }

  /**
   * One copy of a run's unchanging, lean step (`send(spec, 1, link, true, true)`): its session id alone, with no
   * result or list around it (this runs for every request of a run).
   */
  sendFixedLean(spec: RequestSpec, link: SessionLink): string {
    return this.startChain(this.planOf(spec, true), link.batch, link, link.sid, true)
  }

  /** Everything that is the same for every copy of `spec`, worked out once (kept when `fixed`). */
  private planOf(spec: RequestSpec, fixed: boolean): SendPlan {
    let plan = fixed ? this.plans.get(spec) : undefined
    if (!plan) {
      plan = planSend(spec)
      // A CA file is read at each send (it may have changed); such a plan is not kept.
      if (fixed && !plan.options.caFile) this.plans.set(spec, plan)
    }
    return plan
  }

  cancel(sid: string): boolean {
    const pushed = this.pushes.cancel(sid)
    if (pushed !== undefined) return pushed
    const chain = this.bySid.get(sid)
    if (!chain || chain.settled) return false
    chain.cancelled = true
    if (chain.ticket?.state === 'waiting') {
      // Still in our queue: withdraw it; the exchange never started.
      this.scheduler.release(chain.ticket)
    }
    this.exchangeOf(chain)?.cancel()
    return true
  }

  /** Resolves when the request behind `sid` (following redirects) has ended. */
  waitFor(sid: string): Promise<ExchangeResult> {
    const chain = this.bySid.get(sid)
    if (!chain) return Promise.reject(new Error(`Unknown session ${sid}`))
    return waitForChain(chain)
  }

  /**
   * Tells `then` once the request behind `sid` has ended (at once if it has): `waitFor` without a promise, for a
   * caller that keeps one request in flight per loop and hands the same function each time (a run's workers).
   * False for an unknown session.
   */
  whenSettled(sid: string, then: (r: ExchangeResult) => void): boolean {
    const chain = this.bySid.get(sid)
    if (!chain) return false
    if (chain.settled) then(chain.settled)
    else {
      const w = chain.waiters
      chain.waiters = w === null ? then : Array.isArray(w) ? [...w, then] : [w, then]
    }
    return true
  }

  get inFlight(): number {
    return this.scheduler.inFlight
  }

  get queued(): number {
    return this.scheduler.queued
  }

  async dispose(): Promise<void> {
    for (const chain of new Set(this.bySid.values())) if (!chain.settled) this.cancel(chain.root)
    await this.agents.destroy()
    await this.bodies.dispose()
    // A short-lived process (a CLI send) finishes the start-up sweep before it exits.
    await startTempSweep()
  }

  private newSid(): string {
    return `s${this.nextSid++}`
  }

  /**
   * A session id for a request that is sent a little later with `link.sid` (a pre-request script runs first:
   * the requests it sends are drawn as caused by this one). An id never sent is only a gap in the numbering.
   */
  reserveSid(): string {
    return this.newSid()
  }

  private startChain(
    plan: SendPlan,
    batch: BatchRef | undefined,
    link?: SessionLink,
    reserved?: string,
    lean = false,
  ): string {
    const root = reserved !== undefined && !this.bySid.has(reserved) ? reserved : this.newSid()
    const { options } = plan
    // A traced request's request-sent is read (the trace index, the result's trace id); a pushing one is not lean.
    const keepsNothing = lean && this.unwatched && !link?.trace && !plan.traced && !options.acceptPush
    const chain = new Chain(root, plan, batch, link, this, keepsNothing)
    if (!plan.url || plan.invalid) {
      const t = this.emitQueued(chain, root, plan.rawUrl, 0, undefined)
      const error = plan.invalid ?? { code: 'invalid_url' as const, message: 'Invalid URL' }
      this.emit(chain, { type: 'error', sid: root, t, ...error, timings: harTimings({ queuedAt: t }, t) })
      return root
    }
    if (options.totalTimeoutMs > 0) {
      chain.totalTimer = setTimeout(() => {
        this.exchangeOf(chain)?.stopWith(
          new EngineError(
            'timeout_total',
            `The request took longer than the total timeout of ${options.totalTimeoutMs} ms`,
          ),
        )
      }, options.totalTimeoutMs)
    }
    this.startHop(chain, {
      chain,
      sid: root,
      hop: 0,
      method: plan.method,
      url: plan.url,
      headers: link?.trace ? withTraceHeaders(plan.headers, link.trace) : plan.headers,
      body: plan.body,
    })
    return root
  }

  private emitQueued(
    chain: Chain,
    sid: string,
    url: string,
    hop: number,
    initiator: string | undefined,
  ): number {
    if (sid !== chain.root) chain.sids.push(sid)
    this.bySid.set(sid, chain)
    const t = this.clock.now()
    if (chain.lean) return t
    this.emit(chain, queuedEvent(chain, sid, t, Math.round(this.clock.origin + t), url, hop, initiator))
    return t
  }

  private startHop(chain: Chain, hop: Hop): void {
    const { options, ca } = chain.plan
    // The request's own URL (not a redirect's) has its href and origin in the plan, worked out once.
    const planned = hop.url === chain.plan.url
    const queuedAt = this.emitQueued(
      chain,
      hop.sid,
      planned ? chain.plan.href : hop.url.href,
      hop.hop,
      hop.initiator,
    )
    this.onHopBody?.(hop.sid, hop.body)
    if (ca !== undefined && typeof ca !== 'string') {
      this.emit(chain, {
        type: 'error',
        sid: hop.sid,
        t: queuedAt,
        ...ca,
        timings: harTimings({ queuedAt }, queuedAt),
      })
      return
    }
    if (chain.cancelled) {
      this.emit(chain, {
        type: 'cancelled',
        sid: hop.sid,
        t: queuedAt,
        timings: harTimings({ queuedAt }, queuedAt),
      })
      return
    }
    const url = hop.url
    const origin = planned ? chain.plan.origin : url.origin
    if (options.acceptPush && url.protocol === 'https:') {
      // Pushed streams belong to the connection they were promised on: this hop gets one of its own.
      const headers = options.cookies ? this.cookies.withCookies(hop.headers, url) : hop.headers
      const exchange = this.pushes.exchange(
        hop,
        headers,
        options,
        typeof ca === 'string' ? ca : undefined,
        queuedAt,
      )
      chain.current = exchange
      chain.holding = true
      chain.ticket = this.scheduler.enqueue(origin, exchange)
      return
    }
    // The exchange is made when the scheduler gives the hop its slot (runHop), or when it is cancelled first.
    // Cookies are the jar's as the hop is queued, as they were when its exchange was made here.
    chain.waiting = hop
    chain.waitingSince = queuedAt
    chain.waitingHeaders = options.cookies ? this.cookies.withCookies(hop.headers, url) : hop.headers
    chain.waitingOrigin = origin
    chain.ticket = this.scheduler.enqueue(origin, chain)
  }

  /** HopRunner: the scheduler gave a chain's waiting hop its slot. */
  runHop(chain: Chain): void {
    this.exchangeOf(chain)?.run()
  }

  /** The chain's exchange, made now for a hop that was still waiting for its slot. */
  private exchangeOf(chain: Chain): Exchange | PushExchange | null {
    return chain.waiting === null ? chain.current : exchangeForWaitingHop(chain, this.hopParts)
  }

  // ---- ExchangeOwner: an exchange reports to the engine with its hop as context. ----

  exchangeEvent(context: unknown, event: TimelineEvent): void {
    const hop = context as Hop
    const chain = hop.chain
    if (event.type === 'response-headers') {
      chain.headers = event.headers
      if (chain.plan.options.cookies) {
        // What the jar refused or let go goes with the response, where its Set-Cookie is shown.
        const note = cookieJarNote(this.cookies.store(hop.url, event.headers))
        if (note) event.cookieJar = note
      }
    } else if (event.type === 'request-sent') {
      const sent = withSentTrace(event)
      chain.traceId ??= sent.traceId
      if (sent.resent) chain.resent++
      this.emit(chain, sent)
      return
    }
    this.emit(chain, event)
  }

  exchangeHeaders(context: unknown, headers: HeaderList): void {
    const hop = context as Hop
    hop.chain.headers = headers
    if (hop.chain.plan.options.cookies) this.cookies.store(hop.url, headers)
  }

  exchangeOutcome(context: unknown, outcome: ExchangeOutcome): void {
    const hop = context as Hop
    this.afterHop(hop.chain, hop, outcome)
  }

  private afterHop(chain: Chain, hop: Hop, outcome: ExchangeOutcome): void {
    if (chain.ticket) this.scheduler.release(chain.ticket)
    chain.ticket = null
    chain.current = null
    chain.holding = false
    if (chain.held) {
      this.settled.settle(chain, chain.held)
      return
    }
    if (outcome.kind !== 'response' || !outcome.redirect) return
    const next = hopAfterRedirect(chain, hop, outcome, () => this.newSid())
    if (!next.ok) {
      this.emit(chain, {
        type: 'error',
        sid: hop.sid,
        t: outcome.endAt,
        code: next.code,
        message: next.message,
        timings: outcome.timings,
      })
      return
    }
    this.emit(chain, {
      type: 'redirect',
      sid: hop.sid,
      t: outcome.endAt,
      status: outcome.status,
      location: next.hop.url.href,
      next: next.hop.sid,
    })
    // The outcome is reported from within undici's completion callback, before its client counts the connection
    // free: a hop dispatched now found it busy and opened another. A microtask later (no timer, cancel or
    // command can come between) the connection is settling and the pool gives it the next hop (reusing-pool.ts).
    queueMicrotask(() => this.startHop(chain, next.hop))
  }

  private emit(chain: Chain, event: TimelineEvent): void {
    // A lean chain's events are read by nobody: its result's list stays empty (no array grown per request).
    if (!chain.lean) keepEvent(chain.events, event)
    this.emitOut(event)
    const terminal = event.type === 'done' || event.type === 'error' || event.type === 'cancelled'
    if (terminal && chain.holding) chain.held ??= event
    else if (terminal) this.settled.settle(chain, event)
  }
}
