import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { AuthEditor } from '../../src/renderer/composer/AuthPanel'

/** A bearer's prefix (Insomnia's and Yaak's `Token`) shows in the Auth tab, where it can be changed. */
describe('the Auth tab of a bearer', () => {
  it('shows its prefix, and Bearer as the placeholder when it has none', () => {
    const html = (prefix?: string): string =>
      renderToStaticMarkup(
        createElement(AuthEditor, {
          auth: { type: 'bearer', token: 'abc', ...(prefix === undefined ? {} : { prefix }) },
          onChange: () => undefined,
          inheritNote: '',
        }),
      )
    expect(html('Token')).toMatch(/<input[^>]*aria-label="Prefix"[^>]*value="Token"/)
    expect(html()).toMatch(/<input[^>]*aria-label="Prefix"[^>]*placeholder="Bearer"[^>]*value=""/)
  })
})
