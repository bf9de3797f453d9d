import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importYaak } from '../../src/engine/importers/yaak'
import { importText, savedRequest, sendSaved, useImportTarget } from './import-formats-helpers'
import { multipartParts } from './multipart-parts'

/**
 * A Yaak multipart body as Yaak sends it (yaak-http's multipart builder): text parts with no Content-Type, a file
 * part with no type as the type its name says, one with a type as that type, and a file part under a `filename`
 * of its own under that name. Exported, that name goes into a curl snippet; Postman, Insomnia and Bruno have no
 * place for it, and their exports say so.
 */

const t = useImportTarget('fd-yaak-parts')

function yaakExport(stub: string): string {
  const form = [
    { enabled: true, name: 'meta', value: '{"total":12.5}', contentType: 'application/json' },
    { enabled: true, name: 'receipt', file: 'receipt.csv' },
    { enabled: true, name: 'scan', file: 'scan.bin', contentType: 'image/png' },
    { enabled: true, name: 'renamed', file: 'receipt.csv', filename: 'may.csv' },
    { enabled: false, name: 'draft', value: 'yes' },
  ]
  return JSON.stringify({
    yaakVersion: '2025.3.1',
    yaakSchema: 4,
    timestamp: '2026-02-10T09:30:00.000',
    resources: {
      workspaces: [{ model: 'workspace', id: 'wk_r', name: 'Receipts', description: '' }],
      environments: [],
      folders: [],
      httpRequests: [
        {
          model: 'http_request',
          id: 'rq_up',
          workspaceId: 'wk_r',
          folderId: null,
          name: 'Upload receipt',
          method: 'POST',
          url: `${stub}/uploads`,
          urlParameters: [],
          headers: [],
          bodyType: 'multipart/form-data',
          body: { form },
          authenticationType: null,
          authentication: {},
          sortPriority: 1000,
        },
      ],
    },
  })
}

describe('a Yaak multipart body', () => {
  it('sends its parts as Yaak does, a file part under the filename Yaak gives it', async () => {
    const report = await importText(yaakExport(t.stub.url), t.dir)
    const opened = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    writeFileSync(join(t.dir, 'receipt.csv'), 'item,total\n')
    writeFileSync(join(t.dir, 'scan.bin'), 'png')
    const got = await sendSaved(t.service, t.stub, t.dir, 'upload-receipt.yaml')
    expect(multipartParts(got).map((p) => `${p.name} ${p.filename} ${p.contentType}: ${p.body}`)).toEqual([
      'meta null null: {"total":12.5}',
      'receipt receipt.csv text/csv: item,total\n',
      'scan scan.bin image/png: png',
      'renamed may.csv text/csv: item,total\n',
    ])
    expect(report.unmapped.join('\n')).not.toMatch(/renamed/)
    expect((await savedRequest(t.dir, 'upload-receipt.yaml')).body).toMatchObject({
      parts: [{}, {}, {}, { name: 'renamed', path: 'receipt.csv', fileName: 'may.csv' }, {}],
    })
    const curl = await t.service.invoke('export.request', {
      dir: t.dir,
      path: 'upload-receipt.yaml',
      target: 'curl',
    })
    expect(curl.ok && curl.value.text).toContain(`renamed=@"receipt.csv";filename="may.csv";type=text/csv`)
    for (const [format, tool] of [
      ['postman', 'Postman'],
      ['insomnia', 'Insomnia'],
      ['bruno', 'Bruno'],
    ] as const) {
      // A Bruno export is a folder: written into a fresh one, removed after.
      const into = format === 'bruno' ? mkdtempSync(join(tmpdir(), 'fd-yaak-bruno-')) : undefined
      const out = await t.service.invoke('export.collection', {
        dir: t.dir,
        format,
        ...(into ? { file: join(into, 'out') } : {}),
      })
      if (into) rmSync(into, { recursive: true, force: true })
      expect(out.ok && out.value.skipped).toContain(
        `upload-receipt.yaml: file part "renamed" goes as filename="receipt.csv" in ${tool}, not "may.csv" (${tool} has no field for a part's filename)`,
      )
    }
  })
})

