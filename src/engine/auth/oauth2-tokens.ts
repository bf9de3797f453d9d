import { createHmac, randomBytes } from 'node:crypto'
import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import type { TimelineEvent } from '../../shared/timeline'
import { fail, ok, type Result } from '../../shared/result'
import type { BodyStore } from '../http/body-store'
import type { HttpEngine } from '../http/http-engine'
import { basicCredentials } from './apply-auth'
import type * as LoopbackModule from './oauth2-loopback'
import { maskedTokenAnswer } from './oauth2-answer-mask'
import { plainHttpNotice } from './oauth2-plain-http'
import { redactedFailure } from './oauth2-redact'
import { SignInWaits, type SignInWait } from './oauth2-sign-in-waits'

/**
 * OAuth 2.0 tokens for one engine: fetched with the auth's grant (client credentials, password, or authorization
 * code with PKCE through the person's browser), cached per auth config until they expire, renewed with the
 * refresh token the server gave before going back to the person, and shared by concurrent sends. Token requests
 * go through the HTTP engine, so they show on the timeline like any other request.
 */

export type OAuth2Auth = Extract<AuthSpec, { type: 'oauth2' }>

/** Token and challenge exchanges get this long before the send is given up. */
export const AUTH_EXCHANGE_TIMEOUT_MS = 30_000
/** A token this close to expiry is fetched anew rather than used. */
const EXPIRY_SKEW_MS = 10_000
const MAX_TOKEN_BYTES = 1024 * 1024
/** How long the person has to sign in before the authorization code grant gives up (`--oauth-timeout`). */
export const DEFAULT_SIGN_IN_TIMEOUT_MS = 5 * 60_000

export interface CachedToken {
  accessToken: string
  tokenType: string
  /** Wall-clock ms; Infinity when the server gave no expires_in. */
  expiresAt: number
  refreshToken?: string
  /** The scope the server says it granted (RFC 6749 §5.1), when it says one. */
  scope?: string
}

export interface OAuth2Options {
  /**
   * Hands the authorization URL to the person: the desktop app opens the system browser, the CLI prints it to
   * stderr. Without it the URL goes in the send's error and the sign-in is still awaited, for the next send.
   */
  openSignIn?: (url: string) => Promise<void> | void
  signInTimeoutMs?: number
  /** Told what a token request's row says (a token URL on plain http to a host that is not loopback). */
  onNotice?: (text: string) => void
}

/** 300000 -> "300", 300 -> "0.3". */
export function secondsText(ms: number): string {
  return String(Number((ms / 1000).toFixed(1)))
}

/**
 * Made on first use, not at import: every `flightdeck send` imports this module and most never fetch a token,
 * and drawing the key loaded node:crypto into each (~8 ms of CPU where Node compiles its own modules).
 */
let secretsKey: Buffer | undefined

/**
 * The cache key of `auth`'s token: what names the client and the person, and a digest of the secrets, so a
 * changed or wrong client secret or password fetches anew (it kept using the token the old one got) while the
 * key holds no secret: an HMAC under a key made for this process, so a key seen in a log cannot be tried
 * against guessed passwords elsewhere.
 */
function tokenKey(auth: OAuth2Auth): string {
  const grant = auth.grant
  const who =
    grant === 'password' ? (auth.username ?? '') : grant === 'authorization_code' ? (auth.authUrl ?? '') : ''
  const secrets = createHmac('sha256', (secretsKey ??= randomBytes(32)))
    .update(
      JSON.stringify([auth.clientSecret, auth.clientAuth, grant === 'password' ? (auth.password ?? '') : '']),
    )
    .digest('base64url')
  return [grant, auth.tokenUrl, auth.clientId, auth.scope, who, secrets].join('\n')
}

export class OAuth2Tokens {
  private readonly tokens = new Map<string, CachedToken>()
  private readonly inflight = new Map<string, Promise<Result<CachedToken>>>()
  private readonly signIns = new SignInWaits()

  constructor(
    private readonly http: HttpEngine,
    private readonly now: () => number,
    private readonly options: OAuth2Options = {},
  ) {}

  clear(): void {
    this.tokens.clear()
  }

