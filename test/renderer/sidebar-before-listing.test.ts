import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import { Sidebar } from '../../src/renderer/sidebar/Sidebar'
import { createAppStore } from '../../src/renderer/store/app-store'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

/**
 * The sidebar before the host has said which collections are open: no empty state, whose folder field would
 * vanish under a person typing into it once the host's open collections arrive; the field comes when the host
 * says none is open (or cannot say).
 */
describe('the sidebar before the host lists the open collections', () => {
  it('says it is asking, and offers no folder field yet', () => {
    const app = createAppStore(fakeClient().client)
    const html = renderOverStore(app, createElement(Sidebar))
    expect(html).toContain('Asking the host for the open collections')
    expect(html).not.toContain('aria-label="Collection folder"')
    expect(html).not.toContain('No collection open')
  })

  it('offers the folder field once the host says none is open', async () => {
    const { client } = fakeClient({
      'collection.list': () => ({ ok: true, value: { open: [], recent: [], selectedEnv: {} } }),
    })
    const app = createAppStore(client)
    await app.getState().loadCollections()
    const html = renderOverStore(app, createElement(Sidebar))
    expect(html).toContain('aria-label="Collection folder"')
    expect(html).toContain('No collection open')
    expect(html).not.toContain('Asking the host')
  })

  it('offers the folder field, beside the error, when the host cannot list them', async () => {
    const app = createAppStore(fakeClient().client)
    await app.getState().loadCollections()
    const html = renderOverStore(app, createElement(Sidebar))
    expect(html).toContain('aria-label="Collection folder"')
    expect(html).toContain('no fake for collection.list')
  })
})
