import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importText, sendSaved, useImportTarget } from './import-formats-helpers'
import { multipartParts } from './multipart-parts'

/**
 * A Yaak multipart body as Yaak sends it (yaak-http's multipart builder): text parts with no Content-Type, a file
 * part with no type as the type its name says, one with a type as that type; a file part Yaak sends under a
 * `filename` of its own is reported, since Flightdeck sends the file's own name.
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
  it('sends its parts as Yaak does, and names a file part Yaak sends under another name', async () => {
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
      'renamed receipt.csv text/csv: item,total\n',
    ])
    expect(report.unmapped).toContain(
      'Upload receipt: file part "renamed" is sent as filename="receipt.csv"; Yaak sends it as "may.csv"',
    )
  })
})
