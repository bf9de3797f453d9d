import type { SendResult } from '../../shared/contract'
import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import type { HttpEngine, SessionLink } from '../http/http-engine'
import { applySimpleAuth, hasHeader, withHeader, withQueryParam } from './apply-auth'
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from './digest'
import { newTraceId } from '../trace/trace-ids'
import {
  AUTH_EXCHANGE_TIMEOUT_MS,
  OAuth2Tokens,
  type CachedToken,
  type OAuth2Auth,
  type OAuth2Options,
} from './oauth2-tokens'

/**
 * Sends a request with its auth applied. Basic, bearer and API key are headers/params. Digest and OAuth 2.0
 * need exchanges of their own first (the challenge, the token); those go through the same engine, so they show
 * on the timeline like any other request, and their outcome decides what the real request carries.
 */

/** A stream's digest probe: a 401 comes at once; a stream that answers 200 instead is cut short after this. */
const STREAM_PROBE_TIMEOUT_MS = 10_000

/** A link whose trace plan draws a fresh trace per request, fixed to one trace for every request it makes. */
function oneTrace(link: SessionLink | undefined): SessionLink | undefined {
  if (!link?.trace || link.trace.traceId !== undefined) return link
  return { ...link, trace: { ...link.trace, traceId: newTraceId() } }
}

/** The origin a digest challenge is cached for, and the request-target the response is computed over. */
function digestTarget(url: string): { origin: string; uri: string } | null {
  try {
    // A scheme before one slash or a backslash is typed too (`http:/host`), as parseTargetUrl reads it.
    const u = new URL(/^[a-z][a-z\d+.-]*:[/\\]/i.test(url) ? url : `http://${url}`)
    return { origin: u.origin, uri: `${u.pathname}${u.search}` }
  } catch {
    return null
  }
}

/** The request carrying an OAuth 2.0 access token where the auth says: the Authorization header, or the query. */
function withToken(spec: RequestSpec, auth: OAuth2Auth, token: { tokenType: string; accessToken: string }) {
  return auth.tokenIn === 'query'
    ? withQueryParam(spec, 'access_token', token.accessToken)
    : withHeader(spec, 'Authorization', `${token.tokenType} ${token.accessToken}`)
}

interface DigestState {
  challenge: DigestChallenge
  nc: number
}

export class AuthRunner {
  private readonly oauth2: OAuth2Tokens
  private readonly digests = new Map<string, DigestState>()
  /** Set on a run's view (`forRun`): the sign-ins its requests wait for end when the run is cancelled. */
  private runSignal: AbortSignal | undefined

  constructor(
    private readonly http: HttpEngine,
    now: () => number = () => Date.now(),
    oauth2: OAuth2Options = {},
  ) {
    this.oauth2 = new OAuth2Tokens(http, now, oauth2)
  }

  /**
   * This runner for one run: the same tokens, sign-ins and challenges (a view on this one, not a copy), but an
   * OAuth 2.0 sign-in that a request of the run waits for, or started, ends when `signal` aborts (Cancel run).
   */
  forRun(signal: AbortSignal): AuthRunner {
    const view = Object.create(this) as AuthRunner
    view.runSignal = signal
    return view
  }

  /** Forget cached tokens and challenges (e.g. when the person edits auth settings). */
  clear(): void {
    this.oauth2.clear()
    this.digests.clear()
  }

  /**
   * `link` draws the request (and a digest challenge it needs first) on an earlier session's lane: a job's
   * polls and a long poll's repeats are each authorized anew this way, as the first request was.
   */
  async send(
    spec: RequestSpec,
    auth: AuthSpec,
    count: number,
    link?: SessionLink,
  ): Promise<Result<SendResult>> {
    switch (auth.type) {
      case 'digest':
        // The challenge's probe and the request it authorizes are one send: one trace, a span each.
        return this.sendDigest(spec, auth, count, count === 1 ? oneTrace(link) : link)
      case 'oauth2':
        return this.sendOAuth2(spec, auth, count, link)
      default:
        return this.http.send(applySimpleAuth(spec, auth), count, link)
    }
  }

