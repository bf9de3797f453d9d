import type { CommandHandlers, CommandPayload, OAuth2TokenView } from '../../shared/contract'
import type { RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import { authChainFor, prepareRequest } from '../collections/handlers'
import type { CollectionManager } from '../collections/manager'
import { effectiveAuth } from '../send-rules/auth-chain'
import type { AuthRunner } from './auth-runner'
import { maskedToken } from './oauth2-answer-mask'
import type { CachedToken, OAuth2Auth } from './oauth2-tokens'

/**
 * "Get token" in the OAuth 2.0 form: the token a send of the composer's auth would carry, with the active
 * environment's variables (a folder's settings: with that folder's variables as the dialog shows them), fetched as a send fetches it (so its token request is on the timeline) or reused from
 * the same cache. The page is told what a person checks (held, type, scope, expiry) and a masked preview: the
 * token itself stays in the engine, as it does for a send.
 */

function viewOf(token: CachedToken, askedScope: string): OAuth2TokenView {
  return {
    tokenType: token.tokenType,
    scope: token.scope ?? askedScope,
    scopeGranted: token.scope !== undefined,
    expiresAt: Number.isFinite(token.expiresAt) ? token.expiresAt : null,
    preview: maskedToken(token.accessToken),
    refreshable: token.refreshToken !== undefined,
  }
}

export function createOAuth2TokenHandler(deps: {
  manager: CollectionManager
  auth: AuthRunner
  ready?: Promise<void>
}): CommandHandlers<'oauth2.token' | 'oauth2.cancelSignIn'> {
  /** The auth as a send of it resolves (variables, inheritance), when it is OAuth 2.0. */
  const resolve = async (p: CommandPayload<'oauth2.token'>): Promise<Result<OAuth2Auth>> => {
    if (deps.ready) await deps.ready
    const saved = p.context !== undefined && p.context.path !== ''
    const chain = saved ? authChainFor(deps.manager, p.context, p.auth) : [p.auth]
    if (effectiveAuth(chain).type !== 'oauth2')
      return fail('invalid_request', 'This request does not use OAuth 2.0: there is no token to get')
    // Only the auth's fields are resolved: an unset variable in the request's URL or body is not the token's.
    const request: RequestSpec = {
      method: 'GET',
      url: '',
      headers: [],
      body: { kind: 'none' },
      options: {},
    }
    // From a folder's or the collection's settings: its own variables as the dialog shows them, saved or not.
    const typed = p.context !== undefined ? p.variables : undefined
    const prepared = await prepareRequest(deps.manager, request, p.auth, p.context, [], undefined, typed)
    if (!prepared.ok) return prepared
    const auth = prepared.value.auth
    if (auth.type !== 'oauth2') return fail('internal', 'The resolved auth is not OAuth 2.0')
    return ok(auth)
  }
  return {
    'oauth2.token': async (p) => {
      const auth = await resolve(p)
      if (!auth.ok) return auth
      const token = await deps.auth.oauth2Token(auth.value)
      return token.ok ? ok(viewOf(token.value, auth.value.scope)) : token
    },
    // The same auth and context as the Get token it ends, resolved the same way, name the same sign-in.
    'oauth2.cancelSignIn': async (p) => {
      if ('all' in p) return ok({ cancelled: deps.auth.cancelOAuth2SignIn('all') })
      const auth = await resolve(p)
      if (!auth.ok) return auth
      return ok({ cancelled: deps.auth.cancelOAuth2SignIn(auth.value) })
    },
  }
}
