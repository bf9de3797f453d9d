import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { FolderNode } from '../../src/shared/collection'
import { KeyValueTable } from '../../src/renderer/composer/KeyValueTable'
import { TreeChildren } from '../../src/renderer/sidebar/TreeRows'
import type { RowContext } from '../../src/renderer/sidebar/tree-context'
import { RequestTabs } from '../../src/renderer/tabs/RequestTabs'
import { RunRequestTable } from '../../src/renderer/runner/RunRequestTable'
import { createAppStore } from '../../src/renderer/store/app-store'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

/**
 * Bidirectional controls (RLO U+202E and its kin) in text others chose: where the app cannot mark them in place (a
 * text box lays its text out by them), it says the text again with each control as its escape. The places that
 * draw text mark them in place (app/VisibleControls.tsx; users-eye-4's e2e case sees them in a browser).
 */

describe('a name or value holding a bidirectional control in a key/value table', () => {
  it('is said again below the table with the control as its escape (a text box reorders it)', () => {
    const html = renderToStaticMarkup(
      createElement(KeyValueTable, {
        label: 'Headers',
        rows: [
          { name: 'accept', value: 'application/json', enabled: true },
          { name: 'x-file', value: 'invoice\u202efdp.exe', enabled: true },
        ],
        onChange: () => undefined,
      }),
    )
    expect(html).toContain('value 2: invoice\\u202efdp.exe')
    expect(html).not.toContain('value 1:')
  })
})

describe('a file path holding a bidirectional control in a tooltip', () => {
  // A title is laid out by the controls too: a shared collection's 'invoice<RLO>lmay.exe' read 'invoiceexe.yaml'.
  const path = 'invoice\u202elmay.exe'
  const title = (html: string): string[] => [...html.matchAll(/title="([^"]*)"/g)].map((m) => m[1] ?? '')

  it("a tree row's tooltip (its path and URL) shows the control as its escape", () => {
    const store = createAppStore(fakeClient({}).client)
    const folder = {
      type: 'folder',
      path: '',
      name: 'c',
      variables: [],
      auth: { type: 'inherit' },
      children: [
        { type: 'request', path, name: 'Pay', kind: 'http', method: 'GET', url: 'http://127.0.0.1/a\u202eb' },
      ],
    } as unknown as FolderNode
    const ctx = {
      dir: '/c',
      collapsed: new Set<string>(),
      toggle: () => undefined,
      editing: null,
      setEditing: () => undefined,
    } as unknown as RowContext
    const titles = title(renderOverStore(store, createElement(TreeChildren, { ctx, folder, depth: 0 })))
    expect(titles).toContain('invoice\\u202elmay.exe\nhttp://127.0.0.1/a\\u202eb')
    expect(titles.join('')).not.toMatch(/\u202e/)
  })

  it("a tab's tooltip (its file's path) shows the control as its escape", () => {
    const store = createAppStore(fakeClient({}).client)
    const tab = store.getState().tabs[0]
    if (!tab) throw new Error('no tab')
    store.setState({ tabs: [{ ...tab, path, dir: '/c' }] })
    const titles = title(renderOverStore(store, createElement(RequestTabs)))
    expect(titles).toContain('invoice\\u202elmay.exe')
    expect(titles.join('')).not.toMatch(/\u202e/)
  })

  it("a run's table: the request's path on hover and its name, each control as its escape", () => {
    const store = createAppStore(fakeClient({}).client)
    const requests = [{ stepId: 's', name: 'Pay\u202egpj.exe', path, passed: 1, failed: 0, messages: [] }]
    const html = renderOverStore(store, createElement(RunRequestTable, { requests }))
    expect(title(html)).toContain('invoice\\u202elmay.exe')
    expect(html).toContain('Pay<span class="bidi-control"')
    // data-path is the row's key for the page's own code, never shown.
    expect(html.replace(/data-path="[^"]*"/g, '')).not.toMatch(/\u202e/)
  })
})
