import type { AuthSpec } from '../../shared/collection'

/**
 * OAuth 2.0 auth written back in each app's words, the inverse of importers/oauth2-import.ts: Postman's
 * grant names (`authorization_code_with_pkce`, `password_credentials`) and `auth.oauth2` keys, Insomnia's
 * `authentication` fields, Bruno's `auth:oauth2` lines. Only the fields the grant uses are written.
 */

type OAuth2 = Extract<AuthSpec, { type: 'oauth2' }>

/** Postman v2.1 `auth.oauth2` rows, as key → value. */
export function postmanOAuth2Fields(a: OAuth2): Record<string, string> {
  const common = {
    accessTokenUrl: a.tokenUrl,
    clientId: a.clientId,
    clientSecret: a.clientSecret,
    scope: a.scope,
    client_authentication: a.clientAuth === 'body' ? 'body' : 'header',
    ...(a.tokenIn === 'query' ? { addTokenTo: 'queryParams' } : {}),
  }
  switch (a.grant) {
    case 'client_credentials':
      return { grant_type: 'client_credentials', ...common }
    case 'password':
      return {
        grant_type: 'password_credentials',
        ...common,
        username: a.username ?? '',
        password: a.password ?? '',
      }
    case 'authorization_code': {
      const pkce = a.pkce ?? 'S256'
      return {
        grant_type: pkce === 'off' ? 'authorization_code' : 'authorization_code_with_pkce',
        ...(pkce === 'off' ? {} : { challengeAlgorithm: pkce }),
        authUrl: a.authUrl ?? '',
        ...common,
        ...(a.redirectUri ? { redirect_uri: a.redirectUri } : {}),
      }
    }
  }
}

/** Insomnia's `authentication` object of type oauth2 (values through the exporter's template rewrite). */
export function insomniaOAuth2Fields(a: OAuth2, tx: (s: string) => string): Record<string, string | boolean> {
  const common = {
    type: 'oauth2',
    grantType: a.grant,
    accessTokenUrl: tx(a.tokenUrl),
    clientId: tx(a.clientId),
    clientSecret: tx(a.clientSecret),
    scope: tx(a.scope),
    credentialsInBody: a.clientAuth === 'body',
  }
  switch (a.grant) {
    case 'client_credentials':
      return common
    case 'password':
      return { ...common, username: tx(a.username ?? ''), password: tx(a.password ?? '') }
    case 'authorization_code': {
      const pkce = a.pkce ?? 'S256'
      return {
        ...common,
        authorizationUrl: tx(a.authUrl ?? ''),
        ...(a.redirectUri ? { redirectUrl: tx(a.redirectUri) } : {}),
        usePkce: pkce !== 'off',
        ...(pkce !== 'off' ? { pkceMethod: pkce } : {}),
      }
    }
  }
}

/**
 * Bruno's `auth:oauth2` lines as name/value pairs. Bruno's PKCE is S256 only: a plain challenge goes out as S256
 * (`pkce: true`), which every server that takes plain also takes.
 */
export function brunoOAuth2Pairs(a: OAuth2): [string, string][] {
  const common: [string, string][] = [
    ['access_token_url', a.tokenUrl],
    ['client_id', a.clientId],
    ['client_secret', a.clientSecret],
    ['scope', a.scope],
    ['credentials_placement', a.clientAuth === 'basic' ? 'basic_auth_header' : 'body'],
    ...(a.tokenIn === 'query'
      ? ([
          ['token_placement', 'url'],
          ['token_query_key', 'access_token'],
        ] as [string, string][])
      : []),
  ]
  switch (a.grant) {
    case 'client_credentials':
      return [['grant_type', 'client_credentials'], ...common]
    case 'password':
      return [
        ['grant_type', 'password'],
        ['username', a.username ?? ''],
        ['password', a.password ?? ''],
        ...common,
      ]
    case 'authorization_code':
      return [
        ['grant_type', 'authorization_code'],
        ['callback_url', a.redirectUri ?? ''],
        ['authorization_url', a.authUrl ?? ''],
        ...common,
        ['pkce', String((a.pkce ?? 'S256') !== 'off')],
      ]
  }
}
