import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import type { ImportReport } from '../../src/shared/collection-schemas'
import { importText, sendSaved, useImportTarget } from './import-formats-helpers'

/**
 * An imported request sends what the tool it came from sends: checked at a stub server, request by request,
 * for the shapes real exports use (auth written as "inherit", folders' auth, prefixes, switched-off rows).
 */

const t = useImportTarget('fd-fidelity')

const POSTMAN_V21 = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'

/** Import into the target and open it, as the app does after an import. */
async function importAndOpen(text: string): Promise<ImportReport> {
  const report = await importText(text, t.dir)
  const r = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!r.ok) throw new Error(r.error.message)
  return report
}

function postman(item: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ info: { name: 'Fidelity', schema: POSTMAN_V21 }, item, ...extra })
}

describe('Postman: auth', () => {
  it("auth written as \"inherit\" (Postman's Inherit auth from parent) takes the folder's, then the collection's, with no note", async () => {
    const report = await importAndOpen(
      postman(
        [
          {
            name: 'Orders',
            auth: { type: 'inherit' },
            item: [
              {
                name: 'List',
                request: { method: 'GET', url: `${t.stub.url}/orders`, auth: { type: 'inherit' } },
              },
            ],
          },
          {
            name: 'Users',
            auth: { type: 'bearer', bearer: [{ key: 'token', value: 'folder-token', type: 'string' }] },
            item: [
              {
                name: 'Me',
                request: { method: 'GET', url: `${t.stub.url}/me`, auth: { type: 'inherit' } },
              },
            ],
          },
        ],
        { auth: { type: 'bearer', bearer: [{ key: 'token', value: 'collection-token', type: 'string' }] } },
      ),
    )
    expect(report.unmapped.join('\n')).not.toMatch(/inherit|not supported/)
    const list = await sendSaved(t.service, t.stub, t.dir, 'orders/list.yaml')
    expect(list.headers['authorization']).toBe('Bearer collection-token')
    const me = await sendSaved(t.service, t.stub, t.dir, 'users/me.yaml')
    expect(me.headers['authorization']).toBe('Bearer folder-token')
  })
})

describe('Insomnia and Yaak: a bearer prefix of their own', () => {
  it('Insomnia\'s "Token" prefix is kept and sent (Token abc); an empty prefix sends Bearer, as Insomnia does', async () => {
    const req = (id: string, name: string, authentication: Record<string, unknown>) => ({
      _id: id,
      _type: 'request',
      parentId: 'wrk_1',
      name,
      method: 'GET',
      url: `${t.stub.url}/${id}`,
      headers: [],
      body: {},
      authentication,
    })
    const report = await importAndOpen(
      JSON.stringify({
        _type: 'export',
        __export_format: 4,
        resources: [
          { _id: 'wrk_1', _type: 'workspace', parentId: null, name: 'Prefixes' },
          req('req_token', 'Token', { type: 'bearer', token: 'abc', prefix: 'Token' }),
          req('req_empty', 'Empty', { type: 'bearer', token: 'def', prefix: '' }),
          req('req_jwt', 'Jwt', { type: 'bearer', token: '{{ _.jwt }}', prefix: 'JWT' }),
          { _id: 'env_1', _type: 'environment', parentId: 'wrk_1', name: 'Base', data: { jwt: 'j-1' } },
        ],
      }),
    )
    expect(report.unmapped.join('\n')).not.toMatch(/prefix/)
    expect((await sendSaved(t.service, t.stub, t.dir, 'token.yaml')).headers['authorization']).toBe(
      'Token abc',
    )
    expect((await sendSaved(t.service, t.stub, t.dir, 'empty.yaml')).headers['authorization']).toBe(
      'Bearer def',
    )
    expect((await sendSaved(t.service, t.stub, t.dir, 'jwt.yaml')).headers['authorization']).toBe('JWT j-1')
    // The request file says it, and a plain bearer's file stays as it was (no prefix key).
    expect(readFileSync(join(t.dir, 'token.yaml'), 'utf8')).toMatch(
      /auth:\n {2}type: bearer\n {2}token: abc\n {2}prefix: Token\n/,
    )
    expect(readFileSync(join(t.dir, 'empty.yaml'), 'utf8')).not.toContain('prefix')
  })

  it("Yaak's bearer prefix is kept; an empty one sends the token alone, as Yaak does", async () => {
    const req = (id: string, authentication: Record<string, unknown>) => ({
      model: 'http_request',
      id,
      workspaceId: 'wk_1',
      folderId: null,
      name: id,
      method: 'GET',
      url: `${t.stub.url}/${id}`,
      urlParameters: [],
      headers: [],
      bodyType: null,
      body: {},
      authenticationType: 'bearer',
      authentication,
    })
    await importAndOpen(
      JSON.stringify({
        yaakVersion: '2025.1.2',
        yaakSchema: 4,
        resources: {
          workspaces: [{ model: 'workspace', id: 'wk_1', name: 'Prefixes' }],
          httpRequests: [
            req('custom', { token: 'abc', prefix: 'Token' }),
            req('none', { token: 'def', prefix: '' }),
            req('default', { token: 'ghi' }),
          ],
        },
      }),
    )
    expect((await sendSaved(t.service, t.stub, t.dir, 'custom.yaml')).headers['authorization']).toBe(
      'Token abc',
    )
    expect((await sendSaved(t.service, t.stub, t.dir, 'none.yaml')).headers['authorization']).toBe('def')
    expect((await sendSaved(t.service, t.stub, t.dir, 'default.yaml')).headers['authorization']).toBe(
      'Bearer ghi',
    )
  })
})

