import { ReusingPool } from './reusing-pool'
import type { Dispatcher, Pool } from 'undici'
import { Client } from './undici-parts'
import { adoptGracefulGoaway, clientSocket, heldRequests, streamsAllowed } from './h2-graceful-goaway'
import { h2InternalsPresent } from './undici-internals'

/**
 * The connections to one https origin of an agent that offers HTTP/2, shared as a browser shares them: requests
 * to an origin that speaks HTTP/2 go as streams over one connection (up to H2_STREAMS_PER_CONNECTION at once, or
 * fewer when the server's SETTINGS say so; the rest wait their turn here, not on the connection, and go on it
 * as its streams end), and to one that speaks HTTP/1.1 over a pool of connections, one request on each at a
 * time. A new connection is given one stream until its server's SETTINGS come, or as many as the origin's last
 * SETTINGS allowed.
 *
 * Which it speaks is learnt from the first connection's ALPN, so while that connection is being made the other
 * requests wait for it (as a browser's do) instead of each opening a connection of its own. If it fails, the
 * waiting requests go through the HTTP/1.1 pool, each trying on its own, and the next request asks again.
 *
 * A connection the server ends with a graceful GOAWAY takes no new stream, finishes its own and closes
 * (h2-graceful-goaway.ts); the requests waiting go over a new one. When that GOAWAY refused streams (the server takes only so many a connection: nginx's
 * keepalive_requests), the origin learns how many it took, and later connections are given no more than that
 * in all, so the refused requests, sent again, are not refused a second time; for LEARNT_STREAMS_MS, then it
 * learns again.
 */

/** How long a learnt streams-a-connection limit holds: a server's configuration (nginx's keepalive_requests)
 * may be raised, and a limit kept for the agent's life would open connections it no longer needs. */
export const LEARNT_STREAMS_MS = 5 * 60_000

/** Streams a connection carries at once at the most: a browser's figure (Chrome's and Firefox's default). */
export const H2_STREAMS_PER_CONNECTION = 100

type Held = [Dispatcher.DispatchOptions, Dispatcher.DispatchHandler]

export class H2Origin {
  /** What the origin speaks, learnt from a connection's ALPN; `single` when undici's HTTP/2 could not be
   * adopted (h2-graceful-goaway.ts): then one stream a connection, through the pool, as before multiplexing. */
  private protocol: 'h2' | 'http/1.1' | 'single' | null = null
  /** The connection asking what the origin speaks, and the requests waiting for its answer. */
  private probe: Client | null = null
  private held: Held[] = []
  /** The connection new streams go on; those the server said GOAWAY on (or that had their fill) close once done. */
  private lane: Client | null = null
  private readonly leaving = new Set<Client>()
  /** Streams the current lane has been given, and how many the server takes a connection (learnt from a GOAWAY). */
  private given = 0
  private streamsPerConnection = Infinity
  private learntAt = 0
  /** Requests for the origin's HTTP/2 lanes not yet given to one (dispatchOnLane). */
  private waiting: Held[] = []
  /** The streams at once the origin's server last said it allows (SETTINGS), 0 until one has. */
  private serverStreams = 0
  /** The lanes whose server's SETTINGS have come. */
  private readonly settled = new WeakSet<Client>()
  private pool: Pool | null = null
  /** The probe's connection when it was not HTTP/2: the pool's first if idle by then, so the origin's next
   * request reuses it; else it closes once its request has ended. */
  private spare: Client | null = null
  closed = false
  destroyed = false

