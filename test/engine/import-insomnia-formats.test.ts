import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { loadCollection } from '../../src/engine/collections/loader'
import type { EngineService } from '../../src/engine/service'
import {
  fixtureText,
  importText,
  multipartFields,
  runToEnd,
  savedRequest,
  sendSaved,
  useImportTarget,
  type Stub,
} from './import-formats-helpers'

/**
 * Insomnia in: v4 with response chaining and multipart, v5 YAML. Counts, and what an imported request sends
 * as it arrives at a local stub.
 */

const target = useImportTarget('fd-insomnia')
let stub: Stub
let dir: string
let service: EngineService
beforeEach(() => {
  ;({ stub, dir, service } = target)
  stub.arrived.length = 0
})

async function open(): Promise<void> {
  const r = await service.invoke('collection.open', { dir, create: false })
  if (!r.ok) throw new Error(r.error.message)
}

describe('Insomnia v4: multipart and response chaining', () => {
  it('drops the boundary-less multipart Content-Type, so the parts arrive split by the engine’s boundary', async () => {
    const report = await importText(fixtureText('insomnia-v4-chain.json', stub.url), dir)
    expect(report).toMatchObject({ format: 'insomnia', requests: 4, folders: 2 })
    expect(report.unmapped.join('\n')).toContain(
      'Upload receipt: header "Content-Type: multipart/form-data" dropped',
    )
    const upload = await savedRequest(dir, 'orders/upload-receipt.yaml')
    expect(upload.headers).toEqual([{ name: 'User-Agent', value: 'insomnia/10.3.1', enabled: true }])
    writeFileSync(join(dir, 'receipt.txt'), 'paid 12.50')
    await open()
    const got = await sendSaved(service, stub, dir, 'orders/upload-receipt.yaml')
    expect(got.method).toBe('POST')
    expect(got.url).toBe('/orders/upload')
    expect(String(got.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/)
    // The switched-off part stays off; the file part carries the file.
    expect(multipartFields(got)).toEqual({ order: 'A-17', receipt: 'paid 12.50' })
  })

  it('maps response chaining to an extraction on the source and dependsOn on the user; a run sends the values', async () => {
    const report = await importText(fixtureText('insomnia-v4-chain.json', stub.url), dir)
    const login = await savedRequest(dir, 'auth/log-in.yaml')
    expect(login.extract).toEqual([
      { name: 'log_in_token', from: 'json', path: '$.token' },
      { name: 'log_in_X-Session', from: 'header', header: 'X-Session' },
      { name: 'log_in_id', from: 'json', path: '$.user.id' },
    ])
    const mine = await savedRequest(dir, 'orders/my-orders.yaml')
    expect(mine.url).toBe('{{base}}/orders/{{log_in_id}}?page=1')
    expect(mine.headers).toEqual([
      { name: 'Authorization', value: 'Bearer {{log_in_token}}', enabled: true },
      { name: 'X-Session', value: '{{log_in_X-Session}}', enabled: true },
    ])
    expect(mine.dependsOn).toEqual(['../auth/log-in.yaml'])
    const u = report.unmapped.join('\n')
    expect(u).toContain(
      "Raw chain: Insomnia template tag kept as text ({% response 'raw', 'req_login', '', 'never', 60 %})",
    )
    expect(u).toContain(
      'Log in: read by 1 request through response chaining: extracted here as {{log_in_token}}, {{log_in_X-Session}}, {{log_in_id}}',
    )

    await open()
    const run = await runToEnd(service, dir, 'orders/my-orders.yaml')
    expect(run.finished?.stats.passed).toBe(2)
    const sent = stub.arrived.find((a) => a.url.startsWith('/orders/'))
    expect(stub.arrived[0]?.url).toBe('/login')
    expect(sent?.url).toBe('/orders/7?page=1')
    expect(sent?.headers['authorization']).toBe('Bearer t-42')
    expect(sent?.headers['x-session']).toBe('s-9')
  })

  it('a tag that could not be mapped refuses the send, naming the tag, and nothing arrives', async () => {
    await importText(fixtureText('insomnia-v4-chain.json', stub.url), dir)
    await open()
    const raw = await savedRequest(dir, 'orders/raw-chain.yaml')
    const r = await service.invoke('request.send', {
      request: { method: raw.method, url: raw.url, headers: raw.headers, body: raw.body, options: {} },
      auth: raw.auth,
      context: { dir, path: 'orders/raw-chain.yaml' },
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toContain("{% response 'raw', 'req_login', '', 'never', 60 %}")
    expect(stub.arrived).toEqual([])
  })
})

describe('Insomnia v4: WebSocket payloads', () => {
  it("a WebSocket request's payload (a websocket_payload resource under it) becomes its saved message; the handshake's own headers are left out", async () => {
    // As Insomnia 10/11 writes a WebSocket request and what its message editor holds in a v4 export.
    const text = JSON.stringify({
      _type: 'export',
      __export_format: 4,
      __export_source: 'insomnia.desktop.app:v10.3.1',
      resources: [
        { _id: 'wrk_1', _type: 'workspace', name: 'Chat', scope: 'collection' },
        {
          _id: 'ws-req_1',
          _type: 'websocket_request',
          parentId: 'wrk_1',
          name: 'Room',
          url: 'ws://127.0.0.1:1/room',
          // Copied from a browser's DevTools: the handshake's own headers, which Connect refuses.
          headers: [
            { name: 'Connection', value: 'Upgrade' },
            { name: 'Upgrade', value: 'websocket' },
            { name: 'Sec-WebSocket-Key', value: 'wpvl/9Lq/I1OVCq29ng0aw==' },
            { name: 'sec-websocket-version', value: '13', disabled: true },
            { name: 'Sec-WebSocket-Extensions', value: 'permessage-deflate; client_max_window_bits' },
            { name: 'X-Team', value: 'blue' },
          ],
          authentication: {},
          parameters: [],
          metaSortKey: -1,
        },
        {
          _id: 'ws-payload_1',
          _type: 'websocket_payload',
          parentId: 'ws-req_1',
          name: '',
          description: '',
          value: '{\n  "op": "join",\n  "room": "{{ _.room }}"\n}',
          mode: 'application/json',
          metaSortKey: -1,
          isPrivate: false,
        },
        // A payload whose request is not in the file: nothing to hang it on, and said so.
        {
          _id: 'ws-payload_2',
          _type: 'websocket_payload',
          parentId: 'ws-req_gone',
          name: 'hello',
          value: 'hi',
        },
      ],
    })
    const report = await importText(text, dir)
    expect(report.unmapped).toEqual([
      'Room: WebSocket headers Connection, Upgrade, Sec-WebSocket-Key, sec-websocket-version, Sec-WebSocket-Extensions left out: the handshake writes them itself (a new key for each connection)',
      'websocket_payload "hello": left out (its WebSocket request ws-req_gone is not imported)',
    ])
    expect((await savedRequest(dir, 'room.yaml')).headers).toEqual([
      { name: 'X-Team', value: 'blue', enabled: true },
    ])
    expect((await savedRequest(dir, 'room.yaml')).messages).toEqual([
      { name: 'message 1', text: '{\n  "op": "join",\n  "room": "{{room}}"\n}' },
    ])
  })
})

describe('Insomnia: hostile text', () => {
  it('a 2 MB body of unclosed {% imports in bounded time, kept as written', async () => {
    const body = '{% response '.repeat(180_000)
    const text = JSON.stringify({
      _type: 'export',
      __export_format: 4,
      resources: [
        { _id: 'wrk_1', _type: 'workspace', name: 'W' },
        {
          _id: 'req_1',
          _type: 'request',
          parentId: 'wrk_1',
          name: 'Big',
          method: 'POST',
          url: 'http://127.0.0.1:1/',
          body: { mimeType: 'text/plain', text: body },
        },
      ],
    })
    const t0 = performance.now()
    await importText(text, dir)
    expect(performance.now() - t0).toBeLessThan(5000)
    expect((await savedRequest(dir, 'big.yaml')).body).toEqual({
      kind: 'text',
      text: body,
      contentType: 'text/plain',
    })
  })
})

describe('Insomnia v5 (YAML)', () => {
  it('imports folders, requests, environments, and sends what Insomnia would', async () => {
    const report = await importText(fixtureText('insomnia-v5.yaml', stub.url), dir)
    expect(report).toMatchObject({ format: 'insomnia', requests: 3, folders: 1, environments: 1 })
    const u = report.unmapped.join('\n')
    expect(u).toContain('Books / Upload cover: scripts kept; they run in the script sandbox')
    expect(u).toContain('Content-Type: multipart/form-data" dropped')
    const { info } = await loadCollection(dir)
    expect(info.name).toBe('Library')
    expect(info.root.children.map((c) => c.name)).toEqual(['Search', 'Books'])
    expect(info.environments.map((e) => e.name)).toEqual(['Staging'])
    expect((await savedRequest(dir, 'books/upload-cover.yaml')).scripts?.test).toContain('insomnia.test(')
    const add = await savedRequest(dir, 'books/add-book.yaml')
    expect(add.headers).toEqual([
      { name: 'Content-Type', value: 'application/json', enabled: true },
      { name: 'X-Trace', value: 'off', enabled: false },
    ])

    await open()
    const sentAdd = await sendSaved(service, stub, dir, 'books/add-book.yaml', 'staging')
    expect(sentAdd.method).toBe('POST')
    expect(sentAdd.url).toBe('/books')
    expect(sentAdd.headers['authorization']).toBe('Bearer t-staging')
    expect(sentAdd.headers['x-trace']).toBeUndefined()
    expect(JSON.parse(sentAdd.body)).toEqual({ title: 'Dune', shelf: 'north' })
    const sentSearch = await sendSaved(service, stub, dir, 'search.yaml')
    expect(sentSearch.url).toBe('/search?q=dune')
    const cover = await sendSaved(service, stub, dir, 'books/upload-cover.yaml')
    expect(multipartFields(cover)).toEqual({ book: 'dune', size: 'large' })
  })
})
