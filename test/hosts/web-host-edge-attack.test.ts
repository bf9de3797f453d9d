import { connect } from 'node:net'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { startWebHost, type WebHost } from '../../src/web/server'

/**
 * The browser host at the edges static-files-attack does not reach: requests the HTTP parser refuses (too large,
 * malformed), a content-hashed file asked for with the token in its query, and requests that offer to switch
 * protocols (curl --http2 on an http:// URL offers h2c).
 */

interface Raw {
  status: number
  headers: Record<string, string>
  body: string
}

/** One request written byte for byte, on its own connection; the first response on it. */
function raw(port: number, text: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let data = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer within 5 s; got ${JSON.stringify(data.slice(0, 200))}`))
    }, 5000)
    socket.setEncoding('latin1')
    socket.on('data', (c: string) => (data += c))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      const split = data.indexOf('\r\n\r\n')
      const [statusLine = '', ...lines] = data.slice(0, split).split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: data.slice(split + 4) })
    })
    socket.write(text, 'latin1')
  })
}

const ENTRY = 'index-Q1wErTy8.js'
const ENTRY_TEXT = 'export const entry = 1'

describe('browser host edges', () => {
  let dir: string
  let service: EngineService
  let host: WebHost
  const logged: string[] = []
  const get = (target: string, extra = ''): Promise<Raw> =>
    raw(
      host.port,
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${extra}Connection: close\r\n\r\n`,
    )

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flightdeck-web-edge-'))
    await mkdir(join(dir, 'renderer', 'assets'), { recursive: true })
    await writeFile(
      join(dir, 'renderer', 'index.html'),
      `<!doctype html><html><head><script type="module" src="./assets/${ENTRY}"></script></head><body></body></html>`,
    )
    await writeFile(join(dir, 'renderer', 'assets', ENTRY), ENTRY_TEXT)
    await writeFile(join(dir, 'bridge.js'), '/* bridge */')
    service = createEngineService({ host: 'web', flushEveryMs: 10, configDir: join(dir, 'config') })
    host = await startWebHost({
      service,
      rendererDir: join(dir, 'renderer'),
      bridgeFile: join(dir, 'bridge.js'),
      log: (line) => logged.push(line),
    })
  })

  afterAll(async () => {
    await host.close()
    await service.dispose()
    await rm(dir, { recursive: true, force: true })
  })

  it('a target or headers past the parser limit are a 431 that says so, never stored', async () => {
    for (const r of [
      await get(`/${'a'.repeat(20_000)}`),
      await get('/', `X-Big: ${'b'.repeat(20_000)}\r\n`),
    ]) {
      expect(r.status).toBe(431)
      expect(r.body).toMatch(/larger than this host reads \(\d+ KB\)/)
      expect(r.headers['cache-control']).toBe('no-store')
    }
  })

  it('a request the parser cannot read is a 400 that says so', async () => {
    const folded = await get('/', 'X-A: a\r\n b\r\n')
    expect(folded.status).toBe(400)
    expect(folded.body).toMatch(/^Malformed HTTP request \(HPE_[A-Z_]+\)\.\n$/)
    expect(folded.headers['cache-control']).toBe('no-store')
  })

  it('a content-hashed file asked for with a query (the token in it) is never stored', async () => {
    const bare = await get(`/assets/${ENTRY}`)
    expect([bare.status, bare.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable'])
    for (const query of [`?token=${host.token}`, '?', '?v=1']) {
      const r = await get(`/assets/${ENTRY}${query}`)
      expect([r.status, r.body, r.headers['cache-control']], query).toEqual([200, ENTRY_TEXT, 'no-store'])
    }
  })

  it('a request offering another protocol (h2c) is answered as a plain one: the page, its files, a 404', async () => {
    const h2c =
      'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n'
    const page = await raw(host.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${h2c}\r\n`)
    expect([page.status, page.headers['cache-control']]).toEqual([200, 'no-store'])
    expect(page.body).toContain('/* bridge */')
    const file = await raw(
      host.port,
      `GET /assets/${ENTRY} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${h2c}\r\n`,
    )
    expect([file.status, file.body]).toEqual([200, ENTRY_TEXT])
    const head = await raw(host.port, `HEAD / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${h2c}\r\n`)
    expect([head.status, head.body]).toEqual([200, ''])
    const missing = await raw(host.port, `GET /nope HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${h2c}\r\n`)
    expect([missing.status, missing.body]).toEqual([404, 'Not found.\n'])
    // The Host rule still holds on this path.
    const foreign = await raw(host.port, `GET / HTTP/1.1\r\nHost: evil.example\r\n${h2c}\r\n`)
    expect(foreign.status).toBe(403)
    expect(logged.filter((l) => l.includes('web host error'))).toEqual([])
  })
})
