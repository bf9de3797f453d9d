import type { AuthSpec } from '../../shared/collection'

/**
 * OAuth 2.0 auth from Postman, Insomnia and Bruno in Flightdeck's terms. Each app names the same things its own
 * way (Postman `password_credentials` and `authorization_code_with_pkce`, Insomnia `usePkce`, Bruno `pkce: true`);
 * the implicit grant, which Flightdeck does not run, becomes Bearer `{{token}}` with the reason (implicitReason);
 * other grants it does not run (Postman's device code) are reported and left to inherit. A
 * redirect URI that is not loopback (Postman's oauth.pstmn.io callback) is kept, and the report says to change it:
 * Flightdeck receives the code on http://127.0.0.1 (RFC 8252).
 */

type OAuth2 = Extract<AuthSpec, { type: 'oauth2' }>
/** A field's text (templates already in Flightdeck's form), '' when absent. */
type Field = (key: string) => string

interface Common {
  grant: string
  tokenUrl: string
  authUrl: string
  redirectUri: string
  clientId: string
  clientSecret: string
  scope: string
  username: string
  password: string
  clientAuth: OAuth2['clientAuth']
  pkce: OAuth2['pkce']
  /** The app sends the token as an `access_token` query parameter (Postman's and Hoppscotch's "add to query"). */
  inQuery?: boolean
}

function toAuth(c: Common, unmapped: string[], where: string, app: string): AuthSpec {
  const base = {
    type: 'oauth2' as const,
    tokenUrl: c.tokenUrl,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    scope: c.scope,
    clientAuth: c.clientAuth,
    ...(c.inQuery ? { tokenIn: 'query' as const } : {}),
  }
  switch (c.grant) {
    case 'client_credentials':
      return { ...base, grant: 'client_credentials' }
    case 'password':
      return { ...base, grant: 'password', username: c.username, password: c.password }
    case 'authorization_code': {
      const redirect = c.redirectUri.trim()
      if (redirect !== '' && !isLoopbackUri(redirect)) {
        unmapped.push(
          `${where}: OAuth 2.0 redirect URI ${redirect} is not a loopback address; Flightdeck receives the code on http://127.0.0.1 (set it, or leave it empty, and register it with the server)`,
        )
      }
      return {
        ...base,
        grant: 'authorization_code',
        authUrl: c.authUrl,
        ...(redirect !== '' ? { redirectUri: redirect } : {}),
        pkce: c.pkce,
      }
    }
    case 'implicit':
      unmapped.push(`${where}: ${app} OAuth 2.0 implicit grant, ${implicitReason(c.authUrl.trim())}`)
      return c.inQuery
        ? { type: 'apikey', key: 'access_token', value: '{{token}}', in: 'query' }
        : { type: 'bearer', token: '{{token}}' }
    default:
      unmapped.push(
        `${where}: ${app} OAuth 2.0 grant "${c.grant}" is not supported (authorization code, password and client credentials are); auth left to inherit`,
      )
      return { type: 'inherit' }
  }
}

/**
 * Why an implicit grant is imported as a Bearer token to fill in: its token comes back in the redirect's
 * #fragment, which a browser never sends to the loopback listener a desktop app waits on; what a user can run is
 * the token itself. `authUrl`: where that token is got ('' when unknown).
 */
export function implicitReason(authUrl: string): string {
  return `which Flightdeck does not run (its token comes back in the redirect's #fragment, which no loopback redirect receives; RFC 9700 retires it): imported as Bearer {{token}}, so set token to an access token got${authUrl ? ` at ${authUrl}` : ''}, or use the provider's authorization code flow`
}

function isLoopbackUri(uri: string): boolean {
  // A template (`{{callback}}`) is the person's to fill; it is not second-guessed.
  if (uri.includes('{{')) return true
  try {
    const u = new URL(uri)
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)
  } catch {
    return false
  }
}

/** Postman v2.1's `auth.oauth2` list (or v2.0's object), as key → text. */
export function postmanOAuth2(p: Field, unmapped: string[], where: string): AuthSpec {
  const given = p('grant_type')
  // Postman leaves grant_type out for its default, the authorization code grant.
  const grant =
    given === '' || given === 'authorization_code_with_pkce'
      ? 'authorization_code'
      : given === 'password_credentials'
        ? 'password'
        : given
  const withPkce = given === 'authorization_code_with_pkce'
  return toAuth(
    {
      grant,
      tokenUrl: p('accessTokenUrl'),
      authUrl: p('authUrl'),
      redirectUri: p('redirect_uri'),
      clientId: p('clientId'),
      clientSecret: p('clientSecret'),
      scope: p('scope'),
      username: p('username'),
      password: p('password'),
      clientAuth: p('client_authentication') === 'body' ? 'body' : 'basic',
      pkce: withPkce ? (p('challengeAlgorithm') === 'plain' ? 'plain' : 'S256') : 'off',
      inQuery: p('addTokenTo') === 'queryParams',
    },
    unmapped,
    where,
    'Postman',
  )
}

/** Insomnia's `authentication` of type oauth2 (export v4 and v5 name the fields alike). */
export function insomniaOAuth2(
  p: Field,
  flag: (key: string) => boolean,
  unmapped: string[],
  where: string,
): AuthSpec {
  return toAuth(
    {
      grant: p('grantType') || 'authorization_code',
      tokenUrl: p('accessTokenUrl'),
      authUrl: p('authorizationUrl'),
      redirectUri: p('redirectUrl'),
      clientId: p('clientId'),
      clientSecret: p('clientSecret'),
      scope: p('scope'),
      username: p('username'),
      password: p('password'),
      clientAuth: flag('credentialsInBody') ? 'body' : 'basic',
      pkce: flag('usePkce') ? (p('pkceMethod') === 'plain' ? 'plain' : 'S256') : 'off',
    },
    unmapped,
    where,
    'Insomnia',
  )
}

