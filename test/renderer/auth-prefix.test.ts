import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { AuthEditor } from '../../src/renderer/composer/AuthPanel'
import { MessagingAuthNote } from '../../src/renderer/mqtt/MessagingAuthNote'
import { createAppStore } from '../../src/renderer/store/app-store'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

const OAUTH2 = {
  type: 'oauth2',
  grant: 'client_credentials',
  tokenUrl: 'http://127.0.0.1:9/token',
  clientId: 'c',
  clientSecret: 's',
  scope: '',
  clientAuth: 'basic',
} as const

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
    const grpc = /gRPC requests inside cannot send ([\w. ]*?) auth/
    expect(html({ type: 'digest', username: 'u', password: 'p' }, true).match(grpc)?.[1]).toBe('Digest')
    expect(html({ type: 'bearer', token: 't' }, true)).not.toMatch(grpc)
    // OAuth 2.0's token goes as authorization metadata (grpc-auth.ts); only in the query is it refused.
    expect(html(OAUTH2, true)).not.toMatch(grpc)
    expect(html({ ...OAUTH2, tokenIn: 'query' }, true).match(grpc)?.[1]).toBe('OAuth 2.0')
  })
})

/** The note beside the type picker names the chosen kind and what the tab's protocol does with it. */
describe('the Auth note for the kind chosen', () => {
  const html = (props: Partial<Parameters<typeof AuthEditor>[0]>): string =>
    renderToStaticMarkup(
      createElement(AuthEditor, {
        auth: { type: 'none' },
        onChange: () => undefined,
        inheritNote: '',
        ...props,
      }),
    )
  /** The notes, in order, and whether the first follows the type picker at once (where the person looks). */
  const notes = (page: string): { texts: string[]; besidePicker: boolean } => ({
    texts: [...page.matchAll(/<p[^>]*role="note"[^>]*>([^<]*)<\/p>/g)].map((m) =>
      (m[1] ?? '').replace(/&quot;/g, '"').replace(/&#x27;/g, "'"),
    ),
    besidePicker: /<\/select><\/label><p[^>]*role="note"/.test(page),
  })

  it('says a gRPC tab refuses Digest, without Username and Password fields to fill', () => {
    const page = html({ auth: { type: 'digest', username: 'u', password: 'p' }, kind: 'grpc' })
    const { texts, besidePicker } = notes(page)
    expect(texts).toHaveLength(1)
    expect(texts[0]).toMatch(/^A gRPC call cannot send Digest auth .*Invoke is refused, with nothing sent/)
    expect(texts[0]).toContain('Basic keeps this user name and password')
    expect(besidePicker).toBe(true)
    expect(page).not.toContain('aria-label="Username"')
    // An HTTP tab keeps Digest's fields and has no such note.
    const http = html({ auth: { type: 'digest', username: 'u', password: 'p' }, kind: 'http' })
    expect(http).toContain('aria-label="Username"')
    expect(notes(http).texts).toEqual([])
  })

  it('says what a gRPC tab sends for each kind, and refuses what is in the query', () => {
    const grpcNote = (auth: Parameters<typeof AuthEditor>[0]['auth']): string | undefined =>
      notes(html({ auth, kind: 'grpc' })).texts[0]
    expect(grpcNote({ type: 'bearer', token: 't', prefix: 'Token' })).toBe(
      'Sent as metadata: authorization: Token with the token.',
    )
    expect(grpcNote({ type: 'apikey', key: 'X-API-Key', value: 'v', in: 'header' })).toBe(
      'Sent as metadata: x-api-key with the value.',
    )
    expect(grpcNote({ type: 'apikey', key: 'k', value: 'v', in: 'query' })).toMatch(
      /^A gRPC call has no query: an API key in the query is refused at Invoke/,
    )
    expect(grpcNote({ ...OAUTH2, tokenIn: 'query' })).toMatch(
      /^A gRPC call has no query: an OAuth 2.0 token "As access_token in the query" is refused/,
    )
    expect(grpcNote(OAUTH2)).toMatch(/sent as metadata: authorization: Bearer/)
    expect(grpcNote({ type: 'none' })).toBeUndefined()
  })

  it("says a folder's OAuth 2.0 token in the query is refused by gRPC and MQTT, sent as access_token by Socket.IO", () => {
    const { texts, besidePicker } = notes(html({ auth: { ...OAUTH2, tokenIn: 'query' }, inherited: true }))
    expect(besidePicker).toBe(true)
    expect(texts.join(' ')).toMatch(/MQTT requests inside are refused too \(a CONNECT has no query\)/)
    expect(texts.join(' ')).toMatch(
      /Socket\.IO requests send the token as the handshake.s access_token query/,
    )
    // In the header: each protocol's own carrier, and nothing refused.
    const header = notes(html({ auth: OAUTH2, inherited: true })).texts.join(' ')
    expect(header).toMatch(/MQTT requests as CONNECT.s password while theirs is empty/)
    expect(header).not.toMatch(/refused/)
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
    // The request's own OAuth 2.0 token in the query: MQTT refuses it, Socket.IO sends it as access_token.
    app.setState((s) => ({
      tabs: s.tabs.map((t) => ({ ...t, draft: { ...t.draft, auth: { ...OAUTH2, tokenIn: 'query' } } })),
    }))
    expect(html()).toContain('an MQTT CONNECT has no query: the open is refused unless Password is set')
    expect(renderOverStore(app, createElement(MessagingAuthNote, { mode: 'socketio' }))).toContain(
      'sent as the handshake&#x27;s access_token query parameter',
    )
  })
})
