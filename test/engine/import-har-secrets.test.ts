import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { TreeNode } from '../../src/shared/collection'
import { loadCollection } from '../../src/engine/collections/loader'
import { startWsServer } from '../fixtures/ws-server'
import { fixturePath, savedRequest, sendSaved, useImportTarget } from './import-formats-helpers'

const fixture = fileURLToPath(new URL('../fixtures/samples/writer/chrome-login.har', import.meta.url))

/** What the browser sent that must never be in a file of the collection. */
const RECORDED = [
  'eyJhbGciOiJIUzI1NiJ9.user-ada.sig-111',
  'sess-5f2e91c0aa',
  'csrf-77aa10',
  'hunter2',
  'correct horse 9',
  'tok%2Fabc',
  'tok/abc',
  'YWRtaW46czNjcjN0',
  'key-admin-4411',
]

const target = useImportTarget('fd-har-secrets')

function allText(root: string): string {
  let out = ''
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs)) {
      const p = join(abs, name)
      if (statSync(p).isDirectory()) walk(p)
      else out += `${readFileSync(p, 'utf8')}\n`
    }
  }
  walk(root)
  return out
}

function pathsByUrl(nodes: readonly TreeNode[], out = new Map<string, string>()): Map<string, string> {
  for (const n of nodes) {
    if (n.type === 'folder') pathsByUrl(n.children, out)
    else out.set(`${n.method} ${new URL(n.url.replace(/\{\{[^}]+\}\}/g, 'x')).pathname}`, n.path)
  }
  return out
}

describe('HAR import into a collection: recorded credentials are never plain text in the files', () => {
  it('Authorization, cookies, form and JSON passwords, a query token become secret variables; the requests still send them', async () => {
    const { stub, service, dir } = target
    const text = readFileSync(fixture, 'utf8').replaceAll('__STUB__', stub.url)
    const r = await service.invoke('import.run', { text, format: 'auto', into: dir })
    if (!r.ok) throw new Error(r.error.message)
    const report = r.value.unmapped.join('\n')
    expect(report).toContain('recorded credentials kept as secret variables, not written into the files')
    expect(report).toContain('Authorization header in 2 requests (har_authorization, har_authorization_2)')
    expect(report).toContain('Cookie header in 3 requests (har_cookie)')
    expect(report).toContain('form field password in 1 request (har_password)')
    expect(report).toContain('JSON field password in 1 request (har_password_2)')
    expect(report).toContain('query parameter access_token in 1 request (har_access_token)')
    expect(report).toContain('X-API-Key header in 1 request (har_x_api_key)')

    const files = allText(dir)
    for (const secret of RECORDED) expect(files).not.toContain(secret)
    expect(files).toContain('{{har_cookie}}')

    const { info } = await loadCollection(dir)
    expect(info.problems).toEqual([])
    expect(info.variables.filter((v) => v.name.startsWith('har_')).every((v) => v.secret)).toBe(true)
    const paths = pathsByUrl(info.root.children)

    // What the server receives is what the browser sent.
    const me = await sendSaved(service, stub, dir, paths.get('GET /api/me') ?? '')
    expect(me.headers['authorization']).toBe('Bearer eyJhbGciOiJIUzI1NiJ9.user-ada.sig-111')
    expect(me.headers['cookie']).toBe('session=sess-5f2e91c0aa; csrftoken=csrf-77aa10')
    const login = await sendSaved(service, stub, dir, paths.get('POST /login') ?? '')
    expect(new URLSearchParams(login.body).get('password')).toBe('hunter2!x')
    expect(new URLSearchParams(login.body).get('username')).toBe('ada')
    const session = await sendSaved(service, stub, dir, paths.get('POST /api/session') ?? '')
    expect(JSON.parse(session.body)).toEqual({
      email: 'ada@example.test',
      password: 'correct horse 9',
      remember: true,
    })
    const exp = await sendSaved(service, stub, dir, paths.get('GET /api/export') ?? '')
    expect(exp.url).toBe('/api/export?format=csv&access_token=tok%2Fabc%3D%3D')
    const admin = await sendSaved(service, stub, dir, paths.get('GET /api/admin') ?? '')
    expect(admin.headers['authorization']).toBe('Basic YWRtaW46czNjcjN0')
    expect(admin.headers['x-api-key']).toBe('key-admin-4411')
  })
})

