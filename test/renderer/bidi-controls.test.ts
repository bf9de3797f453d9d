import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { KeyValueTable } from '../../src/renderer/composer/KeyValueTable'

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
