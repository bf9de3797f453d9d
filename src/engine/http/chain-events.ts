import type { TimelineEvent } from '../../shared/timeline'
import { isCountOnly } from './queued-event'

/**
 * A chain's event list, with `event` added. A flood of interim responses: the newest count replaces the previous one,
 * so a request's event list stays bounded however long the server keeps sending them.
 */
export function keepEvent(events: TimelineEvent[], event: TimelineEvent): void {
  const last = events[events.length - 1]
  if (isCountOnly(event) && last && isCountOnly(last) && last.sid === event.sid)
    events[events.length - 1] = event
  else events.push(event)
}
