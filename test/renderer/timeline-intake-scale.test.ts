import { describe, expect, it } from 'vitest'
import { disconnectedClient } from '../../src/renderer/client/api-client'
import { createAppStore } from '../../src/renderer/store/app-store'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { MAX_EVENTS_PER_APPLY, type FrameScheduler } from '../../src/renderer/timeline/batch-intake'
import type { TimelineEvent } from '../../src/shared/timeline'
import { freshHttpsExchange, queued } from './event-builders'
import { fakeClient } from './fake-client'

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

  it('applies the live batches that arrive between two frames in one store update, in slices when far behind', () => {
    // The page's frames, by hand: each frame runs what waited for it.
    const due: (() => void)[] = []
    const frames: FrameScheduler = { afterNextFrame: (run) => void due.push(run) }
    const frame = (): void => {
      for (const run of due.splice(0)) run()
    }
    const fake = fakeClient()
    const store = createAppStore(fake.client, { frames })
    const off = store.getState().connect()
    let updates = 0
    const unsub = store.subscribe((s, prev) => {
      if (s.timeline !== prev.timeline) updates++
    })
    const exchanges = (from: number, count: number): TimelineEvent[] => {
      const events: TimelineEvent[] = []
      for (let i = from; i < from + count; i++) events.push(...freshHttpsExchange(`s${i}`, i))
      return events
    }

    // Ten batches before the page's next frame (a burst's messages while the page was busy): one update.
    for (let b = 0; b < 10; b++) fake.emit({ events: exchanges(b * 10, 10), dropped: b === 3 ? 2 : 0 })
    expect(updates).toBe(0)
    expect(due).toHaveLength(1)
    frame()
    expect(updates).toBe(1)
    let t = store.getState().timeline
    expect(t.order).toHaveLength(100)
    expect(t.inFlight).toBe(0)
    expect(t.dropped).toBe(2)

    // Far behind: whole batches up to MAX_EVENTS_PER_APPLY events an update, one update a frame, in order.
    const perBatch = Math.floor(MAX_EVENTS_PER_APPLY / 4 / freshHttpsExchange('x', 0).length)
    for (let b = 0; b < 10; b++) fake.emit({ events: exchanges(100 + b * perBatch, perBatch), dropped: 0 })
    let frameCount = 0
    while (due.length > 0 && frameCount < 10) {
      frame()
      frameCount++
      expect(updates).toBe(1 + frameCount)
      expect(store.getState().timeline.order).toHaveLength(100 + Math.min(10, 4 * frameCount) * perBatch)
    }
    expect(frameCount).toBe(3)
    t = store.getState().timeline
    expect(t.order[t.order.length - 1]).toBe(`s${99 + 10 * perBatch}`)
    expect(t.inFlight).toBe(0)

    // Clear takes what is held first: a finished row held for the frame goes, an in-flight one stays.
    fake.emit({ events: [...freshHttpsExchange('done-late', 1e6), queued('flying', 1e6 + 1)], dropped: 0 })
    store.getState().clearFinished()
    expect(store.getState().timeline.order).toEqual(['flying'])
    frame()
    expect(store.getState().timeline.order).toEqual(['flying'])
    unsub()
    off()
  })

  it('leaves a state passed to the pure reducer untouched', () => {
    const a = applyBatch(EMPTY_TIMELINE, { events: [queued('s1', 1)], dropped: 0 })
    const b = applyBatch(a, { events: freshHttpsExchange('s1', 1).slice(1), dropped: 0 })
    expect(a.rows['s1']?.state).toBe('queued')
    expect(b.rows['s1']?.state).toBe('done')
    expect(b.rows).not.toBe(a.rows)
  })
})
