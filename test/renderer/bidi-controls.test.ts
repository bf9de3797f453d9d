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
import { EnvironmentSwitcher } from '../../src/renderer/environments/EnvironmentSwitcher'
import { VariablesTable } from '../../src/renderer/environments/VariablesTable'
import { RunnerPanel } from '../../src/renderer/runner/RunnerPanel'
import { RunServerTiming } from '../../src/renderer/runner/RunServerTiming'
import { StatusLine } from '../../src/renderer/details/StatusLine'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import type { CollectionInfo } from '../../src/shared/collection'
import { queued, reusedExchange } from './event-builders'
import { HoverCard } from '../../src/renderer/timeline/HoverCard'
import { ServerTimingTable } from '../../src/renderer/details/ServerTimingTable'
import { serverTimingOf } from '../../src/shared/server-timing'
import type { TimelineEvent } from '../../src/shared/timeline'
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

describe("a collection's folder, environments and a request's URL", () => {
  const title = (html: string): string[] => [...html.matchAll(/title="([^"]*)"/g)].map((m) => m[1] ?? '')
  const dir = '/shared/invoice\u202elmay.exe'
  const collection = {
    dir,
    name: 'Pay\u202egpj.exe',
    variables: [],
    auth: { type: 'inherit' },
    root: { type: 'folder', path: '', name: '', variables: [], auth: { type: 'inherit' }, children: [] },
    environments: [{ id: 'prod', name: 'prod\u202eved' }],
    problems: [],
    requestCount: 0,
  } as unknown as CollectionInfo

  it("the toolbar's collection label (its folder on hover) and environment picker show each control as its escape", () => {
    const store = createAppStore(fakeClient({}).client)
    store.setState({ collections: [collection], activeDir: dir })
    const html = renderOverStore(store, createElement(EnvironmentSwitcher))
    expect(title(html)).toContain('/shared/invoice\\u202elmay.exe')
    expect(html).toContain('Pay<span class="bidi-control"')
    expect(html).toContain('prod\\u202eved')
    expect(html).not.toMatch(/\u202e/)
  })

  it("the runner's title and its folder on hover show each control as its escape", () => {
    const store = createAppStore(fakeClient({}).client)
    store.setState({ collections: [collection], activeDir: dir })
    store.getState().openRunner(dir, '', collection.name)
    const html = renderOverStore(store, createElement(RunnerPanel))
    expect(title(html)).toContain('/shared/invoice\\u202elmay.exe')
    expect(html).toContain('Pay<span class="bidi-control"')
    expect(html).not.toMatch(/\u202e/)
  })

  it("a variable's value is said again below its table with the control as its escape; a secret's never is", () => {
    const html = renderOverStore(
      createAppStore(fakeClient({}).client),
      createElement(VariablesTable, {
        rows: [
          { name: 'file', value: 'invoice\u202efdp.exe', secret: false },
          { name: 'key', value: 'hidden\u202evalue', secret: true },
        ],
        onChange: () => undefined,
      }),
    )
    expect(html).toContain('value 1: invoice\\u202efdp.exe')
    const note = /role="note">([^<]*)</.exec(html)?.[1] ?? ''
    expect(note).not.toContain('value 2')
    expect(note).not.toContain('hidden')
  })

  it("the details' status line shows a request's URL (and its tooltip) with each control as its escape", () => {
    const rows = applyBatch(EMPTY_TIMELINE, {
      events: [queued('s', 0, { url: 'http://127.0.0.1:1/invoice\u202efdp.exe' })],
      dropped: 0,
    }).rows
    const row = rows['s']
    if (!row) throw new Error('no row')
    const html = renderOverStore(createAppStore(fakeClient({}).client), createElement(StatusLine, { row }))
    expect(title(html)).toContain('http://127.0.0.1:1/invoice\\u202efdp.exe')
    expect(html).toContain('invoice<span class="bidi-control"')
    expect(html).not.toMatch(/\u202e/)
  })
})