  keyOf(auth: OAuth2Auth): string {
    return tokenKey(auth)
  }

  /** A server refused `used` (401): its access token is dropped; its refresh token is kept for the next send. */
  refused(key: string, used: CachedToken): void {
    if (this.tokens.get(key) !== used) return
    if (used.refreshToken !== undefined) this.tokens.set(key, { ...used, expiresAt: -Infinity })
    else this.tokens.delete(key)
  }

  /** End the sign-in awaited for the token of `key` (its listener closes at once); false when none is. */
  cancelSignIn(key: string): boolean {
    return this.signIns.cancel(key)
  }

  /** End every sign-in awaited (the CLI's Ctrl+C); false when none is. */
  cancelSignIns(): boolean {
    return this.signIns.cancelAll()
  }

  /**
   * A token for `auth`; a failure's text names no credential typed into a URL (oauth2-redact.ts). `until`: the
   * sign-in this token waits for (or starts) ends when it aborts (a run's Cancel), as Cancel sign-in ends it.
   */
  async token(key: string, auth: OAuth2Auth, until?: AbortSignal): Promise<Result<CachedToken>> {
    return redactedFailure(await this.tokenFor(key, auth, until))
  }

  private async tokenFor(key: string, auth: OAuth2Auth, until?: AbortSignal): Promise<Result<CachedToken>> {
    const cached = this.tokens.get(key)
    if (cached && cached.expiresAt - EXPIRY_SKEW_MS > this.now()) return ok(cached)
    // Concurrent sends share one token request (and one sign-in).
    const existing = this.inflight.get(key)
    if (existing) {
      if (until) this.signIns.endWith(until, key, existing)
      return existing
    }
    let announce: (url: string) => void = () => {}
    const announced = new Promise<string>((resolve) => (announce = resolve))
    const pending = this.obtain(key, auth, cached?.refreshToken, announce).then((r) => {
      this.inflight.delete(key)
      if (r.ok) this.tokens.set(key, r.value)
      else this.tokens.delete(key)
      return r
    })
    this.inflight.set(key, pending)
    if (until) this.signIns.endWith(until, key, pending)
    if (this.options.openSignIn) return pending
    // No browser to open (the browser host): the send says where to sign in; the sign-in is still awaited,
    // and the next send waits for its token.
    const first = await Promise.race([pending, announced])
    if (typeof first !== 'string') return first
    const withinMs = this.options.signInTimeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS
    return {
      ok: false,
      error: {
        code: 'auth',
        message: `OAuth 2.0: sign in at ${first} (within ${secondsText(withinMs)} s), then send again`,
        signIn: { url: first, withinMs },
      },
    }
  }

  private async obtain(
    key: string,
    auth: OAuth2Auth,
    refreshToken: string | undefined,
    announce: (url: string) => void,
  ): Promise<Result<CachedToken>> {
    if (auth.tokenUrl.trim() === '') return fail('auth', 'OAuth 2.0: set the token URL')
    if (refreshToken !== undefined) {
      const renewed = await this.request(
        auth,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        refreshToken,
      )
      // A refused refresh token (expired, revoked) falls back to the grant itself.
      if (renewed.ok) return renewed
    }
    switch (auth.grant) {
      case 'client_credentials':
        return this.request(auth, { grant_type: 'client_credentials' })
      case 'password':
        return this.request(auth, {
          grant_type: 'password',
          username: auth.username ?? '',
          password: auth.password ?? '',
        })
      case 'authorization_code':
        return this.authorizationCode(key, auth, announce)
    }
  }

  private async authorizationCode(
    key: string,
    auth: OAuth2Auth,
    announce: (url: string) => void,
  ): Promise<Result<CachedToken>> {
    if ((auth.authUrl ?? '').trim() === '') return fail('auth', 'OAuth 2.0: set the authorization URL')
    const wait = this.signIns.begin(key)
    try {
      const code = await this.signIn(auth, announce, wait)
      if (!code.ok) return code
      return this.request(auth, code.value)
    } finally {
      wait.done()
    }
  }