  constructor(
    private readonly origin: string,
    private readonly options: Pool.Options,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether the origin's requests share HTTP/2 connections. */
  multiplexes(): boolean {
    return this.protocol === 'h2'
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    switch (this.protocol) {
      case 'h2':
        return this.dispatchOnLane(options, handler)
      case 'http/1.1':
      case 'single':
        return this.onePerConnection().dispatch(options, handler)
      default:
        if (this.probe) {
          this.held.push([options, handler])
          return true
        }
        this.probe = this.newLane(1)
        return this.probe.dispatch(options, handler)
    }
  }

  /**
   * Requests wait here, not on a connection, for a stream the server allows: one waiting on a connection that
   * then says GOAWAY would follow it (undici gives it that connection's next one, over any limit learnt), so a
   * connection is given only as many as its server's SETTINGS_MAX_CONCURRENT_STREAMS, and more as they end.
   */
  private dispatchOnLane(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.waiting.push([options, handler])
    this.pump()
    return true
  }

  private pump(): void {
    while (this.waiting.length > 0 && !this.destroyed) {
      // A lane ended under its requests (a server allowing no streams) takes none: the next goes on a new one.
      if (!this.lane || this.lane.destroyed) {
        this.lane = this.newLane(H2_STREAMS_PER_CONNECTION)
        this.given = 0
        // A limit learnt long ago is let go: the server's may have changed (a new one learnt at its next GOAWAY).
        if (this.now() - this.learntAt > LEARNT_STREAMS_MS) this.streamsPerConnection = Infinity
      }
      const lane = this.lane
      // Pumped again once one of its streams has ended. A server allowing none gets them all: the lane's own
      // check fails them together (h2-graceful-goaway.ts).
      const allowed = this.allowedOn(lane)
      if (allowed > 0 && heldRequests(lane) >= allowed) return
      const [options, handler] = this.waiting.shift() as Held
      lane.dispatch(options, handler)
      // As many as the server takes a connection: the next request opens another.
      if (++this.given >= this.streamsPerConnection) this.goingAway(lane)
    }
  }

  /**
   * Streams a lane may be given at once: what its server's SETTINGS allow; before they have come, what the
   * origin's last SETTINGS allowed, or one (a cold burst given a hundred at once had all but the server's few
   * refused, and each refused request has only the one resend).
   */
  private allowedOn(lane: Client): number {
    if (!this.settled.has(lane) && this.serverStreams === 0) return 1
    return Math.min(streamsAllowed(lane), H2_STREAMS_PER_CONNECTION)
  }

  private newLane(streams: number): Client {
    // A new connection's streams at once, until its own SETTINGS say: what the origin's last SETTINGS said.
    const known =
      this.serverStreams > 0
        ? { maxConcurrentStreams: Math.min(this.serverStreams, H2_STREAMS_PER_CONNECTION) }
        : {}
    const lane = new Client(this.origin, { ...this.options, ...known, pipelining: streams })
    lane.on('connect', () => this.connected(lane))
    lane.on('connectionError', () => this.connectFailed(lane))
    lane.on('disconnect', () => this.pump())
    return lane
  }

  /** A lane's connection is up (undici emits this before writing any request to it). */
  private connected(lane: Client): void {
    // The client's socket is one of undici's internals: read only once they are known to be there (a later
    // undici without them gets one request a connection, through the pool, as h2-graceful-goaway's fallback).
    const h2 =
      h2InternalsPresent() && (clientSocket(lane) as { alpnProtocol?: unknown } | null)?.alpnProtocol === 'h2'
    const probe = lane === this.probe
    if (
      h2 &&
      adoptGracefulGoaway(lane, {
        graceful: (last) => this.saidGoaway(lane, last),
        settings: (most) => this.serverSaid(lane, most),
        streamEnded: () => this.pump(),
      })
    ) {
      this.protocol = 'h2'
      lane.pipelining = H2_STREAMS_PER_CONNECTION
      if (probe) {
        this.lane = lane
        this.given = 1
      }
    } else {
      this.protocol = h2 ? 'single' : 'http/1.1'
      // Not multiplexed: one request at a time. The probe stays open as the pool's first connection.
      lane.pipelining = 1
      if (probe) this.spare = lane
      else if (lane === this.lane) this.goingAway(lane)
    }
    if (probe) this.release()
  }

  private connectFailed(lane: Client): void {
    if (lane !== this.probe) return
    // Nothing learnt: the waiting requests each try on their own (as without this), the next request asks again.
    const held = this.takeHeld()
    this.probe = null
    void lane.close().catch(() => undefined)
    for (const [o, h] of held) this.onePerConnection().dispatch(o, h)
  }

  /** The probe answered: the waiting requests go as the origin's protocol says. */
  private release(): void {
    this.probe = null
    const held = this.takeHeld()
    // Out of undici's connect callback first: it writes the probe's request once this event returns.
    if (held.length > 0) queueMicrotask(() => this.dispatchAll(held))
  }

  private dispatchAll(held: Held[]): void {
    for (const [o, h] of held) {
      if (this.destroyed) h.onError?.(new Error('The connection pool was closed'))
      else this.dispatch(o, h)
    }
  }

  private takeHeld(): Held[] {
    const held = this.held
    this.held = []
    return held
  }

  /** A lane's server said how many streams it allows at once: later connections start from it. */
  private serverSaid(lane: Client, most: number): void {
    this.settled.add(lane)
    this.serverStreams = most
    this.pump()
  }

  /** Client streams have odd ids: the server took (last + 1) / 2; more given means the rest were refused. */
  private saidGoaway(lane: Client, lastStreamId: number): void {
    const taken = Math.max(1, (lastStreamId + 1) / 2)
    if (lane === this.lane && this.given > taken) {
      this.streamsPerConnection = Math.min(this.streamsPerConnection, taken)
      this.learntAt = this.now()
    }
    this.goingAway(lane)
  }

  private goingAway(lane: Client): void {
    if (lane === this.lane) this.lane = null
    this.leave(lane)
  }

  /** Closes once its requests have ended (any still waiting go over a new connection of its own first). */
  private leave(lane: Client): void {
    if (this.leaving.has(lane)) return
    this.leaving.add(lane)
    void lane
      .close()
      .catch(() => undefined)
      .finally(() => this.leaving.delete(lane))
  }

  private onePerConnection(): Pool {
    this.pool ??= new ReusingPool(this.origin, {
      ...this.options,
      factory: (origin, options) => {
        const spare = this.spare
        this.spare = null
        // Only an idle one: a request queued behind the probe's would wait for it on an HTTP/1.1 connection.
        if (spare && !spare.closed && h2InternalsPresent() && heldRequests(spare) === 0) return spare
        if (spare) this.leave(spare)
        return new Client(origin, options)
      },
    })
    return this.pool
  }

  private all(): (Client | Pool)[] {
    const own = [this.probe, this.spare, this.lane, this.pool].filter((d): d is Client | Pool => d !== null)
    return [...own, ...this.leaving]
  }

  /** Requests in flight finish; nothing new is taken. */
  close(): Promise<void> {
    this.closed = true
    const held = [...this.takeHeld(), ...this.waiting.splice(0)]
    for (const [o, h] of held) this.onePerConnection().dispatch(o, h)
    return Promise.all(this.all().map((d) => d.close().catch(() => undefined))).then(() => undefined)
  }

  destroy(): Promise<void> {
    this.closed = this.destroyed = true
    for (const [, h] of [...this.takeHeld(), ...this.waiting.splice(0)])
      h.onError?.(new Error('The connection pool was closed'))
    return Promise.all(this.all().map((d) => d.destroy().catch(() => undefined))).then(() => undefined)
  }
}
