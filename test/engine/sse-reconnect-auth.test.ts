import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { AuthSpec } from '../../src/shared/collection'
import { startAuthServer, type AuthServer, clientCredentials } from '../fixtures/auth-server'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { makeService } from './helpers'
import { readLog, record, settle } from './stream-helpers'

/**
 * An SSE session that reconnects authorizes each connection as it did the first: an OAuth 2.0 token from the
 * engine's cache, fetched anew once it is about to expire; a digest response with the next nonce count (or a
 * fresh challenge once the cached one was refused). Checked on what the real fixture servers received.
 */

const md5 = (s: string): string => createHash('md5').update(s).digest('hex')

function digestParams(header: string): Map<string, string> {
  const p = new Map<string, string>()
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g))
    p.set(m[1] ?? '', m[2] ?? m[3] ?? '')
  return p
}

let sse: SseFixture
let authServer: AuthServer
/** The digest nonces the stream below handed out, and the highest nonce count seen with each. */
const nonces = new Map<string, number>()

beforeAll(async () => {
  sse = await startSseServer()
  authServer = await startAuthServer()
  // A stream that takes only the newest token the auth server issued (as an API that rotates them), sends
  // one event and ends, so the session reconnects; its third connection is answered 204 (stop).
  sse.route('/rotating', (req, res) => {
    if (req.index >= 2) {
      res.writeHead(204).end()
      return
    }
    if (req.headers['authorization'] !== `Bearer ${authServer.issued.at(-1)}`) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(`id: ${req.index}\ndata: hello ${req.index}\n\n`)
  })
  // A stream whose server revokes the token after the first connection: the reconnect is refused (401).
  sse.route('/revoking', (req, res) => {
    if (req.index >= 1) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: once\n\n')
  })
  // A stream behind Digest (MD5, qop=auth, alice:s3cret) that refuses a nonce count it has already seen with
  // a nonce (a replay), as servers that check `nc` do; otherwise as above.
  sse.route('/digest-rotating', (req, res) => {
    const h = String(req.headers['authorization'] ?? '')
    const p = digestParams(h)
    const nonce = p.get('nonce') ?? ''
    const nc = parseInt(p.get('nc') ?? '0', 16)
    const ha1 = md5('alice:flightdeck:s3cret')
    const ha2 = md5(`${req.method}:${p.get('uri')}`)
    const expected = md5(`${ha1}:${nonce}:${p.get('nc')}:${p.get('cnonce')}:${p.get('qop')}:${ha2}`)
    const seen = nonces.get(nonce)
    if (!h.startsWith('Digest ') || seen === undefined || p.get('response') !== expected || nc <= seen) {
      const fresh = randomBytes(8).toString('hex')
      nonces.set(fresh, 0)
      res.writeHead(401, {
        'www-authenticate': `Digest realm="flightdeck", qop="auth", nonce="${fresh}", algorithm=MD5`,
        'content-type': 'text/plain',
      })
      res.end('unauthorized')
      return
    }
    nonces.set(nonce, nc)
    if (req.index >= 4) {
      res.writeHead(204).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(`data: nc ${nc}\n\n`)
  })
})
afterAll(async () => {
  await sse.close()
  await authServer.close()
})

describe('SSE reconnects authorize each connection anew', () => {
  let service: EngineService
  let configDir: string
  beforeEach(() => {
    configDir = mkdtempSync(join(tmpdir(), 'fd-config-'))
    service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
  })
  afterEach(async () => {
    await service.dispose()
    rmSync(configDir, { recursive: true, force: true })
  })

  const open = (path: string, auth: AuthSpec) =>
    service.invoke('sse.open', {
      request: { method: 'GET', url: `${sse.url}${path}`, headers: [], body: { kind: 'none' }, options: {} },
      stream: { reconnect: true, retryMs: 20, maxRetries: 2 },
      auth,
    })

  it('an OAuth 2.0 token that is about to expire is fetched anew for the reconnect', async () => {
    // Tokens living 5 s are within the engine's expiry margin (10 s): each use asks for a fresh one.
    authServer.ttl = 5
    const before = sse.requests.length
    const rec = record(service)
    const opened = await open('/rotating', clientCredentials(authServer, 'stream'))
    if (!opened.ok) throw new Error(opened.error.message)
    const { sid } = opened.value
    const outcome = await settle(service, sid)
    expect(outcome.final).toMatchObject({ type: 'done', status: 200 })
    const hits = sse.requests.slice(before)
    expect(hits.map((h) => h.headers['authorization'])).toEqual([
      'Bearer tok-1-stream',
      'Bearer tok-2-stream',
      'Bearer tok-3-stream',
    ])
    // Both connections delivered their event; the reconnect carried the last event id as before.
    expect((await readLog(service, sid)).map((e) => e.data)).toEqual(['hello 0', 'hello 1'])
    expect(hits[1]?.headers['last-event-id']).toBe('0')
    expect(rec.of(sid).filter((e) => e.type === 'retry')).toHaveLength(2)
    rec.stop()
    authServer.ttl = 3600
  })

  it('a token refused on a reconnect is forgotten: the next session fetches a new one', async () => {
    const oauth: AuthSpec = clientCredentials(authServer, 'revoked')
    const before = sse.requests.length
    const first = await open('/revoking', oauth)
    if (!first.ok) throw new Error(first.error.message)
    // The reconnect is refused: the session fails there, as EventSource does on a 401.
    const { final } = await settle(service, first.value.sid)
    expect(final).toMatchObject({ type: 'error', code: 'protocol' })
    expect(final.type === 'error' && final.message).toMatch(/^The server answered 401 Unauthorized/)
    const issued = authServer.issued.length
    const again = await open('/revoking', oauth)
    if (!again.ok) throw new Error(again.error.message)
    await settle(service, again.value.sid)
    expect(authServer.issued.length).toBe(issued + 1)
    const sent = sse.requests.slice(before).map((h) => h.headers['authorization'])
    expect(sent).toEqual([sent[0], sent[0], `Bearer ${authServer.issued.at(-1)}`])
    expect(sent[0]).not.toBe(sent[2])
  })

  it('a digest reconnect answers the cached challenge with the next nonce count', async () => {
    const before = sse.requests.length
    const opened = await open('/digest-rotating', { type: 'digest', username: 'alice', password: 's3cret' })
    if (!opened.ok) throw new Error(opened.error.message)
    const { sid } = opened.value
    const outcome = await settle(service, sid)
    expect(outcome.final).toMatchObject({ type: 'done', status: 200 })
    // The challenge probe (no credentials, 401), then each connection with nc 1, 2, 3 on the same nonce.
    const hits = sse.requests.slice(before).map((h) => digestParams(String(h.headers['authorization'] ?? '')))
    expect(hits.map((p) => p.get('nc') ?? null)).toEqual([
      null,
      '00000001',
      '00000002',
      '00000003',
      '00000004',
    ])
    expect(new Set(hits.slice(1).map((p) => p.get('nonce'))).size).toBe(1)
    expect((await readLog(service, sid)).map((e) => e.data)).toEqual(['nc 1', 'nc 2', 'nc 3'])
  })
})
