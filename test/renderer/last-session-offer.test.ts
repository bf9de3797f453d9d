import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import { LastSessionOffer } from '../../src/renderer/tabs/LastSessionOffer'
import { createAppStore } from '../../src/renderer/store/app-store'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

/**
 * The last session offered at start says when it was saved as the app's other times read (24-hour, "today at"),
 * its counts grouped: it was toLocaleString's words ("12/7/2026, 2:03:00 PM"), through ICU in the start's task.
 */

const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'")

describe('the last session offer', () => {
  it("says when, in the app's clock, and how many, grouped", () => {
    const store = createAppStore(fakeClient().client)
    const saved = new Date()
    saved.setHours(9, 5, 0, 0)
    store.setState({
      replayedSessions: 0,
      lastSession: { savedAt: saved.getTime(), sessions: 20_000, omitted: 1_234, bodyBytes: 0 },
    })
    const words = text(renderOverStore(store, createElement(LastSessionOffer)))
    expect(words).toContain(
      'Last session (today at 09:05): 20,000 requests, without bodies; 1,234 older left out.',
    )
  })
})
