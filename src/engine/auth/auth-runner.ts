import type { SendResult } from '../../shared/contract'
import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import type { HttpEngine } from '../http/http-engine'
import { applySimpleAuth, basicCredentials, hasHeader, withHeader } from './apply-auth'
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from './digest'

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

  async send(spec: RequestSpec, auth: AuthSpec, count: number): Promise<Result<SendResult>> {
    switch (auth.type) {
      case 'digest':
        return this.sendDigest(spec, auth, count)
      case 'oauth2':
        return this.sendOAuth2(spec, auth, count)
      default:
        return this.http.send(applySimpleAuth(spec, auth), count)
    }
  }

  // ------------------------------------------------------------- OAuth 2.0 client credentials

  private async sendOAuth2(spec: RequestSpec, auth: Extract<AuthSpec, { type: 'oauth2' }>, count: number) {
    if (hasHeader(spec, 'Authorization')) return this.http.send(spec, count)
    const key = `${auth.tokenUrl}\n${auth.clientId}\n${auth.scope}`
    const token = await this.token(key, auth)
    if (!token.ok) return token
    const sent = this.http.send(
      withHeader(spec, 'Authorization', `${token.value.tokenType} ${token.value.accessToken}`),
      count,
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

  private async sendDigest(spec: RequestSpec, auth: Extract<AuthSpec, { type: 'digest' }>, count: number) {
    if (hasHeader(spec, 'Authorization')) return this.http.send(spec, count)
    let origin: string
    let uri: string
    try {
      const u = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(spec.url) ? spec.url : `http://${spec.url}`)
      origin = u.origin
      uri = `${u.pathname}${u.search}`
    } catch {
      return this.http.send(spec, count)
    }
    let state = this.digests.get(origin)
    if (!state) {
      // No challenge yet: ask for one with the request itself (as curl --digest does); the 401 shows on the timeline.
      const probe = await this.exchange({
        ...spec,
        options: { ...spec.options, totalTimeoutMs: AUTH_EXCHANGE_TIMEOUT_MS },
      })
      if (!probe.ok) return fail('auth', `Digest: the challenge request failed: ${probe.error.message}`)
      if (probe.value.status !== 401) {
        return fail('auth', `Digest: expected a 401 challenge from ${origin}, got ${probe.value.status}`)
      }
      const header = probe.value.headers.find(
        ([k, v]) => k.toLowerCase() === 'www-authenticate' && /digest/i.test(v),
      )
      const challenge = header ? parseDigestChallenge(header[1]) : null
      if (!challenge) return fail('auth', 'Digest: the server sent no Digest challenge (WWW-Authenticate)')
      state = { challenge, nc: 0 }
      this.digests.set(origin, state)
    }
    const sids: string[] = []
    for (let i = 0; i < count; i++) {
      state.nc += 1
      const value = digestAuthorization(state.challenge, {
        username: auth.username,
        password: auth.password,
        method: spec.method.toUpperCase(),
        uri,
        nc: state.nc,
      })
      if (!value) return fail('auth', `Digest: unsupported algorithm ${state.challenge.algorithm}`)
      const sent = this.http.send(withHeader(spec, 'Authorization', value), 1)
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
