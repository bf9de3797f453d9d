import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dump, load } from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { startWsServer } from '../fixtures/ws-server'
import {
  fixturePath,
  multipartFields,
  runToEnd,
  savedRequest,
  useImportTarget,
  type Arrived,
} from './import-formats-helpers'

/**
 * Export to Insomnia v5 and to Bruno, so people can leave as easily as they come: a collection (the Bruno
 * fixture, imported) is exported, the export imported again, and a run of each sends the same requests to a
 * local stub (method, path and query, the headers that carry meaning, body or multipart parts).
 */

const target = useImportTarget('fd-export')

/** The Bruno fixture, pointed at the stub, imported into a collection `name`. */
async function source(name: string): Promise<string> {
  const src = join(target.dir, 'bruno-src')
  cpSync(fixturePath('bruno'), src, { recursive: true })
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      if (statSync(p).isDirectory()) walk(p)
      else writeFileSync(p, readFileSync(p, 'utf8').replaceAll('__STUB__', target.stub.url))
    }
  }
  walk(src)
  const dir = await importInto({ file: src }, name)
  // The import points @file(receipt.txt) at the Bruno folder's copy; the collection keeps its own, as one
  // made in Flightdeck would, so the exports carry a path inside the collection.
  const upload = join(dir, 'orders', 'upload-receipt.yaml')
  writeFileSync(upload, readFileSync(upload, 'utf8').replaceAll('../bruno-src/receipt.txt', 'receipt.txt'))
  return dir
}

async function importInto(from: { file?: string; text?: string }, name: string): Promise<string> {
  const dir = join(target.dir, name)
  const r = await target.service.invoke('import.run', { format: 'auto', ...from, into: dir })
  if (!r.ok) throw new Error(r.error.message)
  writeFileSync(join(dir, 'receipt.txt'), 'paid 12.50')
  // A Bruno folder's requests read their files from it (the import points them there): allowed, with its copy.
  if (from.file !== undefined) {
    writeFileSync(join(from.file, 'receipt.txt'), 'paid 12.50')
    const allowed = await target.service.invoke('files.allow', { folder: from.file })
    if (!allowed.ok) throw new Error(allowed.error.message)
  }
  return dir
}

/** What a run of the collection sent, in order, reduced to what carries meaning. */
async function sent(dir: string): Promise<unknown[]> {
  target.stub.arrived.length = 0
  await runToEnd(target.service, dir, '', 'local')
  return target.stub.arrived.map((a: Arrived) => {
    const type = String(a.headers['content-type'] ?? '')
    return {
      request: `${a.method} ${a.url}`,
      authorization: a.headers['authorization'],
      apiKey: a.headers['x-api-key'],
      accept: a.headers['accept'],
      type: type.replace(/; boundary=.*/, ''),
      body: type.startsWith('multipart/') ? multipartFields(a) : a.body,
    }
  })
}

