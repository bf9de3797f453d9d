import type { SendResult } from '../../shared/contract'
import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import type { HttpEngine, SessionLink } from '../http/http-engine'
import { applySimpleAuth, basicCredentials, hasHeader, withHeader } from './apply-auth'
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from './digest'
import { newTraceId } from '../trace/trace-ids'

/**
 * Sends a request with its auth applied. Basic, bearer and API key are headers/params. Digest and OAuth 2.0
 * need exchanges of their own first (the challenge, the token); those go through the same engine, so they show
 * on the timeline like any other request, and their outcome decides what the real request carries.
 */

/** Token and challenge exchanges get this long before the send is given up. */
const AUTH_EXCHANGE_TIMEOUT_MS = 30_000
/** A token this close to expiry is fetched anew rather than used. */
const EXPIRY_SKEW_MS = 10_000
const MAX_TOKEN_BYTES = 1024 * 1024
/** A stream's digest probe: a 401 comes at once; a stream that answers 200 instead is cut short after this. */
const STREAM_PROBE_TIMEOUT_MS = 10_000

/** A link whose trace plan draws a fresh trace per request, fixed to one trace for every request it makes. */
function oneTrace(link: SessionLink | undefined): SessionLink | undefined {
  if (!link?.trace || link.trace.traceId !== undefined) return link
  return { ...link, trace: { ...link.trace, traceId: newTraceId() } }
}

function tokenKey(auth: Extract<AuthSpec, { type: 'oauth2' }>): string {
  return `${auth.tokenUrl}\n${auth.clientId}\n${auth.scope}`
}

/** The origin a digest challenge is cached for, and the request-target the response is computed over. */
function digestTarget(url: string): { origin: string; uri: string } | null {
  try {
    const u = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(url) ? url : `http://${url}`)
    return { origin: u.origin, uri: `${u.pathname}${u.search}` }
  } catch {
    return null
  }
}

interface CachedToken {
  accessToken: string
  tokenType: string
  /** Wall-clock ms; Infinity when the server gave no expires_in. */
  expiresAt: number
}

interface DigestState {
  challenge: DigestChallenge
  nc: number
}

export class AuthRunner {
  private readonly tokens = new Map<string, CachedToken>()
  private readonly inflightTokens = new Map<string, Promise<Result<CachedToken>>>()
  private readonly digests = new Map<string, DigestState>()

  constructor(
    private readonly http: HttpEngine,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Forget cached tokens and challenges (e.g. when the person edits auth settings). */
  clear(): void {
    this.tokens.clear()
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
        const key = tokenKey(auth)
        const token = await this.token(key, auth)
        if (!token.ok) return token
        const used = token.value
        return ok({
          spec: withHeader(spec, 'Authorization', `${used.tokenType} ${used.accessToken}`),
          refused: () => {
            if (this.tokens.get(key) === used) this.tokens.delete(key)
          },
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

  // ------------------------------------------------------------- OAuth 2.0 client credentials

  private async sendOAuth2(
    spec: RequestSpec,
    auth: Extract<AuthSpec, { type: 'oauth2' }>,
    count: number,
    link: SessionLink | undefined,
  ) {
    if (hasHeader(spec, 'Authorization')) return this.http.send(spec, count, link)
    const key = tokenKey(auth)
    const token = await this.token(key, auth)
    if (!token.ok) return token
    const sent = this.http.send(
      withHeader(spec, 'Authorization', `${token.value.tokenType} ${token.value.accessToken}`),
      count,
      link,
    )
    if (sent.ok) {
      // A token the server refuses is dropped, so the next send fetches a fresh one.
      for (const sid of sent.value.sids) {
        void this.http.waitFor(sid).then((r) => {
          if (r.final.type === 'done' && r.final.status === 401 && this.tokens.get(key) === token.value)
            this.tokens.delete(key)
        })
      }
    }
    return sent
  }

  private token(key: string, auth: Extract<AuthSpec, { type: 'oauth2' }>): Promise<Result<CachedToken>> {
    const cached = this.tokens.get(key)
    if (cached && cached.expiresAt - EXPIRY_SKEW_MS > this.now()) return Promise.resolve(ok(cached))
    // Concurrent sends share one token request.
    let pending = this.inflightTokens.get(key)
    if (!pending) {
      pending = this.fetchToken(auth).then((r) => {
        this.inflightTokens.delete(key)
        if (r.ok) this.tokens.set(key, r.value)
        return r
      })
      this.inflightTokens.set(key, pending)
    }
    return pending
  }

  private async fetchToken(auth: Extract<AuthSpec, { type: 'oauth2' }>): Promise<Result<CachedToken>> {
    if (auth.tokenUrl.trim() === '') return fail('auth', 'OAuth 2.0: set the token URL')
    const form = new URLSearchParams({ grant_type: 'client_credentials' })
    if (auth.scope !== '') form.set('scope', auth.scope)
    const headers = [
      { name: 'Content-Type', value: 'application/x-www-form-urlencoded', enabled: true },
      { name: 'Accept', value: 'application/json', enabled: true },
    ]
    if (auth.clientAuth === 'basic') {
      // RFC 6749 §2.3.1: the client id and secret are form-encoded before they go into Basic credentials.
      const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+')
      headers.push({
        name: 'Authorization',
        value: basicCredentials(enc(auth.clientId), enc(auth.clientSecret)),
        enabled: true,
      })
    } else {
      form.set('client_id', auth.clientId)
      form.set('client_secret', auth.clientSecret)
    }
    const res = await this.exchange({
      method: 'POST',
      url: auth.tokenUrl,
      headers,
      body: { kind: 'text', text: form.toString(), contentType: 'application/x-www-form-urlencoded' },
      options: { totalTimeoutMs: AUTH_EXCHANGE_TIMEOUT_MS },
    })
    if (!res.ok) return fail('auth', `OAuth 2.0 token request failed: ${res.error.message}`)
    const { status, body } = res.value
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
      return fail('auth', `OAuth 2.0 token request was refused (${why}${desc})`)
    }
    const expiresIn = Number(obj['expires_in'])
    const type = typeof obj['token_type'] === 'string' ? obj['token_type'] : 'Bearer'
    return ok({
      accessToken: obj['access_token'],
      // RFC 6750 names the scheme "Bearer"; servers often send "bearer".
      tokenType: type.toLowerCase() === 'bearer' ? 'Bearer' : type,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? this.now() + expiresIn * 1000 : Infinity,
    })
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

  /** One exchange whose outcome auth needs: status, headers and (small) body text. */
  private async exchange(
    spec: RequestSpec,
  ): Promise<Result<{ status: number; headers: [string, string][]; body: string }>> {
    const sent = this.http.send(spec, 1)
    if (!sent.ok) return sent
    const sid = sent.value.sids[0]
    if (sid === undefined) return fail('internal', 'The engine returned no session')
    const result = await this.http.waitFor(sid)
    const final = result.final
    if (final.type === 'cancelled') return fail('auth', 'The request was cancelled')
    if (final.type === 'error') return fail(final.code, final.message)
    let headers: [string, string][] = []
    for (const e of result.events) if (e.type === 'response-headers') headers = e.headers
    const size = Math.min(final.body.size, MAX_TOKEN_BYTES)
    let body = ''
    if (size > 0) {
      const read = await this.http.bodies.read(final.body.id, 0, size, 'utf8')
      if (read.ok) body = read.value.data
    }
    return ok({ status: final.status, headers, body })
  }
}
