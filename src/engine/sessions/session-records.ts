import type { RequestBody } from '../../shared/request'
import type {
  ConnectEvent,
  DnsEvent,
  InformationalEvent,
  QueuedEvent,
  RequestSentEvent,
  ResponseHeadersEvent,
  TimelineEvent,
  TlsEvent,
} from '../../shared/timeline'
import type { TerminalEvent } from '../har/har-types'
import { Fifo } from '../fifo'

/** A HAR's request body as recorded: text, or binary as base64 (`encoding`). */
export interface ImportedPostData {
  mimeType: string
  text: string
  encoding?: 'base64'
}

/**
 * What the engine remembers about each HTTP session after it ended, for HAR export and "edit as new request".
 *
 * Why here and not in the renderer: the renderer's rows hold the same events, but not the request bodies
 * (the engine resolved them from the composer's spec), and a HAR with bodies would otherwise carry every
 * response body from the engine to the UI and back. The engine sees every session, also those a window
 * cleared or never showed, and already holds the bodies by id. So the UI sends only ids (all, filtered or
 * selected) and the engine writes the document.
 *
 * Like the renderer's rows, a record keeps the latest event of each kind, never a log (body progress is not
 * kept at all), and the store is a bounded ring: the oldest sessions are forgotten past `limit`.
 */
export interface SessionRecord {
  queued: QueuedEvent
  dns?: DnsEvent | undefined
  connect?: ConnectEvent | undefined
  tls?: TlsEvent | undefined
  sent?: RequestSentEvent | undefined
  response?: ResponseHeadersEvent | undefined
  /** The latest interim (1xx) response's event: its count covers them all (HAR has no place for them). */
  informational?: InformationalEvent | undefined
  terminal?: TerminalEvent | undefined
  /** The body as composed (text kinds only; files and multipart are described, not copied). */
  requestBody?: RequestBody | undefined
  /**
   * Imported from a HAR: the request's own postData and recorded timings stay as they were (a binary body as its
   * base64, `encoding: 'base64'`).
   */
  imported?: { postData?: ImportedPostData } | undefined
}

/**
 * A record with every field present from the start: one is kept for each of the last 20,000 sessions, and fields
 * added later would each record an out-of-object property array besides the object.
 */
function newRecord(queued: QueuedEvent): SessionRecord {
  return {
    queued,
    dns: undefined,
    connect: undefined,
    tls: undefined,
    sent: undefined,
    response: undefined,
    informational: undefined,
    terminal: undefined,
    requestBody: undefined,
    imported: undefined,
  }
}

export const DEFAULT_RECORD_LIMIT = 20_000
/** Request bodies larger than this are not kept for export (the HAR says so in a comment). */
export const MAX_KEPT_REQUEST_BODY = 1024 * 1024

export class SessionRecords {
  private readonly records = new Map<string, SessionRecord>()
  /** The record made last: the engine tells a hop's body right after its `queued` event (no lookup then). */
  private lastMade: SessionRecord | null = null
  /** Arrival order, for evicting the oldest (see Fifo). */
  private readonly order = new Fifo<string>()

  constructor(private readonly limit = DEFAULT_RECORD_LIMIT) {}

  get size(): number {
    return this.records.size
  }

  get(sid: string): SessionRecord | undefined {
    return this.records.get(sid)
  }

  /** The ids of the newest `n` sessions remembered, oldest first (what a restart offers back). */
  newest(n: number): string[] {
    const sids = [...this.records.keys()]
    return n >= sids.length ? sids : sids.slice(sids.length - n)
  }

  /** Feed every timeline event through here (cheap: one map lookup and a field write). */
  record(e: TimelineEvent): void {
    if (e.type === 'queued') {
      if (e.kind !== 'http') return
      if (!this.records.has(e.sid)) this.order.push(e.sid)
      const made = newRecord(e)
      this.records.set(e.sid, made)
      this.lastMade = made
      while (this.records.size > this.limit && this.order.size > 0) {
        const oldest = this.order.shift()
        if (oldest !== undefined) this.records.delete(oldest)
      }
      // Sessions forgotten early leave their ids in `order`: past twice the limit the front ones go (a live one
      // back in line), a few per new session, so `order` stays bounded too.
      for (let i = 0; i < 4 && this.order.size > this.limit * 2; i++) {
        const front = this.order.shift()
        if (front !== undefined && this.records.has(front)) this.order.push(front)
      }
      return
    }
    const r = this.records.get(e.sid)
    if (!r) return
    switch (e.type) {
      case 'dns':
        r.dns = e
        break
      case 'connect':
        r.connect = e
        break
      case 'tls':
        r.tls = e
        break
      case 'request-sent':
        r.sent = e
        break
      case 'response-headers':
        r.response = e
        break
      case 'informational':
        r.informational = e
        break
      case 'done':
      case 'error':
      case 'cancelled':
      case 'redirect':
        r.terminal = e
        break
      default:
        break
    }
  }

  /** The engine tells what body a hop was sent with (it is in no event). */
  recordRequestBody(sid: string, body: RequestBody): void {
    const last = this.lastMade
    const r = last !== null && last.queued.sid === sid ? last : this.records.get(sid)
    if (!r) return
    r.requestBody = keptRequestBody(body)
  }

  /** Forget a session now (a table-only run is done with its step: nothing will export or show it). */
  forget(sid: string): void {
    if (this.lastMade?.queued.sid === sid) this.lastMade = null
    this.records.delete(sid)
  }

  markImported(sid: string, postData: ImportedPostData | undefined): void {
    const r = this.records.get(sid)
    if (r) r.imported = postData ? { postData } : {}
  }
}

/** A request body as the engine keeps it once sent: text past MAX_KEPT_REQUEST_BODY is not kept. */
export function keptRequestBody(body: RequestBody): RequestBody {
  switch (body.kind) {
    case 'text':
    case 'json':
      return body.text.length > MAX_KEPT_REQUEST_BODY ? { kind: 'none' } : body
    case 'form':
      return body
    default:
      return body
  }
}

/** Where a session's body can be let go of (the engine's body store). */
interface BodyDeleter {
  delete(id: string): Promise<void>
}

/**
 * Let go of sessions and the response bodies they kept, following each one's redirects (a chain is at most a few
 * dozen hops; the walk stops at 100): what a table-only run does with a step it is done with.
 */
export function forgetSessions(records: SessionRecords, bodies: BodyDeleter, sids: readonly string[]): void {
  for (const first of sids) {
    let sid: string | undefined = first
    for (let hop = 0; hop < 100 && sid !== undefined; hop++) {
      const t: TerminalEvent | undefined = records.get(sid)?.terminal
      records.forget(sid)
      if (t?.type === 'done') void bodies.delete(t.body.id)
      sid = t?.type === 'redirect' ? t.next : undefined
    }
  }
}
