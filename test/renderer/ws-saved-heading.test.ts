import { createElement } from 'react'
import { afterAll, describe, expect, it } from 'vitest'
import { emptySavedRequest } from '../../src/shared/collection'
import type { AppStore } from '../../src/renderer/store/app-store'
import { WsSendBox } from '../../src/renderer/streams/WsSendBox'
import { tabFromFile } from '../../src/renderer/tabs/request-tab'
import { startEngine, stopEngines } from './store-over-engine'
import { renderOverStore } from './render-over-store'

/**
 * The WebSocket Send tab's saved messages have a visible heading worded as the Publish / Emit boxes word theirs
 * ("Saved messages (2)", "No saved messages"), with where the list is kept beside it.
 */

afterAll(stopEngines)

const started = (): AppStore => startEngine().store()

function box(store: AppStore, sid: string, url: string): string {
  return renderOverStore(store, createElement(WsSendBox, { sid, url, open: true }))
}

/** The text of the box's headings. */
function headings(html: string): string[] {
  return [...html.matchAll(/<h4[^>]*>([^<]*)<\/h4>/g)].map((m) => m[1] ?? '')
}

describe('the WebSocket saved messages heading', () => {
  it('an ad-hoc session: counted, kept for the URL; none saved says so', () => {
    const store = started()
    const url = 'ws://127.0.0.1:1/echo'
    store.setState({ streamOrigins: { w1: { dir: null, path: null, messages: [] } } })
    expect(headings(box(store, 'w1', url))).toEqual(['No saved messages'])
    store.setState({
      savedMessages: {
        [url]: [
          { id: 'a', name: 'hi', kind: 'text', data: 'hello' },
          { id: 'b', name: 'sub', kind: 'json', data: '{"op":"subscribe"}' },
        ],
      },
    })
    const html = box(store, 'w1', url)
    expect(headings(html)).toEqual(['Saved messages (2)'])
    expect(html).toContain('kept for this URL in this browser')
    expect(html).toContain('aria-label="Saved messages"')
  })

  it("a saved request's session: counted, kept in its file", () => {
    const store = started()
    const req = {
      ...emptySavedRequest('Chat', 'ws'),
      url: 'ws://127.0.0.1:1/echo',
      messages: [{ name: 'join', text: '{"join":"lobby"}' }],
    }
    const tab = tabFromFile('/c', 'chat.yaml', req, 'v1')
    store.setState({
      tabs: [tab],
      activeTabId: tab.id,
      streamOrigins: { w2: { dir: '/c', path: 'chat.yaml', tabId: tab.id, messages: req.messages } },
    })
    const html = box(store, 'w2', req.url)
    expect(headings(html)).toEqual(['Saved messages (1)'])
    expect(html).toContain('in chat.yaml')
  })
})
