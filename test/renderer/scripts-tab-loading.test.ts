import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import { ScriptEditors, ScriptsPanel } from '../../src/renderer/lazy/lazy-panes'
import { createAppStore } from '../../src/renderer/store/app-store'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

/**
 * The Scripts tab's first moment, before its editors' code has loaded: the scripts' text is on screen, read only,
 * with words saying the editors are loading, never an empty frame (the first render of a lazy pane is this one).
 */
describe('the Scripts tab while its editors load', () => {
  const PRE = "pm.variables.set('token', 'tok-42')"
  const POST = "pm.test('status is 201', () => pm.response.to.have.status(201))"

  it("shows the request's scripts as text, and says the editors are loading", () => {
    const app = createAppStore(fakeClient().client)
    app.getState().editDraft((d) => ({ scripts: { ...d.scripts, preRequest: PRE, test: POST } }))
    const html = renderOverStore(app, createElement(ScriptsPanel))
    expect(html).toContain('Loading the script editors')
    expect(html).toContain('Before the request')
    expect(html).toContain('pm.variables.set(&#x27;token&#x27;, &#x27;tok-42&#x27;)')
    expect(html).toContain('After the response')
    expect(html).toContain('pm.test(&#x27;status is 201&#x27;')
  })

  it('says which script is missing rather than drawing an empty box', () => {
    const app = createAppStore(fakeClient().client)
    app.getState().editDraft((d) => ({ scripts: { ...d.scripts, preRequest: PRE, test: '  ' } }))
    const html = renderOverStore(app, createElement(ScriptsPanel))
    expect(html).toContain('No post-response script')
  })

  it("shows a folder's scripts the same way in its settings", () => {
    const app = createAppStore(fakeClient().client)
    const html = renderOverStore(
      app,
      createElement(ScriptEditors, {
        scripts: { preRequest: '', test: POST },
        onChange: () => undefined,
        vars: [],
        heightKey: 'folder-script',
        preNote: '',
        postNote: '',
      }),
    )
    expect(html).toContain('No pre-request script')
    expect(html).toContain('pm.test(&#x27;status is 201&#x27;')
  })
})
