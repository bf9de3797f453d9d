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

/** A folder's or the collection's auth says which kinds its MQTT and Socket.IO requests do not send. */
describe('the Auth of a folder', () => {
  it('says a Basic / Bearer / API key is not sent by MQTT and Socket.IO requests, OAuth 2.0 is', () => {
    const html = (auth: Parameters<typeof AuthEditor>[0]['auth'], inherited: boolean): string =>
      renderToStaticMarkup(
        createElement(AuthEditor, { auth, onChange: () => undefined, inheritNote: '', inherited }),
      )
    const note = /MQTT and Socket\.IO requests inside do not send (\w[\w ]*) auth/
    expect(html({ type: 'basic', username: 'u', password: 'p' }, true)).toMatch(note)
    expect(html({ type: 'apikey', key: 'K', value: 'v', in: 'header' }, true).match(note)?.[1]).toBe(
      'API key',
    )
    expect(html({ type: 'basic', username: 'u', password: 'p' }, false)).not.toMatch(note)
    expect(html({ type: 'none' }, true)).not.toMatch(note)
  })
})
