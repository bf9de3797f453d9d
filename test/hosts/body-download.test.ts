import { request } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import WebSocket from 'ws'
import { DOWNLOAD_TICKET_TTL_MS, MAX_DOWNLOAD_TICKETS, downloadName } from '../../src/web/body-download'
import type { WireMessage } from '../../src/shared/contract'
import type { Result } from '../../src/shared/result'
import type { WebDownloadTicket } from '../../src/shared/web-host-wire'
import { startWebHost, type WebHost } from '../../src/web/server'
import { startHttpServer, type Fixture } from '../fixtures/servers'

function get(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

describe('browser host: save a response body as a download', () => {
  let dir: string
  let service: EngineService
  let host: WebHost
  let fixture: Fixture
  let now = 0

  /** One host call over the API socket, as the page's bridge makes it. */
  async function call(name: string, payload: unknown): Promise<Result<unknown>> {
    const ws = new WebSocket(
      `ws://127.0.0.1:${host.port}/api`,
      ['flightdeck', `flightdeck.token.${host.token}`],
      {
        origin: `http://127.0.0.1:${host.port}`,
      },
    )
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve())
        ws.once('error', reject)
      })
      const reply = new Promise<Result<unknown>>((resolve) =>
        ws.on('message', (data) => {
          const msg = JSON.parse(String(data)) as WireMessage
          if (msg.kind === 'reply' && msg.id === 1) resolve(msg.result)
        }),
      )
      ws.send(JSON.stringify({ kind: 'call', id: 1, name, payload }))
      return await reply
    } finally {
      ws.close()
    }
  }

  async function ticket(bodyId: string, name?: string): Promise<WebDownloadTicket> {
    const res = await call('web.downloadTicket', name === undefined ? { bodyId } : { bodyId, name })
    if (!res.ok) throw new Error(res.error.message)
    return res.value as WebDownloadTicket
  }

  async function storedBody(bytes: number): Promise<string> {
    const sent = await service.invoke('http.send', {
      request: {
        method: 'GET',
        url: `${fixture.url}/bytes?n=${bytes}`,
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const done = await service.http.waitFor(sent.value.sids[0] ?? '')
    if (done.final.type !== 'done') throw new Error('request failed')
    return done.final.body.id
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fd-dl-'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>x</title>')
    await writeFile(join(dir, 'bridge.js'), '')
    service = createEngineService({
      host: 'web',
      memoryBodyLimit: 64 * 1024,
      persistWorkspace: false,
      watchCollections: false,
      configDir: join(dir, 'config'),
    })
    host = await startWebHost({
      service,
      rendererDir: dir,
      bridgeFile: join(dir, 'bridge.js'),
      log: () => undefined,
      now: () => now,
    })
    fixture = await startHttpServer()
  })

  afterAll(async () => {
    await host.close()
    await service.dispose()
    await fixture.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('streams the stored bytes as an attachment with a single-use ticket asked for over the socket', async () => {
    const bodyId = await storedBody(3_000_000)
    // No ticket, a made-up one, or the old cookie: refused, without saying whether the body exists.
    for (const headers of [{}, { cookie: `flightdeck_token_${host.port}=${host.token}` }]) {
      const denied = await get(host.port, `/download/body/${bodyId}`, headers)
      expect(denied.status).toBe(403)
      expect(denied.body.toString()).toMatch(/press Save in Flightdeck again/)
    }
    expect((await get(host.port, `/download/body/${bodyId}?ticket=made-up`, {})).status).toBe(403)

    const t = await ticket(bodyId, '../../etc/data.bin')
    expect(t.bytes).toBe(3_000_000)
    expect(t.url).toMatch(new RegExp(`^/download/body/${bodyId}\\?ticket=[\\w-]{43}&name=data.bin$`))
    const res = await get(host.port, t.url, {})
    expect(res.status).toBe(200)
    expect(res.headers['content-disposition']).toBe('attachment; filename="data.bin"')
    expect(res.body.length).toBe(3_000_000)
    // /bytes sends byte i as i % 256.
    expect(res.body[255]).toBe(255)
    expect(res.body[2_999_999]).toBe(2_999_999 % 256)

    // Once only.
    expect((await get(host.port, t.url, {})).status).toBe(403)
  })

  it('a ticket is for one body, expires, and no more than a bounded number wait at once', async () => {
    const a = await storedBody(10)
    const b = await storedBody(20)
    const forA = await ticket(a)
    expect((await get(host.port, forA.url.replace(a, b), {})).status).toBe(403)
    // Used up by the wrong attempt too: a guessed body id does not leave the ticket for a second guess.
    expect((await get(host.port, forA.url, {})).status).toBe(403)

    const late = await ticket(a)
    now += DOWNLOAD_TICKET_TTL_MS
    expect((await get(host.port, late.url, {})).status).toBe(403)

    for (let i = 0; i < MAX_DOWNLOAD_TICKETS; i++) await ticket(a)
    const full = await call('web.downloadTicket', { bodyId: a })
    expect(full).toMatchObject({ ok: false, error: { code: 'too_large' } })
    if (!full.ok)
      expect(full.error.message).toMatch(/Too many downloads are waiting to start: 32 are already/)
    now += DOWNLOAD_TICKET_TTL_MS
    expect((await ticket(a)).bytes).toBe(10)
  })

  it('a ticket for a body that is gone, or a bad request, is refused with a reason', async () => {
    expect(await call('web.downloadTicket', { bodyId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect(await call('web.downloadTicket', { bodyId: '../x' })).toMatchObject({
      ok: false,
      error: { code: 'bad_payload' },
    })
    expect(await call('web.downloadTicket', null)).toMatchObject({
      ok: false,
      error: { code: 'bad_payload' },
    })
  })

  it('names downloads safely', () => {
    expect(downloadName('a/b\\c.json', 'x')).toBe('c.json')
    expect(downloadName('..', 'x')).toBe('x')
    expect(downloadName('"><script>.txt', 'x')).toBe('_script_.txt')
    expect(downloadName(null, 'b1.body')).toBe('b1.body')
  })
})
