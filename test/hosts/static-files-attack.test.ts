import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineService } from '../../src/engine/service'
import { startWebHost, type WebHost } from '../../src/web/server'
import { rawRequest, type RawAnswer } from './raw-http'
import { startTempWebHost, type TempWebHost } from './temp-web-host'

/**
 * The browser host's static files as a hostile or unlucky client asks for them: raw request targets (a client
 * library would normalise them first), other methods, query strings and foreign Hosts. Only the files the page
 * names are ever served, with their type, nosniff and no cross-origin read.
 */

/** One request written as given (method, target, extra headers), on its own connection. */
function raw(port: number, target: string, method = 'GET', extra = ''): Promise<RawAnswer> {
  return rawRequest(
    port,
    `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}Connection: close\r\n\r\n`,
  )
}

const SECRET = 'outside the root'
const CHUNK = 'export const chunk = 1'
/** Names as the build writes them: `[name]-[8 characters of content hash]`. */
const CHUNK_NAME = 'Chunk-aB_c1234.js'
/** Named by the page but carrying no content hash: it may change under the same name. */
const PLAIN = 'export const plain = 1'

describe('browser host static files under attack', () => {
  let web: TempWebHost
  let host: WebHost
  const logged: string[] = []

  beforeAll(async () => {
    web = await startTempWebHost({
      prefix: 'flightdeck-static-attack-',
      files: {
        // As the build writes it: the entry pinned by hash, its lazy chunks pinned in the import map.
        'renderer/index.html':
          '<!doctype html><html><head><script type="importmap">{"integrity":{' +
          `"./assets/${CHUNK_NAME}":"sha256-x","./assets/plain.js":"sha256-y",` +
          '"./assets/Linked-Out45678.js":"sha256-z","./assets/Alias-In345678.js":"sha256-w"}}</script>' +
          '<script type="module" crossorigin src="./assets/index-Q1wErTy8.js"></script>' +
          '<link rel="stylesheet" href="./assets/index-Q1wErTy8.css"></head><body></body></html>',
        'renderer/assets/index-Q1wErTy8.js': `import("./${CHUNK_NAME}")`,
        'renderer/assets/index-Q1wErTy8.css': 'body{}',
        [`renderer/assets/${CHUNK_NAME}`]: CHUNK,
        'renderer/assets/plain.js': PLAIN,
        'secret.txt': SECRET,
        'renderer/secret.txt': SECRET,
      },
      prepare: async (dir) => {
        const assets = join(dir, 'renderer', 'assets')
        await symlink(join(dir, 'secret.txt'), join(assets, 'link.js'))
        // Named by the page: one link out of the renderer folder (refused), one to a file inside it (served).
        await symlink(join(dir, 'secret.txt'), join(assets, 'Linked-Out45678.js'))
        await symlink(CHUNK_NAME, join(assets, 'Alias-In345678.js'))
        await symlink(dir, join(dir, 'renderer', 'up'))
      },
      log: (line) => logged.push(line),
    })
    host = web.host
  })

  afterAll(() => web?.close())

  it('no target reaches a file the page does not name, however it is spelt', async () => {
    const targets = [
      '/assets/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2E%2E%2F%2E%2E%2Fsecret.txt',
      '/%252e%252e/secret.txt',
      '/assets\\..\\..\\secret.txt',
      '/assets%5c..%5c..%5csecret.txt',
      `/assets/${CHUNK_NAME}%00`,
      `/assets/${CHUNK_NAME}%00.png`,
      `/assets/${CHUNK_NAME.toLowerCase()}`,
      `/assets/${CHUNK_NAME.toUpperCase()}`,
      '/assets/link.js',
      '/up/secret.txt',
      '/secret.txt',
      `/${'a'.repeat(4000)}.js`,
      '/%ff%fe.js',
      '/%',
    ]
    for (const target of targets) {
      const r = await raw(host.port, target)
      expect([r.status, r.body.includes(SECRET)], target).toEqual([404, false])
    }
    // A target starting with two slashes is not read as naming a host (a URL parser's `/`, the page).
    const doubled = await raw(host.port, '//secret.txt')
    expect([doubled.status, doubled.body.includes(SECRET)]).toEqual([404, false])
  })

  it('a named file is served under the one spelling the page uses, and no other', async () => {
    // Each of these resolves, after some normalising, to the pinned chunk or the page; none is its name.
    const spellings = [
      `/assets/${CHUNK_NAME}/`,
      `//assets/${CHUNK_NAME}`,
      `/assets//${CHUNK_NAME}`,
      `/./assets/${CHUNK_NAME}`,
      `/assets/./${CHUNK_NAME}`,
      `/assets/../assets/${CHUNK_NAME}`,
      `/assets/%2e/${CHUNK_NAME}`,
      `/assets/%2E%2E/assets/${CHUNK_NAME}`,
      `/assets%2f${CHUNK_NAME}`,
      `/assets%2F${CHUNK_NAME}`,
      `/assets\\${CHUNK_NAME}`,
      `/assets/${CHUNK_NAME.replace('.', '%2e')}`,
      `/assets/${CHUNK_NAME.replace('C', '%43')}`,
      `/assets/${CHUNK_NAME}.`,
      `/assets/${CHUNK_NAME}%20`,
      `/assets/${CHUNK_NAME}#x`,
      `/assets/${CHUNK_NAME}/.`,
      `/assets/${CHUNK_NAME}/..`,
      '/index.html/',
      '//index.html',
      '/./index.html',
      '/INDEX.HTML',
      `/Assets/${CHUNK_NAME}`,
    ]
    for (const target of spellings) {
      const r = await raw(host.port, target)
      expect([r.status, r.body.includes(CHUNK), r.body.includes('<html')], target).toEqual([
        404,
        false,
        false,
      ])
    }
    // The exact name, with or without a query (ignored: it names no file), is the chunk.
    for (const target of [`/assets/${CHUNK_NAME}`, `/assets/${CHUNK_NAME}?v=2`, `/assets/${CHUNK_NAME}?`]) {
      const r = await raw(host.port, target)
      expect([r.status, r.body], target).toEqual([200, CHUNK])
    }
  })

  it('content-hashed files may be kept for good; the page and unhashed names never', async () => {
    for (const name of [CHUNK_NAME, 'index-Q1wErTy8.js', 'index-Q1wErTy8.css']) {
      const r = await raw(host.port, `/assets/${name}`)
      expect([r.status, r.headers['cache-control']], name).toEqual([
        200,
        'public, max-age=31536000, immutable',
      ])
    }
    const plainFile = await raw(host.port, '/assets/plain.js')
    expect([plainFile.status, plainFile.body, plainFile.headers['cache-control']]).toEqual([
      200,
      PLAIN,
      'no-store',
    ])
    for (const target of ['/', '/index.html', `/?token=${host.token}`]) {
      const page = await raw(host.port, target)
      expect([page.status, page.headers['cache-control']], target).toEqual([200, 'no-store'])
    }
    const missing = await raw(host.port, '/assets/Gone-aB_c1234.js')
    expect([missing.status, missing.headers['cache-control']]).toEqual([404, 'no-store'])
  })

  it('a named file that links out of the renderer folder is refused and logged once; a link inside is served', async () => {
    logged.length = 0
    for (let i = 0; i < 3; i++) {
      const r = await raw(host.port, '/assets/Linked-Out45678.js')
      expect([r.status, r.body.includes(SECRET)]).toEqual([404, false])
    }
    const said = logged.filter((l) => l.includes('Linked-Out45678.js'))
    expect(said).toHaveLength(1)
    expect(said[0]).toContain('outside the renderer folder')
    const inside = await raw(host.port, '/assets/Alias-In345678.js')
    expect([inside.status, inside.body]).toEqual([200, CHUNK])
  })

  it('a chunk the import map pins: its type, nosniff, no script run, no cross-origin read', async () => {
    for (const target of [`/assets/${CHUNK_NAME}`, `/assets/${CHUNK_NAME}?x=../../secret.txt`]) {
      const r = await raw(host.port, target, 'GET', 'Origin: https://evil.example\r\n')
      expect(r.status, target).toBe(200)
      expect(r.body).toBe(CHUNK)
      expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8')
      expect(r.headers['x-content-type-options']).toBe('nosniff')
      expect(r.headers['cross-origin-resource-policy']).toBe('same-origin')
      expect(r.headers['content-security-policy']).toContain("script-src 'none'")
      expect(r.headers['access-control-allow-origin']).toBeUndefined()
    }
  })

  it('a foreign Host gets no chunk (DNS rebinding), a wrong token is refused', async () => {
    const rebound = await rawRequest(
      host.port,
      `GET /assets/${CHUNK_NAME} HTTP/1.1\r\nHost: evil.example:${host.port}\r\nConnection: close\r\n\r\n`,
    )
    expect(rebound.status).toBe(403)
    expect(rebound.body).not.toContain(CHUNK)
    const wrong = await raw(host.port, `/assets/${CHUNK_NAME}?token=nope`)
    expect(wrong.status).toBe(403)
    expect(wrong.body).not.toContain(CHUNK)
  })

  it('HEAD answers the headers alone; other methods are refused with Allow', async () => {
    const head = await raw(host.port, `/assets/${CHUNK_NAME}`, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe(String(CHUNK.length))
    expect(head.body).toBe('')
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']) {
      const r = await raw(host.port, `/assets/${CHUNK_NAME}`, method, 'Content-Length: 0\r\n')
      expect([r.status, r.headers.allow], method).toEqual([405, 'GET, HEAD'])
    }
  })

  it('a malformed absolute-form target is a 400, not an internal error', async () => {
    logged.length = 0
    for (const target of [`http://[/assets/${CHUNK_NAME}`, 'http://%/x', '*']) {
      const r = await raw(host.port, target)
      expect([400, 404], `${target}: ${r.status} ${r.body}`).toContain(r.status)
    }
    expect(logged.filter((l) => l.includes('web host error'))).toEqual([])
  })
})

