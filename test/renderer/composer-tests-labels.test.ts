import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import type { TimelineEvent } from '../../src/shared/timeline'
import { createAppStore } from '../../src/renderer/store/app-store'
import { fakeClient } from './fake-client'
import { StatusLine } from '../../src/renderer/details/StatusLine'
import { tabMethodLabel } from '../../src/renderer/tabs/tab-label'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { sortValue } from '../../src/renderer/timeline/columns'
import { NO_FILTERS, rowFilter } from '../../src/renderer/timeline/table-view'
import { METHOD_FILTERS } from '../../src/renderer/timeline/TimelineToolbar'
import { queued } from './event-builders'
import { renderOverStore } from './render-over-store'

/** WebSocket sessions say WS wherever a method is shown; SSE streams keep their real method. */

function rowsOf(events: TimelineEvent[]) {
  return applyBatch(EMPTY_TIMELINE, { events, dropped: 0 }).rows
}

const rows = rowsOf([
  queued('ws', 0, { kind: 'ws', url: 'ws://127.0.0.1:1/ws' }),
  queued('sse', 1, { kind: 'sse', method: 'POST', url: 'http://127.0.0.1:1/events' }),
  queued('get', 2),
])
const ws = rows['ws']!
const sse = rows['sse']!
const get = rows['get']!

describe('WS labels', () => {
  it('the request tab says WS for a WebSocket request, the real method for HTTP and SSE', () => {
    expect(tabMethodLabel('ws', 'GET')).toBe('WS')
    expect(tabMethodLabel('sse', 'post')).toBe('POST')
    expect(tabMethodLabel('http', 'DELETE')).toBe('DELETE')
  })

  it('the Method filter offers WS and picks WebSocket sessions only; GET no longer matches them', () => {
    expect(METHOD_FILTERS).toContain('WS')
    const pick = (method: string) => [ws, sse, get].filter(rowFilter({ ...NO_FILTERS, method }))
    expect(pick('WS').map((r) => r.sid)).toEqual(['ws'])
    expect(pick('GET').map((r) => r.sid)).toEqual(['get'])
    expect(pick('POST').map((r) => r.sid)).toEqual(['sse'])
    // Typing "ws" in the filter box finds the WebSocket session by its label too.
    expect([ws, sse, get].filter(rowFilter({ ...NO_FILTERS, text: 'ws ws://' })).map((r) => r.sid)).toEqual([
      'ws',
    ])
  })

  it("the details pane's status line says WS for a WebSocket session", () => {
    const app = createAppStore(fakeClient().client)
    const html = (row: typeof ws) => renderOverStore(app, createElement(StatusLine, { row }))
    expect(html(ws)).toContain('<span class="method">WS</span>')
    expect(html(ws)).not.toContain('>GET<')
    expect(html(sse)).toContain('<span class="method">POST</span>')
  })
})

describe('saved request names', () => {
  it('a row sent from a request file is found by its name and sorts by it; the URL still matches', () => {
    const [named, plain] = [
      rowsOf([queued('n', 0, { name: 'Create user', url: 'http://127.0.0.1:1/users' })])['n'],
      rowsOf([queued('p', 0, { url: 'http://127.0.0.1:1/accounts' })])['p'],
    ]
    if (!named || !plain) throw new Error('rows missing')
    const find = (text: string) => [named, plain].filter(rowFilter({ ...NO_FILTERS, text })).map((r) => r.sid)
    expect(find('create user')).toEqual(['n'])
    expect(find('/users')).toEqual(['n'])
    expect(find('/accounts')).toEqual(['p'])
    expect(sortValue(named, 'name')).toBe('Create user')
    expect(sortValue(plain, 'name')).toBe('http://127.0.0.1:1/accounts')
  })
})
