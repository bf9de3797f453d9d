import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { AuthEditor } from '../../src/renderer/composer/AuthPanel'
import { MessagingAuthNote } from '../../src/renderer/mqtt/MessagingAuthNote'
import { createAppStore } from '../../src/renderer/store/app-store'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

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
    // A call cannot carry Digest: gRPC requests inside are refused until they set their own (grpc-auth.ts).
    const grpc = /gRPC requests inside cannot send (\w[\w. ]*) auth/
    expect(html({ type: 'digest', username: 'u', password: 'p' }, true).match(grpc)?.[1]).toBe('Digest')
    expect(html({ type: 'bearer', token: 't' }, true)).not.toMatch(grpc)
    // OAuth 2.0's token goes as authorization metadata (grpc-auth.ts); only in the query is it refused.
    const oauth2 = {
      type: 'oauth2',
      grant: 'client_credentials',
      tokenUrl: 'http://127.0.0.1:9/token',
      clientId: 'c',
      clientSecret: 's',
      scope: '',
      clientAuth: 'basic',
    } as const
    expect(html(oauth2, true)).not.toMatch(grpc)
    expect(html({ ...oauth2, tokenIn: 'query' }, true).match(grpc)?.[1]).toBe('OAuth 2.0')
  })
})

/** The messaging Auth note speaks of where the request is: inside a collection it inherits, outside it cannot. */
describe('the messaging Auth note', () => {
  it('speaks of a folder and the collection only for a request in a collection', () => {
    const app = createAppStore(fakeClient().client)
    const html = (): string => renderOverStore(app, createElement(MessagingAuthNote, { mode: 'mqtt' }))
    expect(app.getState().tabs.find((t) => t.id === app.getState().activeTabId)?.draft.auth.type).toBe(
      'inherit',
    )
    expect(html()).toContain('This request is in no collection, so it inherits no auth')
    expect(html()).not.toContain('collection&#x27;s')
    app.setState((s) => ({ tabs: s.tabs.map((t) => ({ ...t, dir: '/c', path: 'a.yaml' })) }))
    expect(html()).toContain('A folder&#x27;s or the collection&#x27;s OAuth 2.0 token')
  })
})
