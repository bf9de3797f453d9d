import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { fail, ok, type Result } from '../../shared/result'
import { secondsText } from './oauth2-tokens'

/**
 * The authorization code grant's browser leg, as RFC 8252 asks of a native app: a one-shot HTTP listener on a
 * loopback address receives the redirect carrying `code` and `state`; the `state` must be the one this attempt
 * sent (a redirect someone else forged is refused); PKCE (RFC 7636) binds the code to this attempt's verifier.
 */

export type PkceMethod = 'S256' | 'plain' | 'off'

export interface Pkce {
  verifier: string
  challenge: string
  method: 'S256' | 'plain'
}

/** A fresh verifier (43 characters of base64url, RFC 7636 §4.1) and its challenge. */
export function newPkce(method: 'S256' | 'plain'): Pkce {
  const verifier = randomBytes(32).toString('base64url')
  const challenge =
    method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier
  return { verifier, challenge, method }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

export interface LoopbackTarget {
  /** The address the listener binds. */
  bindHost: '127.0.0.1' | '::1'
  /** 0: a free port, put into the redirect URI once known. */
  port: number
  path: string
  /** The redirect URI for a given bound port. */
  uriFor(port: number): string
}

/**
 * Where the listener goes for a redirect URI: an empty one is `http://127.0.0.1:<free port>/callback`; a loopback
 * one keeps its host, path and port (no port: a free one). Anything else (Postman's oauth.pstmn.io callback, a
 * web app's https page) cannot reach this app, so it is refused with what to use instead.
 */
export function loopbackTarget(redirectUri: string): Result<LoopbackTarget> {
  const raw = redirectUri.trim()
  if (raw === '') {
    return ok({
      bindHost: '127.0.0.1',
      port: 0,
      path: '/callback',
      uriFor: (port) => `http://127.0.0.1:${port}/callback`,
    })
  }
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    return fail('auth', `OAuth 2.0: the redirect URI "${raw}" is not a URL`)
  }
  if (u.protocol !== 'http:' || !LOOPBACK_HOSTS.has(u.hostname)) {
    return fail(
      'auth',
      `OAuth 2.0: the redirect URI ${raw} is not a loopback address, so the sign-in cannot come back to Flightdeck; ` +
        'register and use http://127.0.0.1/callback (any port) with the authorization server, or leave the redirect URI empty',
    )
  }
  const port = u.port === '' ? 0 : Number(u.port)
  const path = u.pathname || '/'
  const host = u.hostname
  return ok({
    bindHost: host === '[::1]' ? '::1' : '127.0.0.1',
    port,
    path,
    uriFor: (p) => `http://${host}:${p}${path}`,
  })
}

export interface LoopbackListener {
  redirectUri: string
  /** The code once the redirect comes, or why it did not; the listener is closed either way. */
  code: Promise<Result<string>>
  close(): void
}

const PAGE_DONE = 'Signed in. You can close this tab and go back to Flightdeck.'

/**
 * Listen for one redirect. `state` is what the authorization request carried. The first request to the redirect
 * path decides: a matching state with a code resolves it, anything else (wrong state, an `error` the server sent,
 * no code) fails loudly; other paths (a browser's favicon) get 404 and do not count. After `timeoutMs` with no
 * answer the attempt fails and the listener closes.
 */
export async function listenForRedirect(
  target: LoopbackTarget,
  state: string,
  timeoutMs: number,
): Promise<Result<LoopbackListener>> {
  const sockets = new Set<Socket>()
  let settle: (r: Result<string>) => void = () => {}
  const code = new Promise<Result<string>>((resolve) => (settle = resolve))
  let done = false
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://loopback')
    if (done || url.pathname !== target.path || req.method !== 'GET') {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
        .end('Not found')
      return
    }
    const answer = (status: number, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(text)
    }
    const got = url.searchParams.get('state') ?? ''
    const error = url.searchParams.get('error')
    const received = url.searchParams.get('code')
    let outcome: Result<string>
    if (!sameText(got, state)) {
      outcome = fail(
        'auth',
        'OAuth 2.0: the sign-in redirect carried the wrong state, so its code was refused (a forged or stale redirect)',
      )
    } else if (error !== null) {
      const desc = url.searchParams.get('error_description')
      outcome = fail(
        'auth',
        `OAuth 2.0: the authorization server refused (${error}${desc ? `: ${desc}` : ''})`,
      )
    } else if (received === null || received === '') {
      outcome = fail('auth', 'OAuth 2.0: the sign-in redirect carried no code')
    } else {
      outcome = ok(received)
    }
    answer(outcome.ok ? 200 : 400, outcome.ok ? PAGE_DONE : `${outcome.error.message}\n`)
    finish(outcome)
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  const finish = (r: Result<string>): void => {
    if (done) return
    done = true
    clearTimeout(timer)
    server.close()
    // The answer is written first; sockets still open after it (a browser's keep-alive) are let go.
    setImmediate(() => {
      for (const s of sockets) s.destroy()
    })
    settle(r)
  }
  const timer = setTimeout(
    () =>
      finish(
        fail(
          'auth',
          `OAuth 2.0: no sign-in came back within ${secondsText(timeoutMs)} s; send again to start over`,
        ),
      ),
    timeoutMs,
  )
  timer.unref?.()
  const bound = await new Promise<Result<number>>((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      resolve(
        fail(
          'auth',
          `OAuth 2.0: cannot listen for the redirect on ${target.bindHost}:${target.port} (${e.code ?? e.message})`,
        ),
      ),
    )
    server.listen(target.port, target.bindHost, () => resolve(ok((server.address() as AddressInfo).port)))
  })
  if (!bound.ok) {
    done = true
    clearTimeout(timer)
    return bound
  }
  return ok({
    redirectUri: target.uriFor(bound.value),
    code,
    close: () => finish(fail('auth', 'OAuth 2.0: the sign-in was cancelled')),
  })
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The URL the person opens to sign in (RFC 6749 §4.1.1, with PKCE's two parameters). */
export function authorizationUrl(
  authUrl: string,
  p: { clientId: string; redirectUri: string; scope: string; state: string; pkce: Pkce | null },
): Result<string> {
  let u: URL
  try {
    u = new URL(authUrl.trim())
  } catch {
    return fail('auth', `OAuth 2.0: the authorization URL "${authUrl}" is not a URL`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return fail('auth', `OAuth 2.0: the authorization URL must be http(s), not ${u.protocol}`)
  const q = u.searchParams
  q.set('response_type', 'code')
  q.set('client_id', p.clientId)
  q.set('redirect_uri', p.redirectUri)
  if (p.scope !== '') q.set('scope', p.scope)
  q.set('state', p.state)
  if (p.pkce) {
    q.set('code_challenge', p.pkce.challenge)
    q.set('code_challenge_method', p.pkce.method)
  }
  return ok(u.href)
}

export function newState(): string {
  return randomBytes(16).toString('base64url')
}