describe('a bearer prefix goes out in every export', () => {
  it('Postman and Bruno (no prefix there: an Authorization header) and Insomnia (its prefix) send Token abc again', async () => {
    await importAndOpen(
      JSON.stringify({
        _type: 'export',
        __export_format: 4,
        resources: [
          { _id: 'wrk_1', _type: 'workspace', parentId: null, name: 'Prefixes' },
          {
            _id: 'req_token',
            _type: 'request',
            parentId: 'wrk_1',
            name: 'Token',
            method: 'GET',
            url: `${t.stub.url}/token`,
            authentication: { type: 'bearer', token: 'abc', prefix: 'Token' },
          },
        ],
      }),
    )
    const out = mkdtempSync(join(tmpdir(), 'fd-fidelity-export-'))
    try {
      for (const [format, file] of [
        ['postman', 'out.postman_collection.json'],
        ['insomnia', 'out.insomnia.yaml'],
        ['bruno', 'bruno'],
      ] as const) {
        const exported = await t.service.invoke('export.collection', {
          dir: t.dir,
          format,
          file: join(out, file),
        })
        if (!exported.ok) throw new Error(exported.error.message)
        const again = join(out, `${format}-again`)
        const r = await runImport({ file: join(out, file) }, 'auto', again, new MemorySecretStore())
        if (!r.ok) throw new Error(r.error.message)
        const opened = await t.service.invoke('collection.open', { dir: again, create: false })
        if (!opened.ok) throw new Error(opened.error.message)
        const sent = await sendSaved(t.service, t.stub, again, 'token.yaml')
        expect({ format, authorization: sent.headers['authorization'] }).toEqual({
          format,
          authorization: 'Token abc',
        })
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})

describe('Postman: form-data', () => {
  it('a part with several files sends each; a file part and a text part keep their Content-Type', async () => {
    const report = await importAndOpen(
      postman([
        {
          name: 'Upload',
          request: {
            method: 'POST',
            url: `${t.stub.url}/upload`,
            body: {
              mode: 'formdata',
              formdata: [
                { key: 'docs', type: 'file', src: ['files/a.txt', 'files/b.txt'] },
                { key: 'pic', type: 'file', src: 'files/c.txt', contentType: 'image/png' },
                { key: 'meta', type: 'text', value: '{"a":1}', contentType: 'application/json' },
                { key: 'note', type: 'text', value: 'hi', contentType: 'text/plain' },
              ],
            },
          },
        },
      ]),
    )
    mkdirSync(join(t.dir, 'files'))
    for (const f of ['a', 'b', 'c']) writeFileSync(join(t.dir, 'files', `${f}.txt`), `file ${f}`)
    const sent = await sendSaved(t.service, t.stub, t.dir, 'upload.yaml')
    const boundary = /boundary=("?)([^";]+)\1/.exec(String(sent.headers['content-type']))?.[2] ?? ''
    const parts = sent.body
      .split(`--${boundary}`)
      .filter((p) => p.includes('name="'))
      .map((p) => {
        const [head = '', body = ''] = p.split('\r\n\r\n')
        return {
          name: /name="([^"]+)"/.exec(head)?.[1],
          type: /content-type: *([^\r\n]+)/i.exec(head)?.[1],
          body: body.replace(/\r\n$/, ''),
        }
      })
    expect(parts.map((p) => [p.name, p.body])).toEqual([
      ['docs', 'file a'],
      ['docs', 'file b'],
      ['pic', 'file c'],
      ['meta', '{"a":1}'],
      ['note', 'hi'],
    ])
    // An untyped file goes as its name says (.txt: text/plain), as Postman sends it.
    expect(parts.map((p) => p.type)).toEqual([
      'text/plain',
      'text/plain',
      'image/png',
      'application/json',
      'text/plain',
    ])
    expect(report.unmapped.join('\n')).not.toMatch(/"meta"|"note"/)
  })
})

describe('folder and collection headers (Bruno, OpenCollection, Insomnia v5, Hoppscotch, Yaak send them)', () => {
  it("OpenCollection: each request sends its folder's and the collection's headers; its own and an inner folder's win", async () => {
    const report = await importAndOpen(
      [
        'opencollection: 1.0.0',
        'info:',
        '  name: Headers',
        'request:',
        '  headers:',
        '    - name: X-Client',
        '      value: collection',
        '    - name: X-Level',
        '      value: collection',
        '    - name: X-Off',
        '      value: never',
        '      disabled: true',
        'items:',
        '  - info:',
        '      name: Pets',
        '      type: folder',
        '    request:',
        '      headers:',
        '        - name: X-Level',
        '          value: folder',
        '    items:',
        '      - info:',
        '          name: Own',
        '          type: http',
        '        http:',
        '          method: GET',
        `          url: ${t.stub.url}/own`,
        '          headers:',
        '            - name: x-level',
        '              value: request',
        '      - info:',
        '          name: Plain',
        '          type: http',
        '        http:',
        '          method: GET',
        `          url: ${t.stub.url}/plain`,
      ].join('\n'),
    )
    const own = await sendSaved(t.service, t.stub, t.dir, 'pets/own.yaml')
    expect([own.headers['x-client'], own.headers['x-level'], own.headers['x-off']]).toEqual([
      'collection',
      'request',
      undefined,
    ])
    const plain = await sendSaved(t.service, t.stub, t.dir, 'pets/plain.yaml')
    expect([plain.headers['x-client'], plain.headers['x-level']]).toEqual(['collection', 'folder'])
    expect(report.unmapped.join('\n')).toContain(
      'Pets: header X-Level (sent with every request below it) copied into 2 requests (Flightdeck folders have no headers)',
    )
  })

  it("Insomnia v5 and v4: a folder's headers go with each request in it", async () => {
    await importAndOpen(
      [
        'type: collection.insomnia.rest/5.0',
        'name: Folders',
        'meta:',
        '  id: wrk_f',
        'collection:',
        '  - name: Books',
        '    meta:',
        '      id: fld_books',
        '    headers:',
        '      - name: X-Tenant',
        '        value: north',
        '    children:',
        `      - url: ${t.stub.url}/books`,
        '        name: List books',
        '        meta:',
        '          id: req_list',
        '        method: GET',
      ].join('\n'),
    )
    const v5 = await sendSaved(t.service, t.stub, t.dir, 'books/list-books.yaml')
    expect(v5.headers['x-tenant']).toBe('north')
    const v4 = mkdtempSync(join(tmpdir(), 'fd-fidelity-v4-'))
    try {
      const r = await runImport(
        {
          text: JSON.stringify({
            _type: 'export',
            __export_format: 4,
            resources: [
              { _id: 'wrk_1', _type: 'workspace', parentId: null, name: 'V4' },
              {
                _id: 'fld_1',
                _type: 'request_group',
                parentId: 'wrk_1',
                name: 'Books',
                headers: [{ name: 'X-Tenant', value: 'south' }],
              },
              {
                _id: 'req_1',
                _type: 'request',
                parentId: 'fld_1',
                name: 'List',
                method: 'GET',
                url: `${t.stub.url}/v4`,
              },
            ],
          }),
        },
        'auto',
        v4,
        new MemorySecretStore(),
      )
      if (!r.ok) throw new Error(r.error.message)
      const opened = await t.service.invoke('collection.open', { dir: v4, create: false })
      if (!opened.ok) throw new Error(opened.error.message)
      expect((await sendSaved(t.service, t.stub, v4, 'books/list.yaml')).headers['x-tenant']).toBe('south')
    } finally {
      rmSync(v4, { recursive: true, force: true })
    }
  })

  it("Hoppscotch: the collection's and folders' headers go with each request below them", async () => {
    const req = (name: string, headers: unknown[]) => ({
      v: '7',
      name,
      method: 'GET',
      endpoint: `${t.stub.url}/${name}`,
      params: [],
      headers,
      body: { contentType: null, body: null },
      auth: { authType: 'inherit', authActive: true },
    })
    await importAndOpen(
      JSON.stringify({
        v: 3,
        name: 'Hopp',
        headers: [{ key: 'X-Client', value: 'hopp', active: true }],
        folders: [
          {
            v: 3,
            name: 'Queue',
            folders: [],
            headers: [{ key: 'X-Queue', value: 'q1', active: true }],
            requests: [req('inner', [{ key: 'X-Client', value: 'own', active: true }])],
          },
        ],
        requests: [req('top', [])],
      }),
    )
    const top = await sendSaved(t.service, t.stub, t.dir, 'top.yaml')
    expect([top.headers['x-client'], top.headers['x-queue']]).toEqual(['hopp', undefined])
    const inner = await sendSaved(t.service, t.stub, t.dir, 'queue/inner.yaml')
    expect([inner.headers['x-client'], inner.headers['x-queue']]).toEqual(['own', 'q1'])
  })

  it("Yaak: the workspace's and folders' headers go with each request below them; the nearest folder's or the workspace's auth too", async () => {
    await importAndOpen(
      JSON.stringify({
        yaakVersion: '2025.1.2',
        yaakSchema: 4,
        resources: {
          workspaces: [
            {
              model: 'workspace',
              id: 'wk_1',
              name: 'Yaak',
              headers: [{ enabled: true, name: 'X-Workspace', value: 'w' }],
              authenticationType: 'bearer',
              authentication: { token: 'ws-token' },
            },
          ],
          folders: [
            {
              model: 'folder',
              id: 'fl_1',
              workspaceId: 'wk_1',
              folderId: null,
              name: 'Pets',
              headers: [{ enabled: true, name: 'X-Folder', value: 'f' }],
            },
            {
              model: 'folder',
              id: 'fl_2',
              workspaceId: 'wk_1',
              folderId: null,
              name: 'Shop',
              authenticationType: 'apikey',
              authentication: { key: 'X-Shop-Key', value: 'shop-key', location: 'header' },
              headers: [],
            },
            {
              model: 'folder',
              id: 'fl_3',
              workspaceId: 'wk_1',
              folderId: 'fl_2',
              name: 'Carts',
              authenticationType: null,
              authentication: {},
              headers: [{ enabled: true, name: 'X-Inner', value: 'i' }],
            },
          ],
          httpRequests: [
            {
              model: 'http_request',
              id: 'rq_1',
              workspaceId: 'wk_1',
              folderId: 'fl_1',
              name: 'List',
              method: 'GET',
              url: `${t.stub.url}/pets`,
              headers: [],
              authenticationType: null,
              authentication: {},
            },
            {
              model: 'http_request',
              id: 'rq_2',
              workspaceId: 'wk_1',
              folderId: 'fl_3',
              name: 'Cart',
              method: 'GET',
              url: `${t.stub.url}/cart`,
              headers: [],
              authenticationType: null,
              authentication: {},
            },
          ],
        },
      }),
    )
    // Two folders up: the nearest folder with auth of its own (Shop's API key) is what Yaak sends, not the workspace's.
    const cart = await sendSaved(t.service, t.stub, t.dir, 'shop/carts/cart.yaml')
    expect([cart.headers['x-shop-key'], cart.headers['x-inner'], cart.headers['authorization']]).toEqual([
      'shop-key',
      'i',
      undefined,
    ])
    const sent = await sendSaved(t.service, t.stub, t.dir, 'pets/list.yaml')
    expect([sent.headers['x-workspace'], sent.headers['x-folder'], sent.headers['authorization']]).toEqual([
      'w',
      'f',
      'Bearer ws-token',
    ])
  })
})

describe("Postman: a GET's body", () => {
  it('is left out (and said) unless disableBodyPruning is on, as Postman sends it; the export keeps the flag', async () => {
    const get = (name: string, extra: Record<string, unknown> = {}) => ({
      name,
      ...extra,
      request: {
        method: 'GET',
        url: `${t.stub.url}/${name}`,
        body: { mode: 'raw', raw: '{"q":1}', options: { raw: { language: 'json' } } },
      },
    })
    const report = await importAndOpen(
      postman([get('pruned'), get('kept', { protocolProfileBehavior: { disableBodyPruning: true } })]),
    )
    expect(report.unmapped).toContain(
      'pruned: the GET\'s body is left out: Postman does not send it (the request\'s "disableBodyPruning" setting is off)',
    )
    expect((await sendSaved(t.service, t.stub, t.dir, 'pruned.yaml')).body).toBe('')
    expect((await sendSaved(t.service, t.stub, t.dir, 'kept.yaml')).body).toBe('{"q":1}')
    const out = mkdtempSync(join(tmpdir(), 'fd-fidelity-prune-'))
    try {
      const file = join(out, 'out.postman_collection.json')
      const exported = await t.service.invoke('export.collection', { dir: t.dir, format: 'postman', file })
      if (!exported.ok) throw new Error(exported.error.message)
      const items = (JSON.parse(readFileSync(file, 'utf8')) as { item: Record<string, unknown>[] }).item
      expect(items.find((i) => i['name'] === 'kept')?.['protocolProfileBehavior']).toEqual({
        disableBodyPruning: true,
      })
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
