import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { AuthSpec, RequestContext } from '../../src/shared/collection'
import { startAuthServer, type AuthServer, clientCredentials } from '../fixtures/auth-server'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { makeService } from './helpers'
import { record, settle } from './stream-helpers'

/**
 * Saved SSE and WebSocket requests open as `request.send` sends: `{{variables}}` from the collection's scopes and
 * the environment, the collection's auth inherited, unknown names refused. Checked on what the real fixture
 * servers received.
 */

let sse: SseFixture
let ws: WsFixture
let authServer: AuthServer

beforeAll(async () => {
  sse = await startSseServer()
  ws = await startWsServer()
  authServer = await startAuthServer()
  // A stream that wants Digest (MD5, qop=auth) for alice:s3cret, as the auth fixture's /digest does.
  const nonce = 'n0nce-streams'
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex')
  sse.route('/digest-events', (req, res) => {
    const h = String(req.headers['authorization'] ?? '')
    const p = new Map<string, string>()
    for (const m of h.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g))
      p.set(m[1] ?? '', m[2] ?? m[3] ?? '')
    const ha1 = md5(`alice:flightdeck:s3cret`)
    const ha2 = md5(`${req.method}:${p.get('uri')}`)
    const expected = md5(`${ha1}:${nonce}:${p.get('nc')}:${p.get('cnonce')}:${p.get('qop')}:${ha2}`)
    if (!h.startsWith('Digest ') || p.get('response') !== expected) {
      res.writeHead(401, {
        'www-authenticate': `Digest realm="flightdeck", qop="auth", nonce="${nonce}", algorithm=MD5`,
        'content-type': 'text/plain',
      })
      res.end('unauthorized')
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: welcome\n\n')
  })
})
afterAll(async () => {
  await sse.close()
  await ws.close()
  await authServer.close()
})

