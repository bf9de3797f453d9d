import { Agent } from './undici-parts'
import type { RequestOptions } from '../../shared/request'
import type { Clock } from '../clock'
import { createTimedConnector } from './connector'
import { MAX_RESPONSE_HEADER_BYTES } from './errors'

/**
 * The engine's undici agents, one per TLS and protocol profile (a request with its own CA or `insecure` never
 * shares connections with one without), each with a connection pool per origin.
 */
export class AgentPool {
  private readonly agents = new Map<string, Agent>()

  constructor(
    private readonly clock: Clock,
    private perOrigin: number,
  ) {}

  agentFor(options: RequestOptions, ca: string | undefined): Agent {
    const key = `${options.insecure ? 1 : 0}|${options.http2 ? 1 : 0}|${options.connectTimeoutMs}|${ca ?? ''}`
    let agent = this.agents.get(key)
    if (!agent) {
      agent = new Agent({
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
        // Timeouts are per request (dispatch options); these are only the agent's fallbacks.
        headersTimeout: 0,
        bodyTimeout: 0,
      })
      this.agents.set(key, agent)
    }
    return agent
  }

  /** Pools are sized per origin: new requests get fresh pools, in-flight ones finish on the old. */
  resize(perOrigin: number): void {
    if (perOrigin === this.perOrigin) return
    this.perOrigin = perOrigin
    for (const a of this.agents.values()) void a.close().catch(() => undefined)
    this.agents.clear()
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.destroy().catch(() => undefined)))
    this.agents.clear()
  }
}
