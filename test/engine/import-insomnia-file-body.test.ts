import { describe, expect, it } from 'vitest'
import { importText, savedRequest, useImportTarget } from './import-formats-helpers'

/**
 * An Insomnia file body: Insomnia sends it with no Content-Type unless a header gives one (its app adds
 * `application/octet-stream` when a file is chosen, and that header comes along); Flightdeck sends the type the
 * file's name says, so an import without the header says so.
 */

const t = useImportTarget('fd-insomnia-file-body')

function exportWith(headers: { name: string; value: string }[]): string {
  return JSON.stringify({
    _type: 'export',
    __export_format: 4,
    __export_source: 'insomnia.desktop.app:v11.0.0',
    resources: [
      { _id: 'wrk_1', _type: 'workspace', parentId: null, name: 'Scans', scope: 'collection' },
      {
        _id: 'req_1',
        _type: 'request',
        parentId: 'wrk_1',
        name: 'Put scan',
        method: 'PUT',
        url: `${t.stub.url}/scans/1`,
        body: { mimeType: 'application/octet-stream', fileName: '/home/ana/scans/may.png' },
        headers,
        parameters: [],
        authentication: {},
      },
    ],
  })
}

describe('an Insomnia file body', () => {
  it('without a Content-Type header: the report says it goes as the type its name says', async () => {
    const report = await importText(exportWith([]), t.dir)
    expect(report.unmapped).toContain(
      'Put scan: file body sent with the Content-Type its name says (image/png); Insomnia sends it with none unless a header gives one',
    )
    expect((await savedRequest(t.dir, 'put-scan.yaml')).body).toEqual({
      kind: 'file',
      path: '/home/ana/scans/may.png',
    })
  })

  it('with the header Insomnia’s app adds: kept and sent, nothing to say', async () => {
    const report = await importText(
      exportWith([{ name: 'Content-Type', value: 'application/octet-stream' }]),
      t.dir,
    )
    expect(report.unmapped.join('\n')).not.toContain('file body')
    expect((await savedRequest(t.dir, 'put-scan.yaml')).headers).toEqual([
      { name: 'Content-Type', value: 'application/octet-stream', enabled: true },
    ])
  })
})