/** A Yaak 2025 export (environments by `parentModel`: the base, a sub environment, a folder's). */
function yaakFolderEnvExport(stub: string): string {
  const env = (id: string, name: string, parentModel: string, parentId: string | null, vars: object[]) => ({
    model: 'environment',
    id,
    workspaceId: 'wk_o',
    name,
    public: true,
    parentModel,
    parentId,
    variables: vars,
    color: null,
    sortPriority: 0,
  })
  return JSON.stringify({
    yaakVersion: '2025.6.1',
    yaakSchema: 4,
    resources: {
      workspaces: [{ model: 'workspace', id: 'wk_o', name: 'Orders', headers: [], authenticationType: null }],
      environments: [
        env('ev_stage', 'Staging', 'environment', 'ev_base', [
          { enabled: true, name: 'token', value: 't-stage' },
        ]),
        env('ev_base', 'Global Variables', 'workspace', null, [{ enabled: true, name: 'base', value: stub }]),
        env('ev_fold', 'Orders folder', 'folder', 'fl_orders', [
          { enabled: true, name: 'orderId', value: '77' },
        ]),
      ],
      folders: [
        {
          model: 'folder',
          id: 'fl_orders',
          workspaceId: 'wk_o',
          folderId: null,
          name: 'Orders',
          headers: [{ enabled: true, name: 'X-Team', value: 'billing' }],
          authenticationType: 'bearer',
          authentication: { token: '${[ token ]}' },
          sortPriority: 0,
        },
      ],
      httpRequests: [
        {
          model: 'http_request',
          id: 'rq_get',
          workspaceId: 'wk_o',
          folderId: 'fl_orders',
          name: 'Get order',
          method: 'GET',
          url: '${[ base ]}/orders/${[ orderId ]}',
          urlParameters: [],
          headers: [],
          bodyType: null,
          body: {},
          authenticationType: null,
          authentication: {},
          sortPriority: 0,
        },
      ],
      websocketRequests: [
        {
          model: 'websocket_request',
          id: 'wr_feed',
          workspaceId: 'wk_o',
          folderId: null,
          name: 'Feed',
          url: 'ws://127.0.0.1:1/feed',
          urlParameters: [],
          headers: [],
          message: '{"subscribe":"${[ orderId ]}"}',
          authenticationType: null,
          authentication: {},
          sortPriority: 1,
        },
      ],
    },
  })
}

describe("a Yaak export's environments and WebSocket message", () => {
  it("a folder environment's variables are its folder's; a WebSocket request keeps its message", async () => {
    const report = await importText(yaakFolderEnvExport(t.stub.url), t.dir)
    expect(report.unmapped).toEqual([
      'Orders: header X-Team (sent with every request below it) copied into 1 request (Flightdeck folders have no headers)',
    ])
    const opened = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const got = await sendSaved(t.service, t.stub, t.dir, 'orders/get-order.yaml', 'staging')
    expect(got.url).toBe('/orders/77')
    expect(got.headers['x-team']).toBe('billing')
    expect(got.headers['authorization']).toBe('Bearer t-stage')
    expect((await savedRequest(t.dir, 'feed.yaml')).messages).toEqual([
      { name: 'message 1', text: '{"subscribe":"{{orderId}}"}' },
    ])
  })

  it('an environment marked `base: true` holds the collection variables wherever it is listed', () => {
    const envs = [
      {
        model: 'environment',
        id: 'ev_p',
        workspaceId: 'w',
        name: 'Prod',
        base: false,
        variables: [{ name: 'host', value: 'prod' }],
      },
      {
        model: 'environment',
        id: 'ev_b',
        workspaceId: 'w',
        name: 'Base',
        base: true,
        variables: [{ name: 'host', value: 'base' }],
      },
    ]
    const plan = importYaak({
      yaakSchema: 3,
      resources: { workspaces: [{ id: 'w', name: 'W' }], environments: envs },
    })
    expect(plan.variables).toEqual([{ name: 'host', value: 'base', secret: false }])
    expect(plan.environments.map((e) => e.name)).toEqual(['Prod'])
  })
})