describe('browser host renderer folder reached through links', () => {
  it('a renderer folder that is itself a link is served; an index.html linking out of it is refused and logged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flightdeck-static-links-'))
    const service = createEngineService({ host: 'web', flushEveryMs: 10, configDir: join(dir, 'config') })
    const logged: string[] = []
    const hosts: WebHost[] = []
    try {
      const real = join(dir, 'real-renderer')
      await mkdir(join(real, 'assets'), { recursive: true })
      await writeFile(
        join(real, 'index.html'),
        `<!doctype html><html><head><script type="module" src="./assets/${CHUNK_NAME}"></script></head></html>`,
      )
      await writeFile(join(real, 'assets', CHUNK_NAME), CHUNK)
      await symlink(real, join(dir, 'renderer-link'))
      await writeFile(join(dir, 'bridge.js'), '/* bridge */')
      // As an install that links its build folder elsewhere: everything is inside the folder's real path.
      const linked = await startWebHost({
        service,
        rendererDir: join(dir, 'renderer-link'),
        bridgeFile: join(dir, 'bridge.js'),
        log: (line) => logged.push(line),
      })
      hosts.push(linked)
      expect((await raw(linked.port, '/')).status).toBe(200)
      expect(await raw(linked.port, `/assets/${CHUNK_NAME}`)).toMatchObject({ status: 200, body: CHUNK })

      // A folder whose index.html is a link to a page elsewhere serves neither it nor what it names.
      const hollow = join(dir, 'hollow')
      await mkdir(join(hollow, 'assets'), { recursive: true })
      await symlink(join(real, 'index.html'), join(hollow, 'index.html'))
      await writeFile(join(hollow, 'assets', CHUNK_NAME), CHUNK)
      const out = await startWebHost({
        service,
        rendererDir: hollow,
        bridgeFile: join(dir, 'bridge.js'),
        log: (line) => logged.push(line),
      })
      hosts.push(out)
      for (const target of ['/', '/index.html', `/assets/${CHUNK_NAME}`, '/']) {
        const r = await raw(out.port, target)
        expect([r.status, r.body.includes(CHUNK), r.body.includes('<html')], target).toEqual([
          404,
          false,
          false,
        ])
      }
      const said = logged.filter((l) => l.includes('refused index.html'))
      expect(said).toHaveLength(1)
      expect(said[0]).toContain('outside the renderer folder')
    } finally {
      for (const h of hosts) await h.close()
      await service.dispose()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
