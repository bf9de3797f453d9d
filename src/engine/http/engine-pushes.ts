import type { RequestOptions } from '../../shared/request'
import type { HeaderList, TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import { PushExchange } from '../http2-push/push-exchange'
import type { PushOwner } from '../http2-push/push-set'
import type { PushedStream } from '../http2-push/pushed-stream'
import { isFollowableRedirect } from '../send-rules/redirect-policy'
import type { BodyStore } from './body-store'
import type { Hop } from './chain'
import { cookieJarNote, type EngineCookies } from './engine-cookies'
import type { ExchangeOutcome, ExchangeOwner } from './exchange-types'

/** What the push side asks of the engine: its hops' reports, and session ids. */
export interface PushHost extends ExchangeOwner {
  reserveSid(): string
}

/**
 * HTTP/2 server push (a request with `acceptPush`): such a hop runs as a PushExchange on a connection of its
 * own, since pushed streams belong to the connection they were promised on. Each pushed stream is a session of
 * its own, drawn under the request: on the timeline and in the request's events, never settling it, and
 * cancellable by its sid until it has ended. The hop's own reports go to the engine as any exchange's do.
 */
export class EnginePushes implements PushOwner {
  /** Pushed streams still open, by their sid. */
  private readonly open = new Map<string, PushedStream>()

  constructor(
    private readonly host: PushHost,
    private readonly cookies: EngineCookies,
    private readonly clock: Clock,
    private readonly bodies: BodyStore,
    private readonly emitOut: (e: TimelineEvent) => void,
  ) {}

  /** The exchange of a hop that accepts pushes (`headers`: with the jar's cookies when they are on). */
  exchange(
    hop: Hop,
    headers: HeaderList,
    options: RequestOptions,
    ca: string | undefined,
    queuedAt: number,
  ): PushExchange {
    return new PushExchange({
      sid: hop.sid,
      method: hop.method,
      url: hop.url,
      headers,
      body: hop.body,
      options,
      ca,
      clock: this.clock,
      owner: this,
      context: hop,
      bodies: this.bodies,
      queuedAt,
      isRedirect: options.followRedirects ? isFollowableRedirect : undefined,
    })
  }

  /** Cancel the pushed stream `sid`: whether it was cancelled, or undefined when no open push has that sid. */
  cancel(sid: string): boolean | undefined {
    return this.open.get(sid)?.cancel()
  }

  exchangeEvent(context: unknown, event: TimelineEvent): void {
    this.host.exchangeEvent(context, event)
  }

  exchangeOutcome(context: unknown, outcome: ExchangeOutcome): void {
    this.host.exchangeOutcome(context, outcome)
  }

  newPushSid(): string {
    return this.host.reserveSid()
  }

  pushEvent(context: unknown, event: TimelineEvent): void {
    const { chain } = context as Hop
    // A pushed response sets cookies as any response does: its URL has the request's origin (RFC 9113 8.4).
    // What the jar refused or let go is said on the pushed row, where its Set-Cookie is shown.
    if (event.type === 'response-headers' && chain.plan.options.cookies) {
      const url = this.open.get(event.sid)?.url
      if (url !== undefined && URL.canParse(url)) {
        const note = cookieJarNote(this.cookies.store(new URL(url), event.headers))
        if (note) event.cookieJar = note
      }
    }
    chain.events.push(event)
    this.emitOut(event)
  }

  pushOpened(sid: string, push: PushedStream): void {
    this.open.set(sid, push)
  }

  pushClosed(sid: string): void {
    this.open.delete(sid)
  }
}
