import type { RequestBody } from '../../shared/request'
import type {
  BatchRef,
  CancelledEvent,
  DoneEvent,
  EmptySecretUse,
  ErrorEvent,
  HeaderList,
  TimelineEvent,
} from '../../shared/timeline'
import type { PushExchange } from '../http2-push/push-exchange'
import type { TracePlan } from '../trace/trace-headers'
import type { Exchange } from './exchange'
import type { Runnable, Ticket } from './scheduler'
import type { SendPlan } from './send-plan'

/**
 * What a request's sessions carry besides the request: the lane of an earlier session they are drawn on (a
 * job's polls, long polls, retries), the session that caused them, and the name of the saved request they came
 * from (the timeline shows it in place of the URL's path).
 */
export interface SessionLink {
  lane?: string
  initiator?: string
  name?: string
  /** Trace context each copy carries (a traceparent of its own, see trace-headers.ts). */
  trace?: TracePlan
  /** A one-copy send that is one of a burst sent copy by copy (Send ×N whose copies each ran a script). */
  batch?: BatchRef
  /** The id `reserveSid` gave a one-copy send ahead of it (its pre-request script's requests name it as cause). */
  sid?: string
  /** Secrets with no value here that the request used (sent empty): its `queued` event names them. */
  emptySecrets?: EmptySecretUse[]
  /** Said on the row (a token request to a plain-http host that is not loopback, auth/oauth2-plain-http.ts). */
  notice?: string
}

/** What `waitFor` resolves with: every hop of one request, in order. */
export interface ExchangeResult {
  sids: string[]
  events: TimelineEvent[]
  final: DoneEvent | ErrorEvent | CancelledEvent
  /** The body the request went out with (its first hop's): what a test script sees as `pm.request.body`. */
  sentBody: RequestBody
  /** The answering response's headers (the last hop's that got one; empty when none came). */
  headers: HeaderList
  /** The trace id the request went out with (its first request-sent that had one). */
  traceId: string | undefined
  /** How many of its hops went a second time (the server cut the first attempt off, goaway-resend.ts). */
  resent: number
}

/** Shared by the chains that have had no response yet: only read. */
const NO_HEADERS: HeaderList = []
/** The events of every lean chain (Chain.lean): none are kept, so they share one empty list nobody may add to. */
const NO_EVENTS: TimelineEvent[] = Object.freeze([]) as unknown as TimelineEvent[]

/** One hop of a request: what it sends (a redirect's next hop sends what the redirect policy says). */
export interface Hop {
  chain: Chain
  sid: string
  hop: number
  method: string
  url: URL
  headers: HeaderList
  body: RequestBody
  initiator?: string
}

/** Makes and starts the exchange of a chain's waiting hop once the scheduler gives it a slot (the engine). */
export interface HopRunner {
  runHop(chain: Chain): void
}

/**
 * One request's hops (redirects followed one by one), from its first `queued` event to its settled result.
 *
 * The chain is also the scheduler's job for the hop that waits for a slot: that hop's Exchange (with its body,
 * marks and handler state) is made only when the slot is given, not when the request is queued. A Send ×1000
 * holds 1,000 requests in the queue for a while; made up front, their exchanges outlived the young generation
 * and were copied into the old one only to die there.
 */
export class Chain implements Runnable {
  /** `METHOD url` of each hop that redirected: the redirect policy tells a loop by it (made at the first). */
  visited: string[] | null = null
  /** Every hop's session id, the root's first (made holding it: most requests have no other hop). */
  readonly sids: string[]
  /** Kept as they come; a lean chain's stay the shared empty list. */
  readonly events: TimelineEvent[]
  current: Exchange | PushExchange | null = null
  /** The hop queued for a slot whose exchange is not made yet: when it was queued, what it will send, where. */
  waiting: Hop | null = null
  waitingSince = 0
  waitingHeaders: HeaderList = NO_HEADERS
  waitingOrigin = ''
  /** A push hop runs: its terminal event waits in `held` until its pushes have ended too. */
  holding = false
  held: DoneEvent | ErrorEvent | CancelledEvent | null = null
  ticket: Ticket | null = null
  settled: ExchangeResult | null = null
  /** Who waits for the result (`waitFor`): one waiter (a run's step, the CLI) without an array around it. */
  waiters: ((r: ExchangeResult) => void) | ((r: ExchangeResult) => void)[] | null = null
  totalTimer: ReturnType<typeof setTimeout> | null = null
  cancelled = false
  /** The last response's headers, the first trace id sent and the resends so far: the result's (ExchangeResult). */
  headers: HeaderList = NO_HEADERS
  traceId: string | undefined = undefined
  resent = 0
  /**
   * Nobody reads this request's per-request events or its body (an unwatched engine, and a caller that reads only
   * the result's final event, headers, trace id and resends): its `queued`, `request-sent` and `response-headers`
   * are not made, the result's `events` stay empty, and its body is counted, not kept (unkept-body.ts). Its result
   * is told to those who wait when it ends, then forgotten (settled-chains.ts): a `waitFor` after that finds no session.
   */
  readonly lean: boolean

  constructor(
    readonly root: string,
    readonly plan: SendPlan,
    readonly batch: BatchRef | undefined,
    readonly link: SessionLink | undefined,
    private readonly runner: HopRunner,
    lean: boolean,
  ) {
    this.sids = [root]
    this.lean = lean
    this.events = lean ? NO_EVENTS : []
  }

  /** The scheduler gave the waiting hop its slot. */
  run(): void {
    this.runner.runHop(this)
  }
}
