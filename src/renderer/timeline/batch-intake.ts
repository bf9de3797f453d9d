import type { TimelineBatch } from '../../shared/contract'
import type { TimelineEvent } from '../../shared/timeline'

/**
 * Where the store takes the engine's live timeline batches in. A burst brings a batch every 25 ms or faster
 * (several at once when the page fell behind), and each store update re-renders the timeline: the rows, the
 * virtual list's measurements of every listed row, the toolbar's counts. Applied as they came, a burst made
 * several React commits between two frames, each in the task that received its message, and those tasks were the
 * page's longest. The intake holds what arrives and applies it once a frame, in a task of its own just after the
 * frame was drawn: at most one commit a frame, whatever the number of messages, and the rows still arrive live.
 *
 * A task applies whole engine batches up to MAX_EVENTS_PER_APPLY events (the rest after the next frame), so a
 * page that fell far behind catches up in slices instead of one long task; a batch is never split. Past MAX_HELD_EVENTS held events (a page whose frames
 * stopped), everything held is applied at once: what the intake holds stays bounded whatever the engine sends.
 */

/** Applies one batch to the store: exactly one store update. */
export type ApplyBatch = (batch: TimelineBatch) => void

/** When the intake's next apply runs. */
export interface FrameScheduler {
  /**
   * Call `run` once, in a task of its own after the next frame has been drawn (at once, in a task of its own, when
   * the page draws no frames: a hidden page). One call is outstanding at a time.
   */
  afterNextFrame(run: () => void): void
}

export const MAX_EVENTS_PER_APPLY = 4_000
export const MAX_HELD_EVENTS = 50_000

export interface BatchIntake {
  /** A live batch from the engine: applied after the next frame (at once with no scheduler). */
  receive(batch: TimelineBatch): void
  /** Apply everything held now, in order (before anything else changes the timeline: a replay, Clear). */
  drain(): void
  /** Events held for the next apply. */
  readonly held: number
}

/**
 * The store's intake. Without a scheduler (tests, one-off stores) each batch is applied as it arrives, as before;
 * the app's page passes `browserFrameScheduler()`.
 */
export function createBatchIntake(apply: ApplyBatch, scheduler: FrameScheduler | null): BatchIntake {
  let held: TimelineBatch[] = []
  let heldEvents = 0
  let scheduled = false

  /** Applies the held batches, whole, up to `limit` events (at least one batch), as one batch. */
  const applyHeld = (limit: number): void => {
    if (held.length === 0) return
    let take = 0
    let events = 0
    while (take < held.length && (take === 0 || events + (held[take]?.events.length ?? 0) <= limit))
      events += held[take++]?.events.length ?? 0
    const taken = held.slice(0, take)
    held = held.slice(take)
    heldEvents -= events
    if (taken.length === 1) {
      apply(taken[0] as TimelineBatch)
      return
    }
    const merged: TimelineEvent[] = []
    let dropped = 0
    for (const b of taken) {
      for (const e of b.events) merged.push(e)
      dropped += b.dropped
    }
    apply({ events: merged, dropped })
  }

  const run = (): void => {
    scheduled = false
    applyHeld(MAX_EVENTS_PER_APPLY)
    if (held.length > 0) schedule()
  }

  const schedule = (): void => {
    if (scheduled || !scheduler) return
    scheduled = true
    scheduler.afterNextFrame(run)
  }

  return {
    receive(batch) {
      if (!scheduler) {
        apply(batch)
        return
      }
      held.push(batch)
      heldEvents += batch.events.length
      if (heldEvents > MAX_HELD_EVENTS) {
        applyHeld(Infinity)
        return
      }
      schedule()
    },
    drain() {
      applyHeld(Infinity)
    },
    get held() {
      return heldEvents
    },
  }
}

/**
 * The page's scheduler: the next animation frame posts a message to itself, so the apply runs in the task after
 * the frame's (its own layout and paint stay in the next frame, not in the frame that was due). A hidden page
 * draws no frames: then the message is posted at once (message tasks are not throttled as timers are).
 */
export function browserFrameScheduler(): FrameScheduler {
  const channel = new MessageChannel()
  let due: (() => void) | null = null
  channel.port1.onmessage = () => {
    const run = due
    due = null
    run?.()
  }
  const post = (run: () => void): void => {
    due = run
    channel.port2.postMessage(null)
  }
  return {
    afterNextFrame(run) {
      if (document.visibilityState === 'hidden') {
        post(run)
        return
      }
      let done = false
      const once = (): void => {
        if (done) return
        done = true
        document.removeEventListener('visibilitychange', once)
        post(run)
      }
      requestAnimationFrame(once)
      // Hidden while waiting: that frame may never come.
      document.addEventListener('visibilitychange', once)
    },
  }
}
