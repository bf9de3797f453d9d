import type { Dispatcher } from 'undici'
import type { AppError } from '../../shared/result'
import type { RequestBody, RequestOptions } from '../../shared/request'
import type { HarTimings, HeaderList, TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { BodyStore } from './body-store'

/**
 * What an exchange (one HTTP hop, ./exchange.ts) is given and what it reports: its owner (the engine, or the
 * HTTP/2 push exchange's owner) hears its events and, once, its outcome.
 */

export interface ExchangeInit {
  sid: string
  method: string
  url: URL
  /** `url.origin`, computed once (the getter allocates on every call). */
  origin: string
  /** The request target, when worked out already (the request's own URL's, in its SendPlan). */
  path?: string | undefined
  headers: HeaderList
  body: RequestBody
  options: RequestOptions
  agent: Dispatcher
  clock: Clock
  /** Receives the exchange's events and its outcome (the engine; an interface, not closures, to keep the
   * per-request cost down). `context` is handed back untouched. */
  owner: ExchangeOwner
  context: unknown
  bodies: BodyStore
  queuedAt: number
  /** When true, the hop will end in a redirect: no `done` event is emitted, the engine emits `redirect`. */
  isRedirect?: ((status: number, headers: HeaderList) => boolean) | undefined
  /** Interim (1xx) responses after which the hop ends (informational.ts' MAX_INFORMATIONAL_RESPONSES unless set). */
  informationalLimit?: number | undefined
  /**
   * Nobody reads this hop's per-request events or its body (Chain.lean): its request-sent (unless sent again),
   * response-headers and body-progress are not made, the response's headers go to `owner.exchangeHeaders` instead,
   * and its body is counted, not kept (unkept-body.ts).
   */
  lean?: boolean
}

export interface ExchangeOwner {
  exchangeEvent(context: unknown, event: TimelineEvent): void
  /** A lean hop's response headers (no response-headers event is made for it); only lean hops call it. */
  exchangeHeaders?(context: unknown, headers: HeaderList): void
  /** Called once, when the hop has ended one way or another. */
  exchangeOutcome(context: unknown, outcome: ExchangeOutcome): void
}

export type ExchangeOutcome =
  | {
      kind: 'response'
      status: number
      headers: HeaderList
      timings: HarTimings
      redirect: boolean
      endAt: number
    }
  | { kind: 'error'; error: AppError; timings: HarTimings }
  | { kind: 'cancelled'; timings: HarTimings }
