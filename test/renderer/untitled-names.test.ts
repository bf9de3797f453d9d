import { createElement } from 'react'
import { afterAll, describe, expect, it } from 'vitest'
import { SavedItemsBar } from '../../src/renderer/mqtt/SavedItemsBar'
import type { AppStore } from '../../src/renderer/store/app-store'
import { RequestTabs } from '../../src/renderer/tabs/RequestTabs'
import {
  numberUntitled,
  scratchTab,
  tabDisplayName,
  type RequestTab,
} from '../../src/renderer/tabs/request-tab'
import { autosaveWorkspace } from '../../src/renderer/tabs/workspace-slice'
import { engineClient } from './engine-client'
import { startEngine, stopEngines } from './store-over-engine'
import { renderOverStore } from './render-over-store'

/**
 * Two unsaved tabs are never both "Untitled": each is numbered when it opens (the lowest number no other open
 * unsaved tab holds) and keeps it, in the tab strip and wherever a tab is named (a Publish / Emit box listing the
 * saved items of the tab its session came from), and a reload brings each back under the name it had. Real
 * engine behind the store.
 */

afterAll(stopEngines)

const started = (): AppStore => startEngine().store()

/** The names the tab strip shows, in order. */
function stripNames(store: AppStore): string[] {
  const html = renderOverStore(store, createElement(RequestTabs))
  return [...html.matchAll(/<span class="tab-name">([^<]*)<\/span>/g)].map((m) => m[1] ?? '')
}

describe('unsaved tabs are named apart', () => {
  it('numbers each new unsaved tab, keeps its number when another closes, reuses the lowest free one', () => {
    const store = started()
    store.getState().newTab()
    store.getState().newTab()
    expect(stripNames(store)).toEqual(['Untitled 1', 'Untitled 2', 'Untitled 3'])
    const html = renderOverStore(store, createElement(RequestTabs))
    expect(html).toContain('aria-label="Close Untitled 3"')
    expect(html).toContain('aria-label="Untitled 2 (not saved)"')

    const second = store.getState().tabs[1]
    if (!second) throw new Error('no second tab')
    store.getState().closeTab(second.id)
    expect(stripNames(store)).toEqual(['Untitled 1', 'Untitled 3'])
    store.getState().newTab()
    expect(stripNames(store)).toEqual(['Untitled 1', 'Untitled 3', 'Untitled 2'])

    // A name the person gave is shown as given.
    store.getState().setTabName('Login')
    expect(stripNames(store)).toEqual(['Untitled 1', 'Untitled 3', 'Login'])
  })

  it("a session's Emit box names its own unsaved tab, not a name the shown tab shares", () => {
    const store = started()
    const first = store.getState().tabs[0]
    if (!first) throw new Error('no tab')
    store.getState().setKind('socketio')
    store.getState().setSocketIoEmitDraft({ event: 'echo', args: '["hi"]', ack: false })
    expect(store.getState().saveMessagingItem('echo hi', first.id)).toBeNull()
    // The session was opened from the first tab; the person then opens a second Socket.IO tab.
    store.setState({ streamOrigins: { io1: { dir: null, path: null, tabId: first.id, messages: [] } } })
    store.getState().newTab()
    store.getState().setKind('socketio')

    const box = renderOverStore(store, createElement(SavedItemsBar, { what: 'emit', sid: 'io1' }))
    expect(box).toContain('Saved emits of Untitled 1 (1)')
    expect(box).toContain('title="Saved emits of Untitled 1, the request this session was opened from"')
    expect(stripNames(store)).toEqual(['Untitled 1', 'Untitled 2'])
  })

  it('tabs brought back from the workspace beside an open one get numbers of their own', () => {
    // As restoreTabs makes them: unsaved, with no number yet.
    const bare = (): RequestTab => {
      const { untitled: _none, ...tab } = scratchTab()
      return tab
    }
    const tabs = numberUntitled([scratchTab(), bare(), bare()])
    expect(tabs.map(tabDisplayName)).toEqual(['Untitled 1', 'Untitled 2', 'Untitled 3'])
  })

  it('a reload brings each unsaved tab back under its own name; tabs opened after it are named apart', async () => {
    const engine = startEngine()
    const a = engine.store()
    await a.getState().restoreWorkspace()
    const saver = autosaveWorkspace(a, engineClient(engine.service), { debounceMs: 20 })
    a.getState().newTab()
    a.getState().setUrl('http://127.0.0.1:1/second')
    a.getState().newTab()
    a.getState().closeTab(a.getState().tabs[0]!.id)
    expect(stripNames(a)).toEqual(['Untitled 2', 'Untitled 3'])
    await saver.flush()
    saver.stop()

    // The reload: a new page over the same engine, as the browser host's.
    const b = engine.store()
    await b.getState().restoreWorkspace()
    expect(stripNames(b)).toEqual(['Untitled 2', 'Untitled 3'])
    b.getState().newTab()
    b.getState().newTab()
    expect(stripNames(b)).toEqual(['Untitled 2', 'Untitled 3', 'Untitled 1', 'Untitled 4'])

    // A page where the person opened a tab before the restore came in: theirs keep their names, a restored
    // one whose number is taken gets a free one.
    const c = engine.store()
    c.getState().newTab()
    await c.getState().restoreWorkspace()
    expect(stripNames(c)).toEqual(['Untitled 1', 'Untitled 2', 'Untitled 4', 'Untitled 3'])
  })
})
