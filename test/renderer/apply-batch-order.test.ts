import { describe, expect, it } from 'vitest'
import { applyBatch, EMPTY_TIMELINE, type TimelineState } from '../../src/renderer/timeline/apply-batch'
import { concurrencySeries, stripSpans } from '../../src/renderer/timeline/concurrency'
import { scopeSids } from '../../src/renderer/timeline/har-slice'
import { buildTableView, NO_FILTERS, type TableView } from '../../src/renderer/timeline/table-view'
import type { TimelineEvent } from '../../src/shared/timeline'
import { freshHttpsExchange, queued } from './event-builders'

/**
 * The store appends a batch's new rows to the timeline's order in place: copying the order for every batch that
 * lists a row cost the rows already listed (15,000 ids, 0.3-0.7 ms a batch, dozens of batches a second in a
 * burst). Readers of the order watch its version, since its identity no longer changes: each must still see
 * every row listed.
 */

function cpuMs(run: () => void): number {
  const before = process.cpuUsage()
  run()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

function finished(count: number, prefix: string): TimelineState {
  const events: TimelineEvent[] = []
  for (let i = 0; i < count; i++) events.push(...freshHttpsExchange(`${prefix}${i}`, i))
  let t = EMPTY_TIMELINE
  for (let i = 0; i < events.length; i += 2_000)
    t = applyBatch(t, { events: events.slice(i, i + 2_000), dropped: 0 }, { inPlace: true })
  return t
}

/** `batches` batches in place, each listing one new row and finishing the one listed before it. */
function listOneByOne(t: TimelineState, batches: number, prefix: string): TimelineState {
  let prev: string | null = null
  for (let i = 0; i < batches; i++) {
    const sid = `${prefix}${i}`
    const events: TimelineEvent[] = [queued(sid, 100_000 + i)]
    if (prev !== null) events.push(...freshHttpsExchange(prev, 100_000 + i - 1).slice(1))
    t = applyBatch(t, { events, dropped: 0 }, { inPlace: true })
    prev = sid
  }
  return t
}

/** The unfiltered view, as the timeline's table reads it (useTableView with no filter, sort or grouping). */
function plainView(t: TimelineState): TableView {
  return { items: t.order, rowCount: t.order.length, orderVersion: t.orderVersion }
}

describe('the timeline order, appended in place', () => {
  it('lists a row a batch onto 20,000 rows for about what it costs onto an empty timeline', () => {
    // The store's timeline: a state applied in place is not read again, only the one it became.
    let big = finished(20_000, 'old')
    const rounds: [number, number][] = []
    for (let round = 0; round < 3; round++) {
      const onEmpty = cpuMs(() => void listOneByOne(EMPTY_TIMELINE, 3_000, `e${round}-`))
      const onBig = cpuMs(() => void (big = listOneByOne(big, 3_000, `b${round}-`)))
      expect(big.order).toHaveLength(23_000 + round * 3_000)
      rounds.push([onEmpty, onBig])
    }
    // Copying the order made each batch cost 20,000 ids: several times the empty timeline's cost.
    const best = Math.min(...rounds.map(([e, b]) => b / Math.max(e, 1)))
    expect(best, `CPU ms onto empty / onto 20,000 rows: ${JSON.stringify(rounds)}`).toBeLessThan(2.5)
  })

  it('gives each reader of the order every row listed, batch after batch', () => {
    let t = finished(500, 'old')
    const spans = stripSpans()
    let view = plainView(t)
    for (let i = 0; i < 50; i++) {
      const before = t
      const sid = `new${i}`
      t = applyBatch(t, { events: [queued(sid, 1_000 + i)], dropped: 0 }, { inPlace: true })
      // The table and the waterfall: a view per version, holding the new row.
      expect(t.orderVersion).not.toBe(before.orderVersion)
      const next = plainView(t)
      expect(next.orderVersion).not.toBe(view.orderVersion)
      expect(next.items[next.items.length - 1]).toBe(sid)
      expect(next.rowCount).toBe(501 + i)
      view = next
      // A filtered view (In flight only) too.
      const filtered = buildTableView(t, {
        filters: { ...NO_FILTERS, inFlightOnly: true },
        sort: null,
        groupBy: 'none',
        collapsed: new Set(),
      })
      expect(filtered.items).toHaveLength(i + 1)
      expect(filtered.items[i]).toBe(sid)
      // HAR export: all rows, and a selection listed late.
      expect(scopeSids('all', t.order, [], null, [])).toHaveLength(501 + i)
      expect(scopeSids('selected', t.order, [], sid, [])).toEqual([sid])
      // The concurrency strip, recounted from what changed, counts it queued as a fresh count does.
      const now = 2_000
      const counted = concurrencySeries(t, { start: 0, end: now }, 100, now, spans)
      const fresh = concurrencySeries(t, { start: 0, end: now }, 100, now)
      expect(Array.from(counted.queued)).toEqual(Array.from(fresh.queued))
      expect(counted.queued[99]).toBe(i + 1)
    }
  })

  it('leaves the state it was given as it was when not in place', () => {
    const t = finished(10, 'old')
    const order = [...t.order]
    const next = applyBatch(t, { events: [queued('x', 50)], dropped: 0 })
    expect(t.order).toEqual(order)
    expect(next.order).toEqual([...order, 'x'])
    expect(next.orderVersion).toBe(t.orderVersion + 1)
  })
})