  /** The browser leg: the token request's form for the code the redirect brought, or why none came. */
  private async signIn(
    auth: OAuth2Auth,
    announce: (url: string) => void,
    wait: SignInWait,
  ): Promise<Result<Record<string, string>>> {
    // Node's HTTP server is loaded only for a sign-in: a plain CLI send loads no HTTP module it does not use.
    const { authorizationUrl, listenForRedirect, loopbackTarget, newPkce, newState }: typeof LoopbackModule =
      await import('./oauth2-loopback')
    const target = loopbackTarget(auth.redirectUri ?? '')
    if (!target.ok) return target
    const state = newState()
    const method = auth.pkce ?? 'S256'
    const pkce = method === 'off' ? null : newPkce(method)
    const listener = await listenForRedirect(
      target.value,
      state,
      this.options.signInTimeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS,
    )
    if (!listener.ok) return listener
    if (wait.listening(listener.value.close)) {
      // Cancelled while the listener was set up: no page is opened, the wait ends as cancelled.
      listener.value.close()
      const ended = await listener.value.code
      if (!ended.ok) return ended
    }
    const { redirectUri } = listener.value
    const url = authorizationUrl(auth.authUrl ?? '', {
      clientId: auth.clientId,
      redirectUri,
      scope: auth.scope,
      state,
      pkce,
    })
    if (!url.ok) {
      listener.value.close()
      return url
    }
    const open = this.options.openSignIn
    if (open) {
      try {
        await open(url.value)
      } catch (e) {
        listener.value.close()
        const why = e instanceof Error ? e.message : String(e)
        return fail('auth', `OAuth 2.0: could not open the sign-in page (${why}); sign in at: ${url.value}`)
      }
    } else announce(url.value)
    const code = await listener.value.code
    wait.done()
    if (!code.ok) return code
    return ok({
      grant_type: 'authorization_code',
      code: code.value,
      redirect_uri: redirectUri,
      ...(pkce ? { code_verifier: pkce.verifier } : {}),
    })
  }

  /** One token request (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6) and its answer as a token. */
  private async request(
    auth: OAuth2Auth,
    params: Record<string, string>,
    previousRefresh?: string,
  ): Promise<Result<CachedToken>> {
    const form = new URLSearchParams(params)
    // A refresh keeps the scope it was granted (RFC 6749 §6); the other grants ask for the auth's.
    if (auth.scope !== '' && params['grant_type'] !== 'refresh_token') form.set('scope', auth.scope)
    const headers = [
      { name: 'Content-Type', value: 'application/x-www-form-urlencoded', enabled: true },
      { name: 'Accept', value: 'application/json', enabled: true },
    ]
    if (auth.clientAuth === 'basic' && (auth.clientSecret !== '' || auth.grant === 'client_credentials')) {
      // RFC 6749 §2.3.1: the client id and secret are form-encoded before they go into Basic credentials.
      const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+')
      headers.push({
        name: 'Authorization',
        value: basicCredentials(enc(auth.clientId), enc(auth.clientSecret)),
        enabled: true,
      })
    } else {
      // A public client (PKCE, no secret) names itself in the form (RFC 6749 §4.1.3).
      form.set('client_id', auth.clientId)
      if (auth.clientSecret !== '') form.set('client_secret', auth.clientSecret)
    }
    const notice = plainHttpNotice(auth.tokenUrl)
    if (notice !== null) this.options.onNotice?.(notice)
    const res = await this.exchange(notice, {
      method: 'POST',
      url: auth.tokenUrl,
      headers,
      body: { kind: 'text', text: form.toString(), contentType: 'application/x-www-form-urlencoded' },
      // Not followed: a 307 or 308 would send the form (client secret, password, code, refresh token) again to
      // wherever the token endpoint names, another origin included.
      options: { totalTimeoutMs: AUTH_EXCHANGE_TIMEOUT_MS, followRedirects: false },
    })
    if (!res.ok) return fail('auth', `OAuth 2.0 token request failed: ${res.error.message}`)
    const { status, body, location } = res.value
    if (status >= 300 && status < 400) return fail('auth', redirectRefusal(status, location))
    let data: unknown
    try {
      data = JSON.parse(body)
    } catch {
      return fail('auth', `OAuth 2.0 token endpoint answered ${status} without JSON`, body.slice(0, 200))
    }
    const obj = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {}
    if (status < 200 || status >= 300 || typeof obj['access_token'] !== 'string') {
      const why = typeof obj['error'] === 'string' ? obj['error'] : `status ${status}`
      const desc = typeof obj['error_description'] === 'string' ? `: ${obj['error_description']}` : ''
      const what = params['grant_type'] === 'refresh_token' ? 'refresh' : 'token request'
      return fail('auth', `OAuth 2.0 ${what} was refused (${why}${desc})`)
    }
    const expiresIn = Number(obj['expires_in'])
    const type = typeof obj['token_type'] === 'string' ? obj['token_type'] : 'Bearer'
    // A refresh answer without a new refresh token leaves the old one in force (RFC 6749 §6).
    const refresh = typeof obj['refresh_token'] === 'string' ? obj['refresh_token'] : previousRefresh
    const granted = typeof obj['scope'] === 'string' ? obj['scope'] : undefined
    return ok({
      accessToken: obj['access_token'],
      // RFC 6750 names the scheme "Bearer"; servers often send "bearer".
      tokenType: type.toLowerCase() === 'bearer' ? 'Bearer' : type,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? this.now() + expiresIn * 1000 : Infinity,
      ...(refresh !== undefined && refresh !== '' ? { refreshToken: refresh } : {}),
      ...(granted !== undefined ? { scope: granted } : {}),
    })
  }