  /**
   * A stream's opening request with its auth applied (SSE and WebSocket sessions are not sent through the HTTP
   * engine, so they take the header or parameter rather than a send). `refused` is for the stream's owner to call
   * when the server answers 401: a cached token or challenge that was used is forgotten, as for HTTP sends.
   * Digest needs a challenge first: for SSE it is asked for with the request itself, as for HTTP; a WebSocket
   * upgrade cannot be probed that way, so digest is refused for it with a clear error.
   */
  async authorize(
    spec: RequestSpec,
    auth: AuthSpec,
    session: 'SSE' | 'WebSocket',
  ): Promise<Result<{ spec: RequestSpec; refused?: () => void }>> {
    switch (auth.type) {
      case 'oauth2': {
        if (hasHeader(spec, 'Authorization')) return ok({ spec })
        const key = this.oauth2.keyOf(auth)
        const token = await this.oauth2.token(key, auth, this.runSignal)
        if (!token.ok) return token
        const used = token.value
        return ok({
          spec: withToken(spec, auth, used),
          refused: () => this.oauth2.refused(key, used),
        })
      }
      case 'digest': {
        if (hasHeader(spec, 'Authorization')) return ok({ spec })
        if (session === 'WebSocket') {
          return fail(
            'auth',
            'Digest auth is not supported for WebSocket sessions: use another auth type, or set an Authorization header',
          )
        }
        const target = digestTarget(spec.url)
        if (!target) return ok({ spec })
        const state = await this.challenge(target.origin, spec, STREAM_PROBE_TIMEOUT_MS)
        if (!state.ok) return state
        const header = this.digestHeader(state.value, auth, spec, target.uri)
        if (!header.ok) return header
        const st = state.value
        return ok({
          spec: withHeader(spec, 'Authorization', header.value),
          refused: () => {
            if (this.digests.get(target.origin) === st) this.digests.delete(target.origin)
          },
        })
      }
      default:
        return ok({ spec: applySimpleAuth(spec, auth) })
    }
  }

  // ------------------------------------------------------------- OAuth 2.0

  /** The token a send with `auth` would carry: the cached one while it lasts, else fetched (on the timeline). */
  async oauth2Token(auth: OAuth2Auth): Promise<Result<CachedToken>> {
    return this.oauth2.token(this.oauth2.keyOf(auth), auth)
  }

  /** End the sign-in awaited for `auth`'s token (Cancel), or every one; false when none is awaited. */
  cancelOAuth2SignIn(auth: OAuth2Auth | 'all'): boolean {
    return auth === 'all' ? this.oauth2.cancelSignIns() : this.oauth2.cancelSignIn(this.oauth2.keyOf(auth))
  }

  private async sendOAuth2(
    spec: RequestSpec,
    auth: OAuth2Auth,
    count: number,
    link: SessionLink | undefined,
  ) {
    if (hasHeader(spec, 'Authorization')) return this.http.send(spec, count, link)
    const key = this.oauth2.keyOf(auth)
    const token = await this.oauth2.token(key, auth, this.runSignal)
    if (!token.ok) return token
    const used = token.value
    const sent = this.http.send(withToken(spec, auth, used), count, link)
    if (sent.ok) {
      // A token the server refuses is dropped, so the next send refreshes it or fetches a fresh one.
      for (const sid of sent.value.sids) {
        void this.http.waitFor(sid).then((r) => {
          if (r.final.type === 'done' && r.final.status === 401) this.oauth2.refused(key, used)
        })
      }
    }
    return sent
  }

  // ------------------------------------------------------------- Digest