describe('saved SSE and WebSocket requests resolve variables and auth', () => {
  let dir: string
  let configDir: string
  let service: EngineService

  const write = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fd-streams-vars-'))
    configDir = mkdtempSync(join(tmpdir(), 'fd-config-'))
    // A collection as a person (or git) leaves it: bearer auth for everything, the servers per environment.
    write(
      'collection.yaml',
      'flightdeck: 1\nname: Streams\nvariables:\n  topic: prices\nauth:\n  type: bearer\n  token: "{{token}}"\n',
    )
    write(
      'environments/local.yaml',
      `name: Local\nvariables:\n  sseBase: ${sse.url}\n  wsBase: ${ws.url}\n  token: tok-local-123\n  proto: chat.v2\n`,
    )
    write(
      'live/prices.yaml',
      'name: Prices\nkind: sse\nmethod: POST\nurl: "{{sseBase}}/events?n=2&close=1"\n' +
        'headers:\n  - name: X-Topic\n    value: "{{topic}}"\nbody:\n  kind: json\n  text: \'{"topic":"{{topic}}","id":"{{$uuid}}"}\'\n',
    )
    write(
      'live/chat.yaml',
      'name: Chat\nkind: ws\nmethod: GET\nurl: "{{wsBase}}/headers"\nprotocols:\n  - "{{proto}}"\n' +
        'messages:\n  - name: hello\n    text: \'{"topic":"{{topic}}"}\'\n',
    )
    service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    expect(opened.value.problems).toEqual([])
  })
  afterEach(async () => {
    await service.dispose()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  })

  async function saved(path: string) {
    const r = await service.invoke('collection.read', { dir, path })
    if (!r.ok) throw new Error(r.error.message)
    return r.value.request
  }

  const ctx = (path: string): RequestContext => ({ dir, path, env: 'local' })

  it('an SSE POST opens on the environment URL with the inherited bearer and a resolved JSON body', async () => {
    const rec = record(service)
    const req = await saved('live/prices.yaml')
    const before = sse.requests.length
    const opened = await service.invoke('sse.open', {
      request: {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: req.body,
        options: req.options,
      },
      stream: { reconnect: false },
      auth: req.auth,
      context: ctx('live/prices.yaml'),
    })
    if (!opened.ok) throw new Error(opened.error.message)
    const outcome = await settle(service, opened.value.sid)
    expect(outcome.final.type).toBe('done')
    const got = sse.requests.slice(before)
    expect(got).toHaveLength(1)
    const hit = got[0]
    expect(hit?.method).toBe('POST')
    expect(hit?.path).toBe('/events?n=2&close=1')
    expect(hit?.headers['authorization']).toBe('Bearer tok-local-123')
    expect(hit?.headers['x-topic']).toBe('prices')
    const body = JSON.parse(hit?.body ?? '{}') as { topic: string; id: string }
    expect(body.topic).toBe('prices')
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/)
    // The timeline shows what was really opened, not the template.
    const queued = rec.of(opened.value.sid).find((e) => e.type === 'queued')
    expect(queued).toMatchObject({ method: 'POST', url: `${sse.url}/events?n=2&close=1` })
    expect(rec.of(opened.value.sid).filter((e) => e.type === 'sse-event')).not.toHaveLength(0)
    rec.stop()
  })

  it('a WebSocket opens with the resolved URL, header auth and subprotocol; a saved message resolves when sent', async () => {
    const rec = record(service)
    const req = await saved('live/chat.yaml')
    const before = ws.upgrades.length
    const opened = await service.invoke('ws.open', {
      url: req.url,
      headers: req.headers,
      protocols: req.protocols,
      options: { reconnect: false },
      auth: req.auth,
      context: ctx('live/chat.yaml'),
    })
    if (!opened.ok) throw new Error(opened.error.message)
    const sid = opened.value.sid
    // /headers answers with the upgrade's headers and the subprotocol it accepted.
    const [msg] = await rec.until(sid, (e) => e.type === 'ws-message' && e.dir === 'in')
    expect(msg).toBeDefined()
    const upgrade = ws.upgrades[before]
    expect(upgrade?.path).toBe('/headers')
    expect(upgrade?.headers['authorization']).toBe('Bearer tok-local-123')
    expect(upgrade?.headers['sec-websocket-protocol']).toBe('chat.v2')
    const read = await service.invoke('stream.read', { sid, from: 0, count: 10 })
    if (!read.ok) throw new Error(read.error.message)
    const first = read.value.entries.find((e) => e.dir === 'in')
    expect(JSON.parse(first?.data ?? '{}')).toMatchObject({ protocol: 'chat.v2' })
    await service.invoke('ws.close', { sid })
    await settle(service, sid)

    // A saved message sent on an /echo session resolves in the request's scope; unknown names are refused.
    const echo = await service.invoke('ws.open', {
      url: '{{wsBase}}/echo',
      headers: [],
      protocols: [],
      options: { reconnect: false },
      auth: { type: 'none' },
      context: ctx('live/chat.yaml'),
    })
    if (!echo.ok) throw new Error(echo.error.message)
    await rec.until(echo.value.sid, (e) => e.type === 'stream-open')
    const text = req.messages[0]?.text ?? ''
    const sent = await service.invoke('ws.send', {
      sid: echo.value.sid,
      kind: 'json',
      data: text,
      resolve: true,
      context: ctx('live/chat.yaml'),
    })
    expect(sent.ok).toBe(true)
    const refused = await service.invoke('ws.send', {
      sid: echo.value.sid,
      kind: 'text',
      data: 'x {{nope}}',
      resolve: true,
      context: ctx('live/chat.yaml'),
    })
    expect(refused.ok).toBe(false)
    if (!refused.ok) expect(refused.error.message).toBe('Unknown variable {{nope}} (environment "local")')
    // Without `resolve`, braces are sent as typed.
    const literal = await service.invoke('ws.send', { sid: echo.value.sid, kind: 'text', data: '{{raw}}' })
    expect(literal.ok).toBe(true)
    await rec.until(echo.value.sid, (e) => e.type === 'ws-message' && e.dir === 'in', 2)
    expect(ws.received.slice(-2)).toEqual(['{"topic":"prices"}', '{{raw}}'])
    await service.invoke('ws.close', { sid: echo.value.sid })
    await settle(service, echo.value.sid)
    rec.stop()
  })

  it('refuses unknown variables before anything is opened, naming them like request.send', async () => {
    const sseBefore = sse.requests.length
    const wsBefore = ws.upgrades.length
    const s = await service.invoke('sse.open', {
      request: {
        method: 'GET',
        url: '{{sseBase}}/events?x={{missing}}',
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
      context: ctx('live/prices.yaml'),
    })
    expect(s).toMatchObject({
      ok: false,
      error: { code: 'unknown_variable', message: 'Unknown variable {{missing}} (environment "local")' },
    })
    const w = await service.invoke('ws.open', {
      url: '{{wsBase}}/echo',
      headers: [{ name: 'X-A', value: '{{other}}', enabled: true }],
      protocols: ['{{proto2}}'],
      context: ctx('live/chat.yaml'),
    })
    expect(w).toMatchObject({
      ok: false,
      error: {
        code: 'unknown_variable',
        message: 'Unknown variables {{other}}, {{proto2}} (environment "local")',
      },
    })
    // Ad hoc (no collection), a template is refused too, rather than opened as literal text.
    const adHoc = await service.invoke('ws.open', { url: '{{wsBase}}/echo', headers: [], protocols: [] })
    expect(adHoc).toMatchObject({
      ok: false,
      error: { message: 'Unknown variable {{wsBase}} (no collection or environment chosen)' },
    })
    expect(sse.requests.length).toBe(sseBefore)
    expect(ws.upgrades.length).toBe(wsBefore)
  })

  it('puts an API key in a WebSocket URL query, and refuses digest for WebSocket with a clear error', async () => {
    const opened = await service.invoke('ws.open', {
      url: '{{wsBase}}/echo?room=1',
      headers: [],
      protocols: [],
      options: { reconnect: false },
      auth: { type: 'apikey', key: 'api_key', value: '{{token}}', in: 'query' },
      context: ctx('live/chat.yaml'),
    })
    if (!opened.ok) throw new Error(opened.error.message)
    const rec = record(service)
    await rec.until(opened.value.sid, (e) => e.type === 'stream-open')
    const upgrade = ws.upgrades.at(-1)
    expect(upgrade?.path).toBe('/echo?room=1&api_key=tok-local-123')
    // The request's own API key replaces the collection's bearer: no Authorization header.
    expect(upgrade?.headers['authorization']).toBeUndefined()
    await service.invoke('ws.close', { sid: opened.value.sid })
    await settle(service, opened.value.sid)
    rec.stop()

    const digest = await service.invoke('ws.open', {
      url: '{{wsBase}}/echo',
      headers: [],
      protocols: [],
      auth: { type: 'digest', username: 'alice', password: 's3cret' },
      context: ctx('live/chat.yaml'),
    })
    expect(digest.ok).toBe(false)
    if (!digest.ok)
      expect(digest.error.message).toMatch(/^Digest auth is not supported for WebSocket sessions/)
  })

  it('SSE takes basic, digest (after a challenge) and OAuth 2.0 client-credentials tokens', async () => {
    const open = (url: string, auth: AuthSpec) =>
      service.invoke('sse.open', {
        request: { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} },
        stream: { reconnect: false },
        auth,
        context: ctx('live/prices.yaml'),
      })
    const last = (): Record<string, string | string[] | undefined> => sse.requests.at(-1)?.headers ?? {}

    const basic = await open('{{sseBase}}/events?n=1&close=1', {
      type: 'basic',
      username: 'alice',
      password: '{{token}}',
    })
    if (!basic.ok) throw new Error(basic.error.message)
    await settle(service, basic.value.sid)
    expect(last()['authorization']).toBe(`Basic ${Buffer.from('alice:tok-local-123').toString('base64')}`)

    const digest = await open('{{sseBase}}/digest-events', {
      type: 'digest',
      username: 'alice',
      password: 's3cret',
    })
    if (!digest.ok) throw new Error(digest.error.message)
    const outcome = await settle(service, digest.value.sid)
    expect(outcome.final).toMatchObject({ type: 'done', status: 200 })
    expect(String(last()['authorization'])).toMatch(/^Digest username="alice"/)

    const oauth: AuthSpec = clientCredentials(authServer, '')
    const o1 = await open('{{sseBase}}/events?n=1&close=1', oauth)
    if (!o1.ok) throw new Error(o1.error.message)
    await settle(service, o1.value.sid)
    const token = authServer.issued[0]
    expect(token).toBeDefined()
    expect(last()['authorization']).toBe(`Bearer ${token}`)
    // The token is cached: a second open asks the token endpoint nothing.
    const o2 = await open('{{sseBase}}/events?n=1&close=1', oauth)
    if (!o2.ok) throw new Error(o2.error.message)
    await settle(service, o2.value.sid)
    expect(authServer.issued).toHaveLength(1)
    expect(last()['authorization']).toBe(`Bearer ${token}`)
  })
})