describe('HAR import: a JSON body with a secret field and a field named __proto__', () => {
  it('keeps the __proto__ field where the secret is moved out (the rewritten body dropped it)', async () => {
    const { stub, service, dir } = target
    const har = {
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        entries: [
          {
            startedDateTime: '2026-11-02T09:14:01.120Z',
            time: 1,
            request: {
              method: 'POST',
              url: `${stub.url}/api/profile`,
              httpVersion: 'HTTP/1.1',
              headers: [{ name: 'Content-Type', value: 'application/json' }],
              queryString: [],
              cookies: [],
              headersSize: -1,
              bodySize: -1,
              postData: {
                mimeType: 'application/json',
                text: '{"__proto__":{"role":"admin"},"password":"pw-9"}',
              },
            },
            response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], cookies: [] },
            cache: {},
            timings: { send: 0, wait: 1, receive: 0 },
          },
        ],
      },
    }
    const into = join(dir, 'protos')
    const r = await service.invoke('import.run', { text: JSON.stringify(har), format: 'auto', into })
    if (!r.ok) throw new Error(r.error.message)
    const path = pathsByUrl((await loadCollection(into)).info.root.children).get('POST /api/profile') ?? ''
    expect((await savedRequest(into, path)).body).toEqual({
      kind: 'json',
      text: '{"__proto__":{"role":"admin"},"password":"{{har_password}}"}',
    })
    const sent = await sendSaved(service, stub, into, path)
    expect(sent.body).toBe('{"__proto__":{"role":"admin"},"password":"pw-9"}')
  })
})

describe("HAR import: a browser's WebSocket", () => {
  it('Chrome’s websocket entry is a WebSocket request: a fresh handshake with its headers and subprotocols, the text messages it sent kept', async () => {
    const { service, dir } = target
    const ws = await startWsServer()
    try {
      const text = readFileSync(fixturePath('chrome-websocket.har'), 'utf8').replaceAll('__WS__', ws.url)
      const r = await service.invoke('import.run', { text, format: 'auto', into: dir })
      if (!r.ok) throw new Error(r.error.message)
      expect(r.value.unmapped.join('\n')).toContain(
        'entry 1 (GET /close): a WebSocket: imported as a WebSocket request with the 2 text messages it sent (send them from its stream); not imported: 2 received messages, 1 binary message it sent',
      )
      const files = allText(dir)
      for (const secret of ['board-7f1e2d', 'ws-secret-91']) expect(files).not.toContain(secret)
      const { info } = await loadCollection(dir)
      const path = [...pathsByUrl(info.root.children).values()][0] ?? ''
      const saved = await savedRequest(dir, path)
      expect(saved).toMatchObject({ kind: 'ws', protocols: ['chat.v2', 'chat.v1'] })
      expect(saved.url).toBe(`${ws.url}/close?code=1000&reason=bye&after=0`)
      expect(saved.messages).toEqual([
        { name: 'message 1', text: '{"op":"auth","token":"{{har_token}}"}' },
        { name: 'message 2', text: '{"op":"join","board":7}' },
      ])
      // The recorded Sec-WebSocket-Key would fail the server's check: the handshake is the engine's own.
      const opened = await service.invoke('ws.open', {
        url: saved.url,
        headers: saved.headers,
        protocols: saved.protocols,
        context: { dir, path },
      })
      if (!opened.ok) throw new Error(opened.error.message)
      await service.waitForStream(opened.value.sid)
      const head = ws.upgrades[0]?.headers
      expect(head?.['authorization']).toBe('Bearer board-7f1e2d')
      expect(head?.['sec-websocket-protocol']).toBe('chat.v2,chat.v1')
      expect(head?.['sec-websocket-key']).not.toBe('q3VkZXItYm9hcmQtMDAwMQ==')
    } finally {
      await ws.close()
    }
  })
})

