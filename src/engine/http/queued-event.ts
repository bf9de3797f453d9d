import type { QueuedEvent, TimelineEvent } from '../../shared/timeline'
import type { Chain } from './chain'

/**
 * The `queued` event that opens each hop's session. Built for every request, so without temporary objects: a run's
 * step (a name and nothing else) gets it in one literal; otherwise the optional fields are set one by one, in the
 * order the event has always had them.
 */
export function queuedEvent(
  chain: Chain,
  sid: string,
  t: number,
  wall: number,
  url: string,
  hop: number,
  initiator: string | undefined,
): QueuedEvent {
  const batch = chain.batch
  const link = chain.link
  const from = initiator ?? link?.initiator
  const method = chain.plan.method
  const name = link?.name
  if (name && !from && link?.lane === undefined && !batch && !link?.emptySecrets && !link?.notice)
    return { type: 'queued', sid, t, kind: 'http', wall, method, url, hop, name }
  const e: QueuedEvent = { type: 'queued', sid, t, kind: 'http', wall, method, url, hop }
  if (from) e.initiator = from
  if (link?.lane !== undefined) e.lane = link.lane
  if (name) e.name = name
  if (batch) e.batch = batch
  if (link?.emptySecrets) e.emptySecrets = link.emptySecrets
  if (link?.notice) e.notice = link.notice
  return e
}

/** An informational event past the kept ones: it only updates the count. */
export function isCountOnly(e: TimelineEvent): boolean {
  return e.type === 'informational' && e.headers === undefined
}
