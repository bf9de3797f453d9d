import { request } from 'node:http'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createEngineService, type EngineService } from '../../src/engine/service'
import type { TimelineBatch, WireMessage } from '../../src/shared/contract'
import type { TimelineEvent } from '../../src/shared/timeline'
import { startWebHost, type WebHost } from '../../src/web/server'
import { tokenCookieName } from '../../src/web/security'
import { cspHash } from '../../src/web/static-files'
import { startHttpServer, type Fixture } from '../fixtures/servers'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A raw WebSocket handshake, so a refusal's status and reason can be read. */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
        ...headers,
      },
    })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' })
    })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

describe('browser host', () => {
  let dir: string
  let service: EngineService
  let host: WebHost
  let fixture: Fixture
  let origin: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flightdeck-web-'))
    await mkdir(join(dir, 'renderer', 'assets'), { recursive: true })
    await writeFile(
      join(dir, 'renderer', 'index.html'),
      '<!doctype html><html><head><script type="module" crossorigin src="./assets/app.js"></script></head><body></body></html>',
    )
    await writeFile(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(window.api)')
    await writeFile(join(dir, 'renderer', 'assets', 'app.css'), 'body{}')
    await writeFile(join(dir, 'secret.txt'), 'outside the root')
    await writeFile(join(dir, 'bridge.js'), '/* bridge */')
    service = createEngineService({ host: 'web', flushEveryMs: 10 })
    host = await startWebHost({
      service,
      rendererDir: join(dir, 'renderer'),
      bridgeFile: join(dir, 'bridge.js'),
      log: () => undefined,
    })
    origin = `http://127.0.0.1:${host.port}`
    fixture = await startHttpServer()
  })

  afterAll(async () => {
    await host.close()
    await service.dispose()
    await fixture.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('prints a full URL with a 256-bit token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`)
    expect(Buffer.from(host.token, 'base64url')).toHaveLength(32)
  })

  it('listens on 127.0.0.1 only', async () => {
    expect(await canConnect('127.0.0.1', host.port)).toBe(true)
    // Another loopback address and every non-loopback interface must not reach it.
    expect(await canConnect('127.0.0.2', host.port)).toBe(false)
    expect(await canConnect('::1', host.port)).toBe(false)
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
    for (const a of external) if (a) expect(await canConnect(a.address, host.port)).toBe(false)
  })

  it('without the token: 403 with a plain reason', async () => {
    const res = await get(host.port, '/')
    expect(res.status).toBe(403)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    expect(res.body).toMatch(/token/)
    expect((await get(host.port, '/assets/app.js')).status).toBe(403)
    expect((await get(host.port, '/?token=wrong')).status).toBe(403)
  })

  it('with the token: the app, the bridge before the module script, a cookie and security headers', async () => {
    const res = await get(host.port, `/?token=${host.token}`)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    const bridgeAt = res.body.indexOf('<script data-api-path="/api">/* bridge */</script>')
    expect(bridgeAt).toBeGreaterThan(0)
    expect(bridgeAt).toBeLessThan(res.body.indexOf('type="module"'))
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain(`script-src 'self' ${cspHash('/* bridge */')};`)
    expect(csp).toContain(`ws://127.0.0.1:${host.port}`)
    const setCookie = String(res.headers['set-cookie'])
    expect(setCookie).toContain(`${tokenCookieName(host.port)}=${host.token}`)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
  })

  it('with the cookie: static files with their content types, nothing outside the root', async () => {
    const cookie = `${tokenCookieName(host.port)}=${host.token}`
    const js = await get(host.port, '/assets/app.js', { cookie })
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect((await get(host.port, '/assets/app.css', { cookie })).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    )
    // The bridge is inlined into the page, not a file of its own.
    expect((await get(host.port, '/bridge.js', { cookie })).status).toBe(404)
    // Responses other than the page run no script at all.
    expect(js.headers['content-security-policy']).toContain("script-src 'none';")
    expect((await get(host.port, '/', { cookie })).status).toBe(200)
    expect((await get(host.port, '/nope.js', { cookie })).status).toBe(404)
    expect((await get(host.port, '/%2e%2e/secret.txt', { cookie })).status).toBe(404)
    expect((await get(host.port, '/assets', { cookie })).status).toBe(404)
  })

  it('refuses a DNS-rebinding Host even with the token', async () => {
    const res = await get(host.port, `/?token=${host.token}`, { host: `evil.example:${host.port}` })
    expect(res.status).toBe(403)
    expect(res.body).toMatch(/Host/)
  })

  it('refuses WebSocket upgrades without token, with a foreign Origin or a foreign Host', async () => {
    const path = `/api?token=${host.token}`
    const noToken = await upgrade(host.port, '/api', { origin })
    expect(noToken.status).toBe(403)
    expect(noToken.body).toMatch(/token/)
    const foreignOrigin = await upgrade(host.port, path, { origin: 'https://evil.example' })
    expect(foreignOrigin.status).toBe(403)
    expect(foreignOrigin.body).toMatch(/Origin/)
    const noOrigin = await upgrade(host.port, path, {})
    expect(noOrigin.status).toBe(403)
    const foreignHost = await upgrade(host.port, path, { origin, host: `attacker.example:${host.port}` })
    expect(foreignHost.status).toBe(403)
    expect(foreignHost.body).toMatch(/Host/)
    expect((await upgrade(host.port, `/elsewhere?token=${host.token}`, { origin })).status).toBe(404)
    // The cookie alone is enough, as the bridge relies on after a reload.
    const viaCookie = await upgrade(host.port, '/api', {
      origin,
      cookie: `${tokenCookieName(host.port)}=${host.token}`,
    })
    expect(viaCookie.status).toBe(101)
  })

  it('a real client with token and Origin calls app.info and http.send and receives timeline.batch events', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin })
    const replies = new Map<number, WireMessage & { kind: 'reply' }>()
    const events: TimelineEvent[] = []
    const waiters: (() => void)[] = []
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as WireMessage
      if (msg.kind === 'reply') replies.set(msg.id, msg)
      if (msg.kind === 'event' && msg.name === 'timeline.batch')
        events.push(...(msg.payload as TimelineBatch).events)
      for (const w of waiters.splice(0)) w()
    })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    const until = async (cond: () => boolean): Promise<void> => {
      const deadline = Date.now() + 5000
      while (!cond()) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the host')
        await new Promise<void>((r) => waiters.push(r))
      }
    }
    const call = (id: number, name: string, payload: unknown): void =>
      ws.send(JSON.stringify({ kind: 'call', id, name, payload }))

    call(1, 'app.info', {})
    await until(() => replies.has(1))
    expect(replies.get(1)?.result).toMatchObject({ ok: true, value: { host: 'web' } })

    call(2, 'http.send', {
      request: {
        method: 'GET',
        url: `${fixture.url}/hello`,
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
    })
    await until(() => replies.has(2))
    const sent = replies.get(2)?.result
    expect(sent?.ok).toBe(true)
    const sid = sent?.ok ? (sent.value as { sids: string[] }).sids[0] : undefined
    expect(sid).toBeTruthy()
    await until(() => events.some((e) => e.sid === sid && e.type === 'done'))
    const types = events.filter((e) => e.sid === sid).map((e) => e.type)
    expect(types[0]).toBe('queued')
    expect(types).toContain('response-headers')

    // Bad frames: a known id gets a bad_payload reply, an unknown command is answered as such.
    call(3, 'fs.readFile', {})
    ws.send(JSON.stringify({ kind: 'reply', id: 4, result: null }))
    call(5, 'http.send', { request: 'nope' })
    await until(() => replies.has(3) && replies.has(4) && replies.has(5))
    expect(replies.get(3)?.result).toMatchObject({ ok: false, error: { code: 'unknown_command' } })
    expect(replies.get(4)?.result).toMatchObject({ ok: false, error: { code: 'bad_payload' } })
    expect(replies.get(5)?.result).toMatchObject({ ok: false, error: { code: 'bad_payload' } })

    // Not JSON at all: nothing to reply to, so the connection is closed as a policy violation.
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send('not json')
    expect(await closed).toBe(1008)
  })
})