describe('HAR import: a WebSocket opened over HTTP/2', () => {
  it('a CONNECT with Sec-WebSocket-Version and no Upgrade (RFC 8441) is a WebSocket request, not an HTTP CONNECT', async () => {
    const { service, dir } = target
    const ws = await startWsServer()
    try {
      const header = (name: string, value: string) => ({ name, value })
      const har = {
        log: {
          version: '1.2',
          creator: { name: 'Firefox', version: '133.0' },
          entries: [
            {
              startedDateTime: '2026-11-02T09:14:01.120+01:00',
              time: 12,
              request: {
                method: 'CONNECT',
                url: `${ws.url.replace(/^ws:/, 'http:')}/close?code=1000&after=0`,
                httpVersion: 'HTTP/2',
                headers: [
                  header('sec-websocket-version', '13'),
                  header('sec-websocket-protocol', 'chat.v2'),
                  header('sec-websocket-extensions', 'permessage-deflate'),
                  header('x-board', '7'),
                ],
                queryString: [],
                cookies: [],
                headersSize: -1,
                bodySize: 0,
              },
              response: {
                status: 200,
                statusText: 'OK',
                httpVersion: 'HTTP/2',
                headers: [],
                cookies: [],
                content: { size: 0, mimeType: '' },
                redirectURL: '',
                headersSize: -1,
                bodySize: 0,
              },
              cache: {},
              timings: { blocked: 0, dns: 0, connect: 0, ssl: 0, send: 0, wait: 11, receive: 1 },
            },
          ],
        },
      }
      const r = await service.invoke('import.run', { text: JSON.stringify(har), format: 'auto', into: dir })
      if (!r.ok) throw new Error(r.error.message)
      expect(r.value.unmapped).toContain(
        'entry 1 (CONNECT /close): a WebSocket: imported as a WebSocket request',
      )
      const { info } = await loadCollection(dir)
      const path = [...pathsByUrl(info.root.children).values()][0] ?? ''
      const saved = await savedRequest(dir, path)
      expect(saved).toMatchObject({
        kind: 'ws',
        protocols: ['chat.v2'],
        headers: [{ name: 'x-board', value: '7' }],
      })
      const opened = await service.invoke('ws.open', {
        url: saved.url,
        headers: saved.headers,
        protocols: saved.protocols,
        context: { dir, path },
      })
      if (!opened.ok) throw new Error(opened.error.message)
      await service.waitForStream(opened.value.sid)
      expect(ws.upgrades[0]?.headers['sec-websocket-protocol']).toBe('chat.v2')
      expect(ws.upgrades[0]?.headers['x-board']).toBe('7')
    } finally {
      await ws.close()
    }
  })
})

describe('HAR import: a body recorded in base64 (postData.encoding, as proxies write it)', () => {
  it('text goes as its decoded text; binary is written to a file the request sends, byte for byte', async () => {
    const { stub, service, dir } = target
    const text = readFileSync(fixturePath('proxy-base64-bodies.har'), 'utf8').replaceAll('__STUB__', stub.url)
    const seen = new Set<string>()
    // Once as a new collection, then into it (its own folder there: the written file's path starts with it).
    for (const round of [1, 2]) {
      const r = await service.invoke('import.run', { text, format: 'auto', into: dir })
      if (!r.ok) throw new Error(r.error.message)
      const report = r.value.unmapped.join('\n')
      const opened = await service.invoke('collection.open', { dir, create: false })
      if (!opened.ok) throw new Error(opened.error.message)
      const all = new Map<string, string>()
      const walk = (nodes: readonly TreeNode[]): void => {
        for (const n of nodes)
          if (n.type === 'folder') walk(n.children)
          else if (!seen.has(n.path)) all.set(`${n.method} ${new URL(n.url).pathname}`, n.path)
      }
      walk((await loadCollection(dir)).info.root.children)
      for (const path of all.values()) seen.add(path)
      const send = (key: string) => sendSaved(service, stub, dir, all.get(key) ?? `${key} (round ${round})`)
      expect((await send('POST /expenses/search')).body).toBe('currency=EUR&note=caf%C3%A9+bill')
      expect(JSON.parse((await send('PUT /expenses/7')).body)).toEqual({ merchant: 'Café Ruth', total: 18.5 })
      const sync = await send('POST /expenses/sync')
      const bytes = Buffer.from('0896011207726563656970741a03fffe00', 'hex')
      expect(sync.headers['content-type']).toBe('application/x-protobuf')
      expect(sync.headers['content-length']).toBe(String(bytes.length))
      expect(sync.body).toBe(bytes.toString('utf8'))
      // Into the collection, the file lies in the import's own folder, beside its requests.
      const saved = await savedRequest(dir, all.get('POST /expenses/sync') ?? '')
      const folder = round === 1 ? '' : `${(all.get('POST /expenses/sync') ?? '').split('/')[0] ?? ''}/`
      expect(saved.body).toEqual({
        kind: 'file',
        path: `${folder}.har-bodies/entry-3.bin`,
        contentType: 'application/x-protobuf',
      })
      expect(readFileSync(join(dir, saved.body.kind === 'file' ? saved.body.path : '')).equals(bytes)).toBe(
        true,
      )
      // The report names the file where it is, a path a person can open (was `.har-bodies/…` in either round).
      expect(report).toContain(
        `entry 3 (POST /expenses/sync): its body is 17 bytes of binary (base64 in the HAR): written to ${join(dir, folder, '.har-bodies', 'entry-3.bin')}, which the request sends`,
      )
      expect(report).toContain(
        'entry 4 (POST /expenses/notes): its body says it is base64 but is not: kept as the text recorded',
      )
      expect((await send('POST /expenses/notes')).body).toBe('not base64 at all!')
    }
  })
})
