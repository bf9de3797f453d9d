import { request } from 'node:http'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createEngineService } from '../../src/engine/service'
import type { TimelineBatch, WireMessage } from '../../src/shared/contract'
import type { TimelineEvent } from '../../src/shared/timeline'
import { LAUNCH_CODE_TTL_MS, startWebHost, type WebHost } from '../../src/web/server'
import { openBrowser } from '../../src/web/opener'
import { cspHash } from '../../src/web/static-files'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startTempWebHost, type TempWebHost } from './temp-web-host'

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
  let web: TempWebHost
  let dir: string
  let host: WebHost
  let fixture: Fixture
  let origin: string

  beforeAll(async () => {
    web = await startTempWebHost({
      prefix: 'flightdeck-web-',
      files: {
        'renderer/index.html':
          '<!doctype html><html><head><script type="module" crossorigin src="./assets/app.js"></script>' +
          '<link rel="stylesheet" href="./assets/app.css"></head><body></body></html>',
        'renderer/assets/app.js': 'console.log(window.api)',
        'renderer/assets/app.css': 'body{}',
        // In the build's folder but not named by the page (a stale chunk of an earlier build, a source map).
        'renderer/assets/stale.js': 'console.log("old build")',
        'renderer/assets/app.js.map': '{}',
        'secret.txt': 'outside the root',
      },
    })
    dir = web.dir
    host = web.host
    origin = `http://127.0.0.1:${host.port}`
    fixture = await startHttpServer()
  })

  afterAll(async () => {
    await web?.close()
    await fixture?.close()
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

  it('serves the page and its files without a credential (they hold none), and never sets a cookie', async () => {
    const res = await get(host.port, '/')
    expect(res.status).toBe(200)
    expect(res.headers['set-cookie']).toBeUndefined()
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    const bridgeAt = res.body.indexOf('<script data-api-path="/api">/* bridge */</script>')
    expect(bridgeAt).toBeGreaterThan(0)
    expect(bridgeAt).toBeLessThan(res.body.indexOf('type="module"'))
    expect(res.body).not.toContain(host.token)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain(`script-src 'self' ${cspHash('/* bridge */')};`)
    expect(csp).toContain(`ws://127.0.0.1:${host.port}`)
    // The printed URL still works, and still sets no cookie: the page keeps the token itself.
    const printed = await get(host.port, `/?token=${host.token}`)
    expect(printed.status).toBe(200)
    expect(printed.headers['set-cookie']).toBeUndefined()
  })

  it('a wrong token in the URL is refused with a reason, not served as a dead app', async () => {
    const res = await get(host.port, '/?token=wrong')
    expect(res.status).toBe(403)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    expect(res.body).toMatch(/Missing or wrong token/)
  })

  it('static files with their content types, nothing outside the root', async () => {
    const js = await get(host.port, '/assets/app.js')
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect((await get(host.port, '/assets/app.css')).headers['content-type']).toBe('text/css; charset=utf-8')
    // The bridge is inlined into the page, not a file of its own.
    expect((await get(host.port, '/bridge.js')).status).toBe(404)
    // Responses other than the page run no script at all.
    expect(js.headers['content-security-policy']).toContain("script-src 'none';")
    expect((await get(host.port, '/nope.js')).status).toBe(404)
    expect((await get(host.port, '/%2e%2e/secret.txt')).status).toBe(404)
    expect((await get(host.port, '/assets')).status).toBe(404)
    // Only the files the page names, by exact name: nothing else in the folder.
    expect((await get(host.port, '/assets/stale.js')).status).toBe(404)
    expect((await get(host.port, '/assets/app.js.map')).status).toBe(404)
    expect((await get(host.port, '/assets/APP.js')).status).toBe(404)
  })

  it('refuses a DNS-rebinding Host even with the token', async () => {
    const res = await get(host.port, `/?token=${host.token}`, { host: `evil.example:${host.port}` })
    expect(res.status).toBe(403)
    expect(res.body).toMatch(/Host/)
    expect((await get(host.port, '/', { host: `evil.example:${host.port}` })).status).toBe(403)
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
    // The token in the subprotocol list, as the page sends it; the answer names only our protocol.
    const viaProtocol = await upgrade(host.port, '/api', {
      origin,
      'sec-websocket-protocol': `flightdeck, flightdeck.token.${host.token}`,
    })
    expect(viaProtocol.status).toBe(101)
    expect(viaProtocol.headers['sec-websocket-protocol']).toBe('flightdeck')
  })

  it('a cookie is no credential: what any other server on 127.0.0.1 could have seen opens nothing', async () => {
    // Cookies are scoped by host, not port, so a browser sends them to every local server it visits.
    const cookie = `flightdeck_token_${host.port}=${host.token}`
    expect((await upgrade(host.port, '/api', { origin, cookie })).status).toBe(403)
    expect((await get(host.port, '/download/body/b1', { cookie })).status).toBe(403)
  })

  it('the opener gets a launch link, never the token; it opens one socket, which learns the token', async () => {
    const argvFile = join(dir, 'argv.txt')
    const opener = join(dir, 'open.sh')
    await writeFile(
      opener,
      `#!/bin/sh\nfor a in "$0" "$@"; do printf '%s\\n' "$a"; done > '${argvFile}.tmp'\nmv '${argvFile}.tmp' '${argvFile}'\n`,
    )
    await chmod(opener, 0o700)
    const launch = host.launchUrl()
    if (!launch.ok) throw new Error(launch.reason)
    const child = openBrowser(launch.url, { ...process.env, FLIGHTDECK_BROWSER: opener })
    expect(child).not.toBeNull()
    await new Promise<void>((resolve) => child?.once('exit', () => resolve()))
    const argv = (await readFile(argvFile, 'utf8')).split('\n').filter(Boolean)
    expect(argv).toEqual([opener, launch.url])
    expect(argv.join(' ')).not.toContain(host.token)
    const code = new URL(launch.url).searchParams.get('launch') ?? ''
    expect(Buffer.from(code, 'base64url')).toHaveLength(32)

    // The page loads with it (without using it up), then its socket trades it for the token.
    expect((await get(host.port, `/?launch=${code}`)).status).toBe(200)
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, ['flightdeck', `flightdeck.launch.${code}`], {
      origin,
    })
    const first = await new Promise<unknown>((resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data))))
      ws.once('error', reject)
    })
    expect(first).toEqual({ kind: 'session', token: host.token })
    expect(ws.protocol).toBe('flightdeck')
    ws.close()

    // Used: a second socket and the page both refuse it, saying why.
    const again = await upgrade(host.port, '/api', {
      origin,
      'sec-websocket-protocol': `flightdeck, flightdeck.launch.${code}`,
    })
    expect(again.status).toBe(403)
    expect(again.body).toMatch(/launch link was already used or has expired/)
    const page = await get(host.port, `/?launch=${code}`)
    expect(page.status).toBe(403)
    expect(page.body).toMatch(/already used or has expired/)
  })

  it('a real client with token and Origin calls app.info and http.send and receives timeline.batch events', async () => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${host.port}/api`,
      ['flightdeck', `flightdeck.token.${host.token}`],
      {
        origin,
      },
    )
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

describe('browser host: launch links expire', () => {
  it('a launch link unused for a minute is refused, and unused ones cannot pile up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flightdeck-web-launch-'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>x</title>')
    await writeFile(join(dir, 'bridge.js'), '')
    const service = createEngineService({
      host: 'web',
      persistWorkspace: false,
      watchCollections: false,
      configDir: join(dir, 'config'),
    })
    let now = 0
    const host = await startWebHost({
      service,
      rendererDir: dir,
      bridgeFile: join(dir, 'bridge.js'),
      log: () => undefined,
      now: () => now,
    })
    try {
      const launch = host.launchUrl()
      if (!launch.ok) throw new Error(launch.reason)
      const code = new URL(launch.url).searchParams.get('launch') ?? ''
      now += LAUNCH_CODE_TTL_MS
      expect((await get(host.port, `/?launch=${code}`)).status).toBe(403)
      const late = await upgrade(host.port, '/api', {
        origin: `http://127.0.0.1:${host.port}`,
        'sec-websocket-protocol': `flightdeck, flightdeck.launch.${code}`,
      })
      expect(late.status).toBe(403)

      for (let i = 0; i < 8; i++) expect(host.launchUrl().ok).toBe(true)
      expect(host.launchUrl()).toEqual({
        ok: false,
        reason: 'No launch link: 8 are already waiting to be used (each is valid for 60 s)',
      })
    } finally {
      await host.close()
      await service.dispose()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
