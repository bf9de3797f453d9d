import type { HttpEngine } from '../http/http-engine'
import type { EngineServiceOptions } from '../service-types'
import { AuthRunner } from './auth-runner'
import { openSignInPage } from './oauth2-open'

/**
 * The engine's one AuthRunner (its tokens, sign-ins and digest challenges shared by every send, stream and run),
 * with the host's way of opening a sign-in page. Its own module so that the engine imports the auth code (~45 KB:
 * OAuth 2.0, digest, the loopback listener) only when a part that authorizes is first built: a plain
 * `flightdeck send <url>` never is.
 */
export function createEngineAuth(http: HttpEngine, options: EngineServiceOptions): AuthRunner {
  const openExternalHook = options.openExternal
  return new AuthRunner(http, undefined, {
    ...(options.oauthSignIn
      ? { openSignIn: options.oauthSignIn }
      : openExternalHook
        ? { openSignIn: (url: string) => openSignInPage(openExternalHook, url) }
        : {}),
    ...(options.oauthTimeoutMs !== undefined ? { signInTimeoutMs: options.oauthTimeoutMs } : {}),
    ...(options.oauthNotice ? { onNotice: options.oauthNotice } : {}),
  })
}
