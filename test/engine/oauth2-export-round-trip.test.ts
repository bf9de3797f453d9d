import { describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import {
  brunoOAuth2Pairs,
  insomniaOAuth2Fields,
  postmanOAuth2Fields,
} from '../../src/engine/exporters/oauth2-export'
import { brunoOAuth2, insomniaOAuth2, postmanOAuth2 } from '../../src/engine/importers/oauth2-import'

/**
 * Each grant written in Postman's, Insomnia's and Bruno's words reads back as the same auth (Bruno has only S256
 * PKCE: plain comes back as S256), and nothing is reported lost.
 */

type OAuth2 = Extract<AuthSpec, { type: 'oauth2' }>
const base = {
  type: 'oauth2' as const,
  tokenUrl: '{{base}}/token',
  clientId: 'app',
  clientSecret: '{{secret}}',
  scope: 'read write',
}
const grants: OAuth2[] = [
  { ...base, grant: 'client_credentials', clientAuth: 'basic' },
  { ...base, grant: 'password', clientAuth: 'body', username: 'alice', password: '{{pw}}' },
  {
    ...base,
    grant: 'authorization_code',
    clientAuth: 'basic',
    authUrl: '{{base}}/authorize',
    redirectUri: 'http://127.0.0.1:7777/cb',
    pkce: 'S256',
  },
  { ...base, grant: 'authorization_code', clientAuth: 'body', authUrl: 'http://a/authorize', pkce: 'plain' },
  { ...base, grant: 'authorization_code', clientAuth: 'body', authUrl: 'http://a/authorize', pkce: 'off' },
  { ...base, grant: 'client_credentials', clientAuth: 'body', tokenIn: 'query' },
]

describe('OAuth 2.0 auth survives export and import', () => {
  it.each(grants.map((g) => [`${g.grant} ${g.pkce ?? ''}`, g] as const))('%s', (_name, auth) => {
    const notes: string[] = []
    const pm = postmanOAuth2Fields(auth)
    expect(postmanOAuth2((k) => pm[k] ?? '', notes, 'x')).toEqual(auth)

    // Insomnia sends the token in the header only: its exporter lists a query placement as not exported.
    const { tokenIn: _inQuery, ...inHeader } = auth
    const ins = insomniaOAuth2Fields(auth, (s) => s)
    const insText = (k: string): string => (typeof ins[k] === 'string' ? ins[k] : '')
    expect(insomniaOAuth2(insText, (k) => ins[k] === true, notes, 'x')).toEqual(inHeader)

    const bru = new Map(brunoOAuth2Pairs(auth))
    const back = brunoOAuth2((k) => bru.get(k) ?? '', notes, 'x')
    expect(back).toEqual(auth.pkce === 'plain' ? { ...auth, pkce: 'S256' } : auth)
    expect(notes).toEqual([])
  })
})
