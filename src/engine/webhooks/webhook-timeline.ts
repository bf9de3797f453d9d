import { noPhases, type ErrorEvent, type QueuedEvent } from '../../shared/timeline'
import type { WebhookCut } from './webhook-cuts'

/**
 * A cut call on the timeline, where the person watching looks: a webhook session of its own (as a whole call is),
 * on the lane of the request whose token it called when that is known, that ends in an error saying why it was cut
 * and who called: `Call from 127.0.0.1 cut (answered 413): its body passed the inbox's 16 MB limit`.
 */
export function cutEvents(baseUrl: string | null, cut: WebhookCut): [QueuedEvent, ErrorEvent] {
  const base = baseUrl ?? 'http://127.0.0.1'
  const query = cut.query ? `?${cut.query}` : ''
  // A call to an unknown URL keeps the whole path it called (there is no token of ours in it to build from).
  const url =
    cut.token === undefined
      ? `${base}${cut.path}${cut.path ? query : ''}`
      : `${base}/hooks/${cut.token}${cut.path === '/' ? '' : cut.path}${query}`
  return [
    {
      type: 'queued',
      sid: cut.id,
      t: cut.t,
      kind: 'webhook',
      wall: cut.wall,
      method: cut.method,
      url,
      hop: 0,
      ...(cut.owner ? { initiator: cut.owner } : {}),
    },
    {
      type: 'error',
      sid: cut.id,
      t: Math.max(cut.t, cut.cutAt),
      code: cut.code,
      message: cutMessage(cut),
      detail: cut.remoteAddress,
      // A call coming in has none of a request's phases (DNS, connect, wait …): only how long it ran.
      timings: noPhases(Math.max(0, cut.cutAt - cut.t)),
    },
  ]
}

/** The cut in one line: who called, what they were answered, why. */
export function cutMessage(cut: Pick<WebhookCut, 'remoteAddress' | 'status' | 'reason'>): string {
  const from = cut.remoteAddress || 'an unknown address'
  // A call to an unknown URL was read whole and refused, not cut short.
  const what = cut.status === 404 ? 'refused' : 'cut'
  return `Call from ${from} ${what}${cut.status !== null ? ` (answered ${cut.status})` : ''}: ${cut.reason}`
}

/** The cut as an aside to a wait that got no call: `a call from 127.0.0.1 was cut (answered 413): its body …`. */
export function cutAside(cut: Pick<WebhookCut, 'remoteAddress' | 'status' | 'reason'>): string {
  const from = cut.remoteAddress || 'an unknown address'
  return `a call from ${from} was cut${cut.status !== null ? ` (answered ${cut.status})` : ''}: ${cut.reason}`
}
