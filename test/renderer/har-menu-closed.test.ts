import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import { createAppStore } from '../../src/renderer/store/app-store'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { HarMenu } from '../../src/renderer/timeline/HarMenu'
import type { TimelineEvent } from '../../src/shared/timeline'
import { reusedExchange } from './event-builders'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

/**
 * The HAR menu sits in the timeline's toolbar, which re-renders with every batch of a burst. Its counts (the
 * rows shown, the selected ones in timeline order) walk every row: while the menu is closed nobody sees them,
 * and walking 15,000 rows twice a batch was work for nothing. Counted as the rows read by a closed menu's render.
 */

/** `list` behind a proxy that counts the entries read (by index or by iterating). */
function counted(list: readonly string[]): { list: readonly string[]; reads: () => number } {
  let reads = 0
  const proxy = new Proxy(list as string[], {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++
      return Reflect.get(target, key, receiver) as unknown
    },
  })
  return { list: proxy, reads: () => reads }
}

describe('the HAR menu, closed', () => {
  it('reads none of 15,000 rows when the toolbar re-renders', () => {
    const events: TimelineEvent[] = []
    for (let i = 0; i < 15_000; i++) events.push(...reusedExchange(`r${i}`, i))
    const timeline = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 })
    const order = counted(timeline.order)
    const items = counted(timeline.order)
    const store = createAppStore(fakeClient().client)
    store.setState({ timeline: { ...timeline, order: order.list }, selectedSid: 'r42' })
    const html = renderOverStore(store, createElement(HarMenu, { items: items.list }))
    expect(html).toContain('HAR')
    expect(html).not.toContain('Export all')
    expect(order.reads() + items.reads()).toBe(0)
  })
})
