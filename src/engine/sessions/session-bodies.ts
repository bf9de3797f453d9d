import type { DoneEvent, RedirectEvent, TimelineEvent } from '../../shared/timeline'
import { UNKEPT_BODY_ID } from '../http/unkept-body'

/** Sessions whose ends are held, at most: past it the oldest go (their bodies then stay, as past the records'). */
export const MAX_HELD_ENDS = 20_000

/** Where a session's body can be let go of (the engine's body store). */
interface BodyDeleter {
  delete(id: string): Promise<void>
}

/**
 * How each HTTP session ended, when the engine keeps no records (a run nothing exports or shows): only what
 * letting a step's bodies go needs, its `done` event (the body's id) or its `redirect` (the next hop), held from
 * the end until the step is let go of. The events are the engine's own; nothing is made per session. A session whose
 * body was never kept (a lean request's, unkept-body.ts) has nothing to let go of: its end is not held, so a run's
 * plain steps cost the map no write and no delete.
 */
export class SessionEnds {
  private readonly ends = new Map<string, DoneEvent | RedirectEvent>()

  constructor(private readonly limit = MAX_HELD_ENDS) {}

  /** Ends held (tests count them). */
  get size(): number {
    return this.ends.size
  }

  /** Feed every HTTP timeline event through here: one type check, and a map write for a session's end. */
  record(e: TimelineEvent): void {
    if (e.type === 'done') {
      if (e.body.id === UNKEPT_BODY_ID) return
    } else if (e.type !== 'redirect') return
    this.ends.set(e.sid, e)
    if (this.ends.size > this.limit) {
      const oldest = this.ends.keys().next()
      if (!oldest.done) this.ends.delete(oldest.value)
    }
  }

  /** Let go of sessions and the response bodies they kept, following each one's redirects (at most 100 hops). */
  forget(bodies: BodyDeleter, sids: readonly string[]): void {
    for (const first of sids) {
      let sid: string | undefined = first
      for (let hop = 0; hop < 100 && sid !== undefined; hop++) {
        const end: DoneEvent | RedirectEvent | undefined = this.ends.get(sid)
        this.ends.delete(sid)
        if (end?.type === 'done') void bodies.delete(end.body.id)
        sid = end?.type === 'redirect' ? end.next : undefined
      }
    }
  }
}