describe('zero-width and other format characters, which a page draws as nothing', () => {
  // U+200B in a header name makes `Authorization<ZWSP>` look like the real one; a tag character (two UTF-16 units)
  // carries text no one sees. They are shown as the CLI shows them; an emoji's joiner is how the emoji is written.
  const title = (html: string): string[] => [...html.matchAll(/title="([^"]*)"/g)].map((m) => m[1] ?? '')

  it("a run's request name, a key/value table and a tab's tooltip show each as its escape", () => {
    const store = createAppStore(fakeClient({}).client)
    const requests = [
      {
        stepId: 's',
        name: 'Pay\u200b\u{e0041}👩\u200d💻',
        path: 'pay\ufeff.yaml',
        passed: 1,
        failed: 0,
        messages: [],
      },
    ]
    const html = renderOverStore(store, createElement(RunRequestTable, { requests }))
    expect(html).toContain(
      'Pay<span class="bidi-control" title="U+200B ZERO WIDTH SPACE: a character drawn as',
    )
    expect(html).toContain('\\udb40\\udc41</span>👩\u200d💻')
    expect(title(html)).toContain('pay\\ufeff.yaml')
    expect(html.replace(/data-path="[^"]*"/g, '')).not.toMatch(/[\u200b\ufeff]|\u{e0041}/u)

    const table = renderToStaticMarkup(
      createElement(KeyValueTable, {
        label: 'Headers',
        rows: [{ name: 'Authorization\u200b', value: 'x', enabled: true }],
        onChange: () => undefined,
      }),
    )
    expect(table).toContain('name 1: Authorization\\u200b')

    const tab = store.getState().tabs[0]
    if (!tab) throw new Error('no tab')
    store.setState({ tabs: [{ ...tab, path: 'in\u2060voice.yaml', dir: '/c' }] })
    expect(title(renderOverStore(store, createElement(RequestTabs)))).toContain('in\\u2060voice.yaml')
  })
})

describe('a line break in a name drawn on one line', () => {
  // A shared collection's request named "Pay<LF>now" read "Pay now" in the tree, a tab and a timeline row.
  it('is drawn as ⏎ in the tree and on a tab, a zero-width space beside it as its escape', () => {
    const store = createAppStore(fakeClient({}).client)
    const folder = {
      type: 'folder',
      path: '',
      name: 'c',
      variables: [],
      auth: { type: 'inherit' },
      children: [
        {
          type: 'request',
          path: 'pay.yaml',
          name: 'Pay\u200b\nnow',
          kind: 'http',
          method: 'GET',
          url: 'http://127.0.0.1/',
        },
      ],
    } as unknown as FolderNode
    const ctx = {
      dir: '/c',
      collapsed: new Set<string>(),
      toggle: () => undefined,
      editing: null,
      setEditing: () => undefined,
    } as unknown as RowContext
    const tree = renderOverStore(store, createElement(TreeChildren, { ctx, folder, depth: 0 }))
    expect(tree).toContain('Pay<span class="bidi-control" title="U+200B ZERO WIDTH SPACE')
    expect(tree).toContain('</span> ⏎ now')
    const tab = store.getState().tabs[0]
    if (!tab) throw new Error('no tab')
    store.setState({
      tabs: [{ ...tab, path: 'pay.yaml', dir: '/c', extras: { ...tab.extras, name: 'Pay\nnow' } }],
    })
    expect(renderOverStore(store, createElement(RequestTabs))).toContain('Pay ⏎ now')
  })
})

describe('the hover card and the Timing tab', () => {
  // A request's URL (a shared collection's) and a server's Server-Timing description (UTF-8 read as such).
  it('show a URL and a Server-Timing entry with each control as its escape', () => {
    const events = reusedExchange('s1', 0).map((e): TimelineEvent => {
      if (e.type === 'queued') return { ...e, url: 'http://127.0.0.1:1/invoice\u202efdp.exe' }
      if (e.type !== 'done') return e
      const serverTiming = serverTimingOf([['server-timing', 'db;dur=3;desc="cache\u202essim\u200b"']])
      return serverTiming ? { ...e, serverTiming } : e
    })
    const store = createAppStore(fakeClient({}).client)
    store.setState({ timeline: applyBatch(EMPTY_TIMELINE, { events, dropped: 0 }) })
    const row = store.getState().timeline.rows['s1']
    if (!row) throw new Error('no row')
    const card = renderOverStore(
      store,
      createElement(HoverCard, { sid: 's1', left: 0, top: 0, frameWidth: 800, frameHeight: 600 }),
    )
    expect(card).toContain('invoice<span class="bidi-control"')
    expect(card).not.toMatch(/[\u202e\u200b]/)
    const tab = renderOverStore(store, createElement(ServerTimingTable, { row }))
    expect(tab).toContain('cache<span class="bidi-control"')
    expect(tab).not.toMatch(/[\u202e\u200b]/)
  })
})

describe("a run's results: what the servers said", () => {
  // A Server-Timing name and an assertion's message quoting the value a server sent are the server's text.
  it('the Server-Timing table and a failed check show each control as its escape', () => {
    const at = { p50: 1, p90: 2, p99: 3, max: 4 }
    const stats = {
      total: 1,
      passed: 0,
      failed: 1,
      errors: 0,
      mean: 1,
      histogram: [],
      ...at,
      serverTiming: [{ name: 'db\u202ekcehc\u200b', count: 1, ...at }],
    }
    const timing = renderToStaticMarkup(createElement(RunServerTiming, { stats }))
    expect(timing).toContain('db<span class="bidi-control"')
    // data-server-timing is the row's key for the page's own code, never shown.
    expect(timing.replace(/data-server-timing="[^"]*"/g, '')).not.toMatch(/[\u202e\u200b]/)

    const store = createAppStore(fakeClient({}).client)
    const messages = ['$.user equals "ada" but was "ada\u202enimda\u200b"']
    const requests = [{ stepId: 's', name: 'Who', path: 'who.yaml', passed: 0, failed: 1, messages }]
    const table = renderOverStore(store, createElement(RunRequestTable, { requests }))
    expect(table).toContain('was &quot;ada<span class="bidi-control"')
    expect(table.replace(/data-path="[^"]*"/g, '')).not.toMatch(/[\u202e\u200b]/)
  })
})