  /**
   * One token request and what auth needs of its answer: status, (small) body text and a redirect's Location.
   * `notice`: said on its row (a token URL on plain http to another host).
   */
  private async exchange(
    notice: string | null,
    spec: RequestSpec,
  ): Promise<Result<{ status: number; body: string; location: string | undefined }>> {
    const sent = this.http.send(spec, 1, notice !== null ? { notice } : undefined)
    if (!sent.ok) return sent
    const sid = sent.value.sids[0]
    if (sid === undefined) return fail('internal', 'The engine returned no session')
    const result = await this.http.waitFor(sid)
    const final = result.final
    if (final.type === 'cancelled') return fail('auth', 'The request was cancelled')
    if (final.type === 'error') return fail(final.code, final.message)
    const body = await takeAnswer(this.http.bodies, final.body)
    return ok({ status: final.status, body, location: locationOf(result.events) })
  }
}

/**
 * The answer's text for auth, its stored copy (the row's body, a HAR export) masked (oauth2-answer-mask.ts). An
 * answer kept in memory is masked in place in the same turn `waitFor` resolves, before a reader can ask for it;
 * one on disk is read and then dropped, as it cannot be rewritten.
 */
async function takeAnswer(bodies: BodyStore, ref: { id: string; size: number }): Promise<string> {
  if (ref.size <= 0) return ''
  let text: string | null = null
  if (ref.size <= MAX_TOKEN_BYTES)
    bodies.get(ref.id)?.rewriteInMemory((bytes) => {
      text = bytes.toString('utf8')
      const masked = maskedTokenAnswer(text)
      return masked === null ? bytes : Buffer.from(masked)
    })
  if (text !== null) return text
  const read = await bodies.read(ref.id, 0, Math.min(ref.size, MAX_TOKEN_BYTES), 'utf8')
  const body = read.ok ? read.value.data : ''
  if (maskedTokenAnswer(body) !== null) await bodies.delete(ref.id)
  return body
}

/** How much of a Location a refusal quotes. */
const MAX_LOCATION_CHARS = 300

/** The last response's Location header. */
function locationOf(events: readonly TimelineEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]
    if (e?.type === 'response-headers')
      return e.headers.find(([name]) => name.toLowerCase() === 'location')?.[1]
  }
  return undefined
}

function redirectRefusal(status: number, location: string | undefined): string {
  const where =
    location === undefined
      ? ''
      : ` to ${location.length > MAX_LOCATION_CHARS ? `${location.slice(0, MAX_LOCATION_CHARS)}…` : location}`
  return (
    `OAuth 2.0 token endpoint answered ${status}, a redirect${where}: a token request goes to the token URL alone ` +
    '(its form carries the client secret, a password or a code), not on to where it points; if that is the token ' +
    'endpoint, make it the token URL'
  )
}