  private async sendDigest(
    spec: RequestSpec,
    auth: Extract<AuthSpec, { type: 'digest' }>,
    count: number,
    link: SessionLink | undefined,
  ) {
    if (hasHeader(spec, 'Authorization')) return this.http.send(spec, count, link)
    const target = digestTarget(spec.url)
    if (!target) return this.http.send(spec, count, link)
    const { origin, uri } = target
    // The probe is not one of a burst's copies (Send ×N sent copy by copy names each copy's place in it), nor
    // the request whose id was reserved.
    const { batch: _copy, sid: _reserved, ...probeLink } = link ?? {}
    const challenged = await this.challenge(origin, spec, AUTH_EXCHANGE_TIMEOUT_MS, probeLink)
    if (!challenged.ok) return challenged
    const state = challenged.value
    const sids: string[] = []
    for (let i = 0; i < count; i++) {
      const value = this.digestHeader(state, auth, spec, uri)
      if (!value.ok) return value
      const sent = this.http.send(withHeader(spec, 'Authorization', value.value), 1, link)
      if (!sent.ok) return sent
      sids.push(...sent.value.sids)
      // A stale nonce (401 again) is forgotten, so the next send asks for a fresh challenge.
      const st = state
      for (const sid of sent.value.sids) {
        void this.http.waitFor(sid).then((r) => {
          if (r.final.type === 'done' && r.final.status === 401 && this.digests.get(origin) === st)
            this.digests.delete(origin)
        })
      }
    }
    return ok({ sids })
  }

  /** The next Authorization value for a digest challenge (one more nonce count). */
  private digestHeader(
    state: DigestState,
    auth: Extract<AuthSpec, { type: 'digest' }>,
    spec: RequestSpec,
    uri: string,
  ): Result<string> {
    state.nc += 1
    const value = digestAuthorization(state.challenge, {
      username: auth.username,
      password: auth.password,
      method: spec.method.toUpperCase(),
      uri,
      nc: state.nc,
    })
    if (!value) return fail('auth', `Digest: unsupported algorithm ${state.challenge.algorithm}`)
    return ok(value)
  }

  /**
   * The origin's cached digest challenge, or a new one: the request itself is sent without credentials (as curl
   * --digest does) and its 401 shows on the timeline. The probe's outcome is read from its response headers, so
   * a stream that answers 200 (no auth needed) is reported once `timeoutMs` cuts it short.
   */
  private async challenge(
    origin: string,
    spec: RequestSpec,
    timeoutMs: number,
    link?: SessionLink,
  ): Promise<Result<DigestState>> {
    const cached = this.digests.get(origin)
    if (cached) return ok(cached)
    const sent = this.http.send({ ...spec, options: { ...spec.options, totalTimeoutMs: timeoutMs } }, 1, link)
    if (!sent.ok) return fail('auth', `Digest: the challenge request failed: ${sent.error.message}`)
    const sid = sent.value.sids[0]
    if (sid === undefined) return fail('internal', 'The engine returned no session')
    const result = await this.http.waitFor(sid)
    let head: { status: number; headers: [string, string][] } | null = null
    for (const e of result.events) if (e.type === 'response-headers') head = e
    if (!head) {
      const why =
        result.final.type === 'error'
          ? result.final.message
          : result.final.type === 'cancelled'
            ? 'the request was cancelled'
            : 'no response'
      return fail('auth', `Digest: the challenge request failed: ${why}`)
    }
    if (head.status !== 401) {
      return fail('auth', `Digest: expected a 401 challenge from ${origin}, got ${head.status}`)
    }
    const header = head.headers.find(([k, v]) => k.toLowerCase() === 'www-authenticate' && /digest/i.test(v))
    const challenge = header ? parseDigestChallenge(header[1]) : null
    if (!challenge) return fail('auth', 'Digest: the server sent no Digest challenge (WWW-Authenticate)')
    const state: DigestState = { challenge, nc: 0 }
    this.digests.set(origin, state)
    return ok(state)
  }
}
