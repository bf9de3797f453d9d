import type { Clock } from '../clock'
import { isFollowableRedirect } from '../send-rules/redirect-policy'
import type { AgentPool } from './agent-pool'
import type { BodyStore } from './body-store'
import type { Chain } from './chain'
import { Exchange } from './exchange'
import type { ExchangeOwner } from './exchange-types'

/** What the engine lends every hop's exchange: the same objects for each request. */
export interface HopExchangeParts {
  agents: AgentPool
  clock: Clock
  owner: ExchangeOwner
  bodies: BodyStore
  informationalLimit: number | undefined
}

/**
 * The exchange of a chain's waiting hop, made when the scheduler gives it its slot (or it is cancelled first):
 * made at queueing, a burst's exchanges outlived the young generation only to die in the old one (chain.ts).
 */
export function exchangeForWaitingHop(chain: Chain, parts: HopExchangeParts): Exchange | null {
  const hop = chain.waiting
  if (hop === null) return null
  chain.waiting = null
  const { options, ca } = chain.plan
  const url = hop.url
  const exchange = new Exchange({
    sid: hop.sid,
    method: hop.method,
    url,
    origin: chain.waitingOrigin,
    path: url === chain.plan.url ? chain.plan.path : undefined,
    headers: chain.waitingHeaders,
    body: hop.body,
    options,
    agent: parts.agents.agentFor(options, typeof ca === 'string' ? ca : undefined),
    clock: parts.clock,
    owner: parts.owner,
    context: hop,
    bodies: parts.bodies,
    queuedAt: chain.waitingSince,
    isRedirect: options.followRedirects ? isFollowableRedirect : undefined,
    informationalLimit: parts.informationalLimit,
    lean: chain.lean,
  })
  chain.current = exchange
  return exchange
}