/**
 * Hoppscotch's `oauth-2` auth: `grantTypeInfo` (AUTHORIZATION_CODE, CLIENT_CREDENTIALS, PASSWORD, IMPLICIT), where
 * the token endpoint of the two grants without a browser is `authEndpoint`; exports before grant types had
 * `authURL` and `accessTokenURL` (an authorization code grant). The client goes in the body unless the export says
 * `AS_BASIC_AUTH_HEADERS`. `addTo: QUERY_PARAMS` sends the token as an `access_token` query parameter. Hoppscotch
 * receives the code on its own page; Flightdeck on 127.0.0.1, which the provider must accept: the report says so.
 */
export function hoppscotchOAuth2(
  a: Record<string, unknown>,
  text: (v: unknown) => string,
  unmapped: string[],
  where: string,
): AuthSpec {
  const info = a['grantTypeInfo']
  const g: Record<string, unknown> =
    typeof info === 'object' && info !== null && !Array.isArray(info)
      ? (info as Record<string, unknown>)
      : {
          grantType: 'AUTHORIZATION_CODE',
          authEndpoint: a['authURL'],
          tokenEndpoint: a['accessTokenURL'],
          clientID: a['clientID'],
          scopes: a['scope'],
        }
  const p = (k: string): string => text(g[k])
  const grant = p('grantType').toLowerCase()
  const code = grant === 'authorization_code'
  if (code)
    unmapped.push(
      `${where}: OAuth 2.0 sign-in comes back to Flightdeck at http://127.0.0.1:<port>/callback, not to Hoppscotch's page: register http://127.0.0.1/callback as a redirect URI with the provider (any port, RFC 8252), or set the Redirect URI in the Auth tab to one it has`,
    )
  return toAuth(
    {
      grant:
        grant === 'client_credentials' || grant === 'password' || code || grant === 'implicit'
          ? grant
          : p('grantType'),
      tokenUrl: code ? p('tokenEndpoint') : p('authEndpoint'),
      authUrl: p('authEndpoint'),
      redirectUri: '',
      clientId: p('clientID'),
      clientSecret: p('clientSecret'),
      scope: p('scopes'),
      username: p('username'),
      password: p('password'),
      clientAuth: p('clientAuthentication') === 'AS_BASIC_AUTH_HEADERS' ? 'basic' : 'body',
      pkce: code && g['isPKCE'] === true ? (p('codeVerifierMethod') === 'plain' ? 'plain' : 'S256') : 'off',
      inQuery: a['addTo'] === 'QUERY_PARAMS',
    },
    unmapped,
    where,
    'Hoppscotch',
  )
}

/** Bruno's `token_placement: url` (with `token_query_key`, `access_token` by default) is the token in the query. */
function brunoTokenInQuery(p: Field, unmapped: string[], where: string): boolean {
  if (p('token_placement') !== 'url') return false
  const key = p('token_query_key')
  if (key !== '' && key !== 'access_token')
    unmapped.push(
      `${where}: OAuth 2.0 token is sent as the access_token query parameter; Bruno sends it as ${key.slice(0, 80)}`,
    )
  return true
}

/** Bruno's `auth:oauth2` block. */
export function brunoOAuth2(p: Field, unmapped: string[], where: string): AuthSpec {
  return toAuth(
    {
      grant: p('grant_type') || 'authorization_code',
      tokenUrl: p('access_token_url'),
      authUrl: p('authorization_url'),
      redirectUri: p('callback_url'),
      clientId: p('client_id'),
      clientSecret: p('client_secret'),
      scope: p('scope'),
      username: p('username'),
      password: p('password'),
      // Bruno's default places the credentials in the body, as older Bruno always did.
      clientAuth: p('credentials_placement') === 'basic_auth_header' ? 'basic' : 'body',
      pkce: p('pkce') === 'true' ? 'S256' : 'off',
      inQuery: brunoTokenInQuery(p, unmapped, where),
    },
    unmapped,
    where,
    'Bruno',
  )
}

/**
 * An OpenAPI `oauth2` security scheme's flows: client credentials first (what an API test runs unattended, and
 * what earlier imports chose), then the authorization code (PKCE S256), then password. The client's id, secret
 * and the user's credentials are variables for the person to fill.
 */
export function openApiOAuth2(flows: Record<string, unknown>, scope: string): AuthSpec | null {
  const flow = (name: string): Record<string, unknown> | null => {
    const f = flows[name]
    return typeof f === 'object' && f !== null && !Array.isArray(f) ? (f as Record<string, unknown>) : null
  }
  const text = (v: unknown): string => (typeof v === 'string' ? v : '')
  const base = {
    type: 'oauth2' as const,
    clientId: '{{clientId}}',
    clientSecret: '{{clientSecret}}',
    scope,
    clientAuth: 'basic' as const,
  }
  const cc = flow('clientCredentials')
  if (cc) return { ...base, grant: 'client_credentials', tokenUrl: text(cc['tokenUrl']) }
  const code = flow('authorizationCode')
  if (code)
    return {
      ...base,
      grant: 'authorization_code',
      tokenUrl: text(code['tokenUrl']),
      authUrl: text(code['authorizationUrl']),
      pkce: 'S256',
    }
  const pw = flow('password')
  if (pw)
    return {
      ...base,
      grant: 'password',
      tokenUrl: text(pw['tokenUrl']),
      username: '{{username}}',
      password: '{{password}}',
    }
  return null
}
