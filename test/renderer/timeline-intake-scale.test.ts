import { describe, expect, it } from 'vitest'
import { disconnectedClient } from '../../src/renderer/client/api-client'
import { createAppStore } from '../../src/renderer/store/app-store'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import type { TimelineEvent } from '../../src/shared/timeline'
import { freshHttpsExchange, queued } from './event-builders'

/**
 * The store's intake of `timeline.batch` during a burst, with many rows already on the timeline: each batch
 * must cost its own events, not the rows already shown. Copying the row container for every batch made a
 * batch on a 15,000-row timeline cost ~5 ms (more on a busy machine), dozens of times a second: the page's
 * main thread ran long tasks while the burst went on.
 */

const SHOWN = 15_000
const BATCHES = 1_000

function cpuMs(run: () => void): number {
  const before = process.cpuUsage()
  run()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

describe('timeline intake at scale', () => {
  it('applies 1,000 small batches to a 15,000-row timeline at the cost of their events', () => {
    const store = createAppStore(disconnectedClient())
    const first: TimelineEvent[] = []
    for (let i = 0; i < SHOWN; i++) first.push(...freshHttpsExchange(`old-${i}`, i))
    store.getState().applyTimelineBatch({ events: first, dropped: 0 })
    expect(store.getState().timeline.order).toHaveLength(SHOWN)

    // What a person sees move: the toolbar's counts and a row they watch change state.
    let notified = 0
    const off = store.subscribe((s, prev) => {
      if (s.timeline !== prev.timeline) notified++
    })
    const watched = store.getState().timeline.rows['old-0']
    const ms = cpuMs(() => {
      for (let b = 0; b < BATCHES; b++) {
        const sid = `new-${b}`
        // One request queued and one finished per batch, as the host's ~16 ms flushes bring them.
        const events = freshHttpsExchange(sid, SHOWN + b)
        store.getState().applyTimelineBatch({ events: [events[0] as TimelineEvent], dropped: 0 })
        store.getState().applyTimelineBatch({ events: events.slice(1), dropped: 0 })
      }
    })
    off()
    const t = store.getState().timeline
    expect(t.order).toHaveLength(SHOWN + BATCHES)
    expect(t.inFlight).toBe(0)
    expect(t.rows[`new-${BATCHES - 1}`]?.state).toBe('done')
    expect(t.rows[`new-${BATCHES - 1}`]?.status).toBe(200)
    expect(t.rows['old-0']).toBe(watched)
    expect(notified).toBe(2 * BATCHES)
    // Copying 15,000 entries per batch took 4-20 s of CPU for these 2,000 batches; their own work takes
    // well under a second even on a loaded machine.
    expect(ms, `CPU for ${2 * BATCHES} batches`).toBeLessThan(1_500)
  })

  it('leaves a state passed to the pure reducer untouched', () => {
    const a = applyBatch(EMPTY_TIMELINE, { events: [queued('s1', 1)], dropped: 0 })
    const b = applyBatch(a, { events: freshHttpsExchange('s1', 1).slice(1), dropped: 0 })
    expect(a.rows['s1']?.state).toBe('queued')
    expect(b.rows['s1']?.state).toBe('done')
    expect(b.rows).not.toBe(a.rows)
  })
})
