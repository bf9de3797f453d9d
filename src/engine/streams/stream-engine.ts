import type { CommandRequest, CommandResponse } from '../../shared/contract'
import { fail, ok, type Result } from '../../shared/result'
import {
  DEFAULT_SSE_OPTIONS,
  DEFAULT_WS_OPTIONS,
  MAX_STREAM_ENTRY_DATA,
  sseReconnectByDefault,
  type StreamFilter,
} from '../../shared/streams'
import { topicFilterProblem } from '../../shared/mqtt-topic-filter'
import type { SseOpenOptions, WsOpenOptions } from '../../shared/stream-schemas'
import type { EmptySecretUse, TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { BodyStore } from '../http/body-store'
import { SseSession, type SseSessionInit } from '../sse/sse-session'
import { WsSession } from '../ws/ws-session'
import type { StreamLog } from './stream-log'
import { StreamLogStore, type StreamLogStoreOptions } from './stream-log-store'
import type { StreamContext } from './stream-plumbing'

/**
 * Every SSE and WebSocket session of an engine, and their logs. Sessions are addressed by sid (`e1`, `e2`, …
 * for event streams, `w1`, … for WebSockets, so they never collide with HTTP's `s1`, …). A session's log
 * outlives the session, so a closed lane can still be read; the oldest ended logs are let go past a bound.
 */

export interface StreamEngineOptions {
  clock: Clock
  emit(event: TimelineEvent): void
  bodies: BodyStore
  logs?: StreamLogStoreOptions
}

/** Ended sessions whose logs are kept readable; older ones are disposed. */
const KEEP_ENDED = 64
const DEFAULT_MAX_DATA = 64 * 1024

/** What the opener of a session wants to hear about it. */
export interface StreamHooks {
  /** The server answered the opening request with 401 (a cached token or challenge should be dropped). */
  onUnauthorized?: () => void
  /** SSE: the request authorized again for a reconnect, as it was for the first connection. */
  reauthorize?: SseSessionInit['reauthorize']
  /** Secrets with no value here that the opening request used (sent empty): its `queued` event names them. */
  emptySecrets?: EmptySecretUse[]
}

/** What a session's `wait` resolves with: its events, from `queued` to its terminal event. */
export interface StreamOutcome {
  sid: string
  final: Extract<TimelineEvent, { type: 'done' | 'error' | 'cancelled' }>
  /**
   * The first connection's handshake: whether it opened (a 2xx stream, a WebSocket upgraded) and the status
   * the server answered (a refusal's too). Known here when the session ends, unlike the timeline's batches,
   * which reach subscribers later.
   */
  handshake: Handshake
}

export interface Handshake {
  opened: boolean
  status?: number
}

/** What the engine asks of a long-lived session, whatever its protocol (each runs on the session kernel). */
export interface LongSession {
  readonly isEnded: boolean
  /** The person's close (the timeline's cancel button, Esc). False if the session had ended already. */
  stop(): boolean
  dispose(): void
}

/** What a plugged-in protocol's session is made with (`openSession`). */
export interface PluggedSessionInit {
  sid: string
  ctx: StreamContext
  log: StreamLog
  onEnd(sid: string): void
}

export class StreamEngine {
  readonly logs: StreamLogStore
  private readonly ctx: StreamContext
  private readonly sessions = new Map<string, LongSession>()
  /** WebSocket sessions also take sends, pings and a close with a code. */
  private readonly ws = new Map<string, WsSession>()
  private readonly ended: string[] = []
  private readonly waiters = new Map<string, ((o: StreamOutcome) => void)[]>()
  private readonly finals = new Map<string, StreamOutcome['final']>()
  private readonly handshakes = new Map<string, Handshake>()
  private readonly unauthorized = new Map<string, () => void>()
  private nextSse = 1
  private nextWs = 1
  private readonly nextPlugged = new Map<string, number>()

  constructor(options: StreamEngineOptions) {
    this.logs = new StreamLogStore(options.logs ?? {})
    this.ctx = {
      clock: options.clock,
      logs: this.logs,
      bodies: options.bodies,
      emit: (event) => {
        // A reconnect says where in the log its messages will start (the message log's separators).
        const e = event.type === 'retry' ? { ...event, seq: this.logs.get(event.sid)?.entries ?? 0 } : event
        options.emit(e)
        if (e.type === 'response-headers' && e.status === 401) this.refused(e.sid)
        if (e.type === 'response-headers' || (e.type === 'stream-open' && e.attempt === 0)) this.handshaken(e)
        if (e.type === 'done' || e.type === 'error' || e.type === 'cancelled') this.settled(e)
      },
    }
  }

  openSse(p: CommandRequest<'sse.open'>, hooks: StreamHooks = {}): Result<CommandResponse<'sse.open'>> {
    const sid = `e${this.nextSse++}`
    if (hooks.onUnauthorized) this.unauthorized.set(sid, hooks.onUnauthorized)
    const stream: SseOpenOptions = {
      ...DEFAULT_SSE_OPTIONS,
      reconnect: sseReconnectByDefault(p.request.method),
      ...definedOnly(p.stream ?? {}),
    }
    const session = new SseSession({
      sid,
      spec: p.request,
      stream,
      ctx: this.ctx,
      log: this.logs.create(sid),
      onEnd: (s) => this.onEnd(s),
      ...(hooks.reauthorize ? { reauthorize: hooks.reauthorize } : {}),
      ...(hooks.emptySecrets ? { emptySecrets: hooks.emptySecrets } : {}),
    })
    this.sessions.set(sid, session)
    session.start()
    return ok({ sid })
  }

  openWs(p: CommandRequest<'ws.open'>, hooks: StreamHooks = {}): Result<CommandResponse<'ws.open'>> {
    const sid = `w${this.nextWs++}`
    if (hooks.onUnauthorized) this.unauthorized.set(sid, hooks.onUnauthorized)
    const options: WsOpenOptions = {
      ...DEFAULT_WS_OPTIONS,
      insecure: false,
      connectTimeoutMs: 10_000,
      ...definedOnly(p.options ?? {}),
    }
    const session = new WsSession({
      sid,
      url: p.url,
      headers: p.headers,
      protocols: p.protocols,
      options,
      ctx: this.ctx,
      log: this.logs.create(sid),
      onEnd: (s) => this.onEnd(s),
      ...(hooks.emptySecrets ? { emptySecrets: hooks.emptySecrets } : {}),
    })
    this.sessions.set(sid, session)
    this.ws.set(sid, session)
    session.start()
    return ok({ sid })
  }

  async send(p: CommandRequest<'ws.send'>): Promise<Result<CommandResponse<'ws.send'>>> {
    const s = this.ws.get(p.sid)
    if (!s || s.isEnded) return fail('not_found', `No open WebSocket session ${p.sid}`)
    return s.send(p.kind, p.data, p.encoding, p.path)
  }

  ping(p: CommandRequest<'ws.ping'>): Result<CommandResponse<'ws.ping'>> {
    const s = this.ws.get(p.sid)
    if (!s || s.isEnded) return fail('not_found', `No open WebSocket session ${p.sid}`)
    return s.ping(p.data)
  }

  closeWs(p: CommandRequest<'ws.close'>): Result<CommandResponse<'ws.close'>> {
    const s = this.ws.get(p.sid)
    if (!s) return fail('not_found', `No WebSocket session ${p.sid}`)
    return s.close(p.code ?? 1000, p.reason ?? '')
  }

  /**
   * A session of a protocol that plugs in from its own folder (MQTT, Socket.IO): `build` makes it with the
   * engine's context and a log of its own, and its sid is `prefix` and a number. The caller starts it.
   */
  openSession<S extends LongSession>(prefix: string, build: (init: PluggedSessionInit) => S): S {
    const n = this.nextPlugged.get(prefix) ?? 1
    this.nextPlugged.set(prefix, n + 1)
    const sid = `${prefix}${n}`
    const session = build({ sid, ctx: this.ctx, log: this.logs.create(sid), onEnd: (s) => this.onEnd(s) })
    this.sessions.set(sid, session)
    return session
  }

  /** Manual close of any stream session (the timeline's cancel button, Esc). False if none is open. */
  close(sid: string): boolean {
    return this.sessions.get(sid)?.stop() ?? false
  }

  read(p: CommandRequest<'stream.read'>): Result<CommandResponse<'stream.read'>> {
    const log = this.logs.get(p.sid)
    if (!log) return fail('not_found', `No stream log for session ${p.sid}`)
    const bad = badTopicFilter(p.filter)
    if (bad) return bad
    const maxData = Math.min(p.maxData ?? DEFAULT_MAX_DATA, MAX_STREAM_ENTRY_DATA)
    try {
      return ok(log.read(p.from, p.count, maxData, p.filter))
    } catch (e) {
      return fail('file', 'Could not read the stream log', e instanceof Error ? e.message : String(e))
    }
  }

  /** `read` for the command: a filtered read yields to the event loop as it scans (StreamLog.readSliced). */
  async readSliced(p: CommandRequest<'stream.read'>): Promise<Result<CommandResponse<'stream.read'>>> {
    const log = this.logs.get(p.sid)
    if (!log) return fail('not_found', `No stream log for session ${p.sid}`)
    const bad = badTopicFilter(p.filter)
    if (bad) return bad
    const maxData = Math.min(p.maxData ?? DEFAULT_MAX_DATA, MAX_STREAM_ENTRY_DATA)
    try {
      return ok(await log.readSliced(p.from, p.count, maxData, p.filter))
    } catch (e) {
      return fail('file', 'Could not read the stream log', e instanceof Error ? e.message : String(e))
    }
  }

  data(p: CommandRequest<'stream.data'>): Result<CommandResponse<'stream.data'>> {
    const log = this.logs.get(p.sid)
    if (!log) return fail('not_found', `No stream log for session ${p.sid}`)
    let bytes: Buffer | null
    let total: number
    try {
      const whole = log.entry(p.seq, 0)
      if (!whole) return fail('not_found', `No message ${p.seq} in session ${p.sid}`)
      total = whole.size
      bytes = log.dataOf(p.seq, p.offset, p.length)
    } catch (e) {
      return fail('file', 'Could not read the stream log', e instanceof Error ? e.message : String(e))
    }
    if (!bytes) return fail('not_found', `No message ${p.seq} in session ${p.sid}`)
    return ok({
      seq: p.seq,
      offset: p.offset,
      encoding: p.encoding,
      data: bytes.toString(p.encoding),
      length: bytes.length,
      total,
    })
  }

  /** Resolves when the session ends (tests and the CLI). */
  wait(sid: string): Promise<StreamOutcome> {
    const final = this.finals.get(sid)
    if (final) return Promise.resolve({ sid, final, handshake: this.handshakeOf(sid) })
    if (!this.sessions.has(sid)) return Promise.reject(new Error(`Unknown session ${sid}`))
    return new Promise((resolve) => {
      const list = this.waiters.get(sid) ?? []
      list.push(resolve)
      this.waiters.set(sid, list)
    })
  }

  has(sid: string): boolean {
    return this.sessions.has(sid)
  }

  private refused(sid: string): void {
    const hook = this.unauthorized.get(sid)
    this.unauthorized.delete(sid)
    hook?.()
  }

  private handshaken(e: Extract<TimelineEvent, { type: 'response-headers' | 'stream-open' }>): void {
    const h = this.handshakeOf(e.sid)
    // Once open, the first connection's status stays; before, the last hop's (after redirects) is the one.
    if (h.opened) return
    this.handshakes.set(e.sid, { opened: e.type === 'stream-open', status: e.status })
  }

  private handshakeOf(sid: string): Handshake {
    return this.handshakes.get(sid) ?? { opened: false }
  }

  private settled(final: StreamOutcome['final']): void {
    this.finals.set(final.sid, final)
    this.unauthorized.delete(final.sid)
    const list = this.waiters.get(final.sid)
    this.waiters.delete(final.sid)
    const handshake = this.handshakeOf(final.sid)
    for (const w of list ?? []) w({ sid: final.sid, final, handshake })
  }

  private onEnd(sid: string): void {
    this.ended.push(sid)
    while (this.ended.length > KEEP_ENDED) {
      const old = this.ended.shift() as string
      this.sessions.delete(old)
      this.ws.delete(old)
      this.finals.delete(old)
      this.handshakes.delete(old)
      this.logs.remove(old)
    }
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.dispose()
    this.sessions.clear()
    this.ws.clear()
    this.logs.dispose()
  }
}

/** Drop keys whose value is undefined, so spreading a partial never overwrites a default with undefined. */
function definedOnly<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v
  return out as { [K in keyof T]?: Exclude<T[K], undefined> }
}

/** A read's topic filter that is not one, refused in words (`a/#/b`, `a+`). */
function badTopicFilter(filter: StreamFilter | undefined): Result<never> | null {
  const problem = filter?.topic === undefined ? null : topicFilterProblem(filter.topic)
  return problem ? fail('invalid_request', problem) : null
}
