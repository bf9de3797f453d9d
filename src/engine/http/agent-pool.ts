import { ReusingPool } from './reusing-pool'
import type { Dispatcher, Pool } from 'undici'
import { Agent, Client } from './undici-parts'
import type { RequestOptions } from '../../shared/request'
import type { Clock } from '../clock'
import { createTimedConnector } from './connector'
import { MAX_RESPONSE_HEADER_BYTES } from './errors'
import { H2Origin } from './h2-origin'

/** Origins one agent keeps a pool for; past it the one made first is closed (its requests in flight still end). */
export const MAX_ORIGINS_PER_AGENT = 512

type OriginPool = Pool | InstanceType<typeof Client> | H2Origin
type PoolOptions = Pool.Options

/**
 * An undici Agent that keeps its pool per origin. undici's own closes an origin's pool whenever the pool has no
 * connection left, which is at every refused or failed connect: a run of requests to a port nobody listens on
 * built, and closed, a pool per request (and a ClientDestroyedError, stack and all, for each), about a third of
 * such a request's CPU. Here a pool lives until the agent closes, or until the agent has MAX_ORIGINS_PER_AGENT
 * others; idle connections still close on their keep-alive timeout, as in any pool.
 */
class KeepingAgent extends Agent {
  private readonly pools = new Map<string, OriginPool>()
  /** One-connection clients made for a single request each (dispatchOnNewConnection): closed once it ends. */
  private readonly singles = new Set<InstanceType<typeof Client>>()

  constructor(
    private readonly poolOptions: PoolOptions,
    private readonly clock: Clock,
  ) {
    super(poolOptions)
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const key = String(options.origin)
    let pool = this.pools.get(key)
    if (!pool || pool.closed || pool.destroyed) {
      if (pool) this.pools.delete(key)
      pool = this.newPool(key)
      this.pools.set(key, pool)
      if (this.pools.size > MAX_ORIGINS_PER_AGENT) {
        const [oldest, first] = this.pools.entries().next().value ?? []
        if (oldest !== undefined && first) {
          this.pools.delete(oldest)
          void first.close().catch(() => undefined)
        }
      }
    }
    return pool.dispatch(options, handler)
  }

  /**
   * One request on a connection of its own, opened for it and closed once the request has ended; to an origin
   * whose HTTP/2 connections are shared, on one of those (a connection that said GOAWAY takes no new streams).
   */
  dispatchAlone(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const shared = this.pools.get(String(options.origin))
    if (shared instanceof H2Origin && shared.multiplexes() && !shared.closed)
      return shared.dispatch(options, handler)
    const client = new Client(String(options.origin), { ...this.poolOptions, pipelining: 1 })
    this.singles.add(client)
    const accepted = client.dispatch(options, handler)
    // close() lets the request finish first, then ends the connection.
    void client
      .close()
      .catch(() => undefined)
      .finally(() => this.singles.delete(client))
    return accepted
  }

  /**
   * As undici's Agent makes them (a Client for one connection per origin, a Pool for more), but an https origin
   * of an agent that offers HTTP/2 shares its connections as a browser does (h2-origin.ts).
   */
  private newPool(origin: string): OriginPool {
    if (this.poolOptions.allowH2 && origin.startsWith('https:'))
      return new H2Origin(origin, this.poolOptions, () => this.clock.now())
    return this.poolOptions.connections === 1
      ? new Client(origin, this.poolOptions)
      : new ReusingPool(origin, this.poolOptions)
  }

  /** Close every pool: requests in flight finish on it, new ones get a fresh pool. */
  closePools(): Promise<void> {
    const closing = [...this.pools.values()].map((p) => p.close().catch(() => undefined))
    this.pools.clear()
    return Promise.all(closing).then(() => undefined)
  }

  destroyPools(): Promise<void> {
    const destroying = [...this.pools.values(), ...this.singles].map((p) =>
      p.destroy().catch(() => undefined),
    )
    this.pools.clear()
    this.singles.clear()
    return Promise.all(destroying).then(() => undefined)
  }
}

/**
 * Dispatch through the agent's pool, or (`alone`) on a connection opened for this request alone: a request sent
 * again because its connection went away must not meet another pooled one going the same way. An agent not
 * made here dispatches through itself either way.
 */
export function dispatchOn(
  agent: Dispatcher,
  options: Dispatcher.DispatchOptions,
  handler: Dispatcher.DispatchHandler,
  alone: boolean,
): boolean {
  return alone && agent instanceof KeepingAgent
    ? agent.dispatchAlone(options, handler)
    : agent.dispatch(options, handler)
}

/**
 * The engine's undici agents, one per TLS and protocol profile (a request with its own CA or `insecure` never
 * shares connections with one without), each with a connection pool per origin.
 */
export class AgentPool {
  private readonly agents = new Map<string, KeepingAgent>()
  /** Each options object's agent key (a plan's options serve every send of it): not a new string per request. */
  private readonly keys = new WeakMap<RequestOptions, string>()

  constructor(
    private readonly clock: Clock,
    private perOrigin: number,
  ) {}

  agentFor(options: RequestOptions, ca: string | undefined): Dispatcher {
    let key = ca === undefined ? this.keys.get(options) : undefined
    if (key === undefined) {
      key = `${options.insecure ? 1 : 0}|${options.http2 ? 1 : 0}|${options.connectTimeoutMs}|${ca ?? ''}`
      if (ca === undefined) this.keys.set(options, key)
    }
    let agent = this.agents.get(key)
    if (!agent) {
      agent = new KeepingAgent(
        {
          connect: createTimedConnector(this.clock, {
            insecure: options.insecure,
            http2: options.http2,
            connectTimeoutMs: options.connectTimeoutMs,
            ...(ca ? { ca } : {}),
          }),
          allowH2: options.http2,
          connections: this.perOrigin,
          pipelining: 1,
          maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
          // Timeouts are per request (dispatch options); these are only the pool's fallbacks.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        this.clock,
      )
      this.agents.set(key, agent)
    }
    return agent
  }

  /** Pools are sized per origin: new requests get fresh pools, in-flight ones finish on the old. */
  resize(perOrigin: number): void {
    if (perOrigin === this.perOrigin) return
    this.perOrigin = perOrigin
    for (const a of this.agents.values()) void a.closePools().then(() => a.close().catch(() => undefined))
    this.agents.clear()
  }

  async destroy(): Promise<void> {
    await Promise.all(
      [...this.agents.values()].map((a) => a.destroyPools().then(() => a.destroy().catch(() => undefined))),
    )
    this.agents.clear()
  }
}