describe('export', () => {
  it('Insomnia v5: the export imports back and a run sends the same requests; what it left out is listed', async () => {
    const a = await source('a')
    const before = await sent(a)
    expect(before).toHaveLength(4)
    const out = await target.service.invoke('export.collection', { dir: a, format: 'insomnia' })
    if (!out.ok) throw new Error(out.error.message)
    const doc = load(out.value.text) as Record<string, unknown>
    expect(doc['type']).toBe('collection.insomnia.rest/5.0')
    // The login's token reaches the next request as Insomnia's own response tag.
    expect(JSON.stringify(doc)).toContain("{% response 'body', 'req_")
    expect(out.value.skipped).toEqual(
      expect.arrayContaining([expect.stringMatching(/^auth\/log-in\.yaml: assertions not exported/)]),
    )
    const b = await importInto({ text: out.value.text }, 'b')
    // The chain became dependsOn, which the runner may schedule later in the run: the same requests, the
    // login still first.
    const after = await sent(b)
    const key = (x: unknown): string => JSON.stringify(x)
    expect(after.map(key).sort()).toEqual(before.map(key).sort())
    expect(after[0]).toEqual(before[0])
  })

  it('Bruno: the export is a folder that imports back, and a run sends the same requests', async () => {
    const a = await source('a')
    const before = await sent(a)
    const folder = join(target.dir, 'to-bruno')
    const out = await target.service.invoke('export.collection', { dir: a, format: 'bruno', file: folder })
    if (!out.ok) throw new Error(out.error.message)
    expect(out.value.text.split('\n')).toEqual(
      expect.arrayContaining(['bruno.json', 'collection.bru', 'auth/log-in.bru', 'environments/local.bru']),
    )
    expect(readFileSync(join(folder, 'auth', 'log-in.bru'), 'utf8')).toContain(
      'vars:post-response {\n  token: res.body.token',
    )
    expect(readFileSync(join(folder, 'environments', 'local.bru'), 'utf8')).toContain(
      'vars:secret [\n  password\n]',
    )
    const c = await importInto({ file: folder }, 'c')
    expect(await sent(c)).toEqual(before)
  })

  it('Bruno: a folder that is not empty is refused and nothing is written', async () => {
    const a = await source('a')
    const folder = join(target.dir, 'busy')
    mkdirSync(folder)
    writeFileSync(join(folder, 'notes.txt'), 'mine')
    const out = await target.service.invoke('export.collection', { dir: a, format: 'bruno', file: folder })
    expect(!out.ok && out.error.message).toContain('is not empty')
    expect(readdirSync(folder)).toEqual(['notes.txt'])
    expect(existsSync(join(folder, 'bruno.json'))).toBe(false)
  })

  it('Bruno: an export that fails part-way leaves nothing of itself', async () => {
    const a = await source('a')
    // A folder so deep that the export's short files fit under the longest path Linux takes (4,095 bytes) and
    // its longer ones do not (ENAMETOOLONG): the write fails after some files were written. Each file is written
    // through a temp file beside it, whose name is ~38 bytes longer (atomic-write.ts).
    let deep = join(target.dir, 'deep')
    for (let i = 0; i < 16; i++) deep = join(deep, String(i).padEnd(240, 'd'))
    mkdirSync(deep, { recursive: true })
    const folder = join(deep, 'x'.repeat(4054 - deep.length - 1))
    const temp = (rel: string): number => {
      const parts = rel.split('/')
      const base = parts.pop() ?? ''
      return Buffer.byteLength(join(folder, ...parts, `.${base}.${process.pid}-${'0'.repeat(12)}.fdtmp`))
    }
    expect(temp('bruno.json')).toBeLessThan(4096)
    expect(temp('environments/local.bru')).toBeGreaterThan(4095)
    const out = await target.service.invoke('export.collection', { dir: a, format: 'bruno', file: folder })
    expect(!out.ok && out.error.code).toBe('file')
    expect(readdirSync(deep)).toEqual([])
    // Into a folder that is there and empty, it is written whole (renamed into its place).
    const empty = join(target.dir, 'empty')
    mkdirSync(empty)
    const into = await target.service.invoke('export.collection', { dir: a, format: 'bruno', file: empty })
    if (!into.ok) throw new Error(into.error.message)
    expect(readdirSync(empty)).toEqual(expect.arrayContaining(['bruno.json', 'collection.bru', 'auth']))
    expect(readdirSync(target.dir).filter((n) => n.includes('.export-'))).toEqual([])
  })

  it('Insomnia: a WebSocket request keeps its subprotocols (as the Sec-WebSocket-Protocol header Insomnia reads); what it cannot hold is listed', async () => {
    const ws = await startWsServer()
    try {
      // As Insomnia 11 writes a WebSocket request in a v4 export, its subprotocol said in a header.
      const insomnia = {
        _type: 'export',
        __export_format: 4,
        __export_source: 'insomnia.desktop.app:v11.2.0',
        resources: [
          { _id: 'wrk_1', _type: 'workspace', name: 'Board', scope: 'collection' },
          {
            _id: 'ws-req_1',
            _type: 'websocket_request',
            parentId: 'wrk_1',
            name: 'Board feed',
            url: `${ws.url}/close?code=1000&after=0`,
            headers: [
              { name: 'Sec-WebSocket-Protocol', value: 'chat.v2, chat.v1' },
              { name: 'X-Board', value: '7' },
            ],
            authentication: {},
            parameters: [],
            settingEncodeUrl: true,
            settingStoreCookies: true,
            settingSendCookies: true,
            settingFollowRedirects: 'global',
          },
        ],
      }
      const a = await importInto({ text: JSON.stringify(insomnia) }, 'ws-a')
      const file = join(a, 'board-feed.yaml')
      const saved = await savedRequest(a, 'board-feed.yaml')
      expect(saved.protocols).toEqual(['chat.v2', 'chat.v1'])
      expect(saved.headers.map((h) => h.name)).toEqual(['X-Board'])
      // Saved messages and an option of its own, which an Insomnia WebSocket request has no field for.
      const edited = load(readFileSync(file, 'utf8')) as Record<string, unknown>
      writeFileSync(
        file,
        dump({ ...edited, messages: [{ name: 'join', text: '{"op":"join"}' }], options: { insecure: true } }),
      )
      const out = await target.service.invoke('export.collection', { dir: a, format: 'insomnia' })
      if (!out.ok) throw new Error(out.error.message)
      const exported = (load(out.value.text) as { collection: { headers: unknown[] }[] }).collection[0]
      expect(exported?.headers).toEqual([
        { name: 'X-Board', value: '7' },
        { name: 'Sec-WebSocket-Protocol', value: 'chat.v2, chat.v1' },
      ])
      expect(out.value.skipped).toEqual(
        expect.arrayContaining([
          'board-feed.yaml: 1 saved message (join) not exported (an Insomnia WebSocket request has no such field)',
          'board-feed.yaml: certificates not checked not exported (Insomnia has no such per-request setting)',
        ]),
      )
      const b = await importInto({ text: out.value.text }, 'ws-b')
      const back = await savedRequest(b, 'board-feed.yaml')
      expect(back.protocols).toEqual(['chat.v2', 'chat.v1'])
      const opened = await target.service.invoke('ws.open', {
        url: back.url,
        headers: back.headers,
        protocols: back.protocols,
        context: { dir: b, path: 'board-feed.yaml' },
      })
      if (!opened.ok) throw new Error(opened.error.message)
      await target.service.waitForStream(opened.value.sid)
      // Offered once, as subprotocols the server chose from (chat.v2): not a header beside them.
      expect(ws.upgrades[0]?.headers['sec-websocket-protocol']).toBe('chat.v2,chat.v1')
      expect(ws.upgrades[0]?.headers['x-board']).toBe('7')
    } finally {
      await ws.close()
    }
  })
})
