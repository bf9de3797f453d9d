import { request } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { downloadName } from '../../src/web/body-download'
import { tokenCookieName } from '../../src/web/security'
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

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fd-dl-'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>x</title>')
    await writeFile(join(dir, 'bridge.js'), '')
    service = createEngineService({
      host: 'web',
      memoryBodyLimit: 64 * 1024,
      persistWorkspace: false,
      watchCollections: false,
    })
    host = await startWebHost({
      service,
      rendererDir: dir,
      bridgeFile: join(dir, 'bridge.js'),
      log: () => undefined,
    })
    fixture = await startHttpServer()
  })

  afterAll(async () => {
    await host.close()
    await service.dispose()
    await fixture.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('streams the stored bytes as an attachment, only with the token', async () => {
    const sent = await service.invoke('http.send', {
      request: {
        method: 'GET',
        url: `${fixture.url}/bytes?n=3000000`,
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const done = await service.http.waitFor(sent.value.sids[0] ?? '')
    if (done.final.type !== 'done') throw new Error('request failed')
    const path = `/download/body/${done.final.body.id}?name=${encodeURIComponent('../../etc/data.bin')}`

    const denied = await get(host.port, path, {})
    expect(denied.status).toBe(403)

    const cookie = `${tokenCookieName(host.port)}=${host.token}`
    const res = await get(host.port, path, { cookie })
    expect(res.status).toBe(200)
    expect(res.headers['content-disposition']).toBe('attachment; filename="data.bin"')
    expect(res.body.length).toBe(3_000_000)
    // /bytes sends byte i as i % 256.
    expect(res.body[255]).toBe(255)
    expect(res.body[2_999_999]).toBe(2_999_999 % 256)

    const missing = await get(host.port, '/download/body/nope', { cookie })
    expect(missing.status).toBe(404)
  })

  it('names downloads safely', () => {
    expect(downloadName('a/b\\c.json', 'x')).toBe('c.json')
    expect(downloadName('..', 'x')).toBe('x')
    expect(downloadName('"><script>.txt', 'x')).toBe('_script_.txt')
    expect(downloadName(null, 'b1.body')).toBe('b1.body')
  })
})
