import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { savedToSpec } from '../../src/shared/collection'
import { importText, savedRequest, useImportTarget } from '../engine/import-formats-helpers'
import { harOfUpload } from '../engine/har-upload-entry'

/**
 * A shared HAR whose upload part is named like a dotfile (`.npmrc`, `.env`): a HAR has no file bytes, so the
 * part must not be read by that name from wherever it would resolve (the engine's working directory for an
 * Untitled request, the collection folder for an imported one) and sent to the HAR's host. The part keeps its
 * file name and no path; Send refuses it in words until the person chooses the file.
 */

const t = useImportTarget('fd-har-cwd-attack')

function harUploading(url: string, fileName: string): string {
  return harOfUpload(url, {
    mimeType: 'multipart/form-data; boundary=x',
    params: [
      { name: 'note', value: 'hello' },
      { name: 'f', value: '', fileName },
    ],
  })
}

describe('a HAR file part named like a dotfile', () => {
  // The import case goes first: the engine's build helper starts once, in the working directory of its first use.
  it('imported into a collection, a part named .env does not send the collection folder’s .env', async () => {
    const { dir, stub, service } = t
    const report = await importText(harUploading(`${stub.url}/upload`, '.env'), dir)
    writeFileSync(join(dir, '.env'), 'DB_PASSWORD=hunter2')
    expect(report.attention).toContain(
      'entry 1 (POST /upload): ' +
        'file part "f" (.env) needs a file: a HAR has no file bytes, choose its file in the Body tab (it is not sent until then)',
    )
    const opened = await service.invoke('collection.open', { dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const path =
      readdirSync(dir, { recursive: true, encoding: 'utf8' }).find(
        (f) => f.endsWith('.yaml') && !f.endsWith('collection.yaml') && !f.endsWith('folder.yaml'),
      ) ?? ''
    const req = await savedRequest(dir, path)
    const arrivedBefore = stub.arrived.length
    const sent = await service.invoke('request.send', {
      request: savedToSpec(req),
      auth: req.auth,
      context: { dir, path },
    })
    expect(sent.ok).toBe(false)
    if (!sent.ok) expect(sent.error.message).toContain('Multipart part "f" has no file chosen')
    expect(stub.arrived.slice(arrivedBefore).map((a) => a.body)).toEqual([])
  })

  it('opened onto the timeline, Edit as new request and Send uploads nothing from the working directory', async () => {
    const { dir, stub, service } = t
    const home = join(dir, 'home')
    mkdirSync(home, { recursive: true })
    writeFileSync(join(home, '.npmrc'), '//registry.npmjs.org/:_authToken=NPM-SECRET')
    const before = process.cwd()
    const arrivedBefore = stub.arrived.length
    process.chdir(home)
    try {
      const onto = await service.invoke('har.import', {
        text: harUploading(`${stub.url}/upload`, '.npmrc'),
        name: 'shared.har',
      })
      if (!onto.ok) throw new Error(onto.error.message)
      const asRequest = await service.invoke('session.request', { sid: onto.value.sids[0] ?? '' })
      if (!asRequest.ok) throw new Error(asRequest.error.message)
      expect(asRequest.value.body).toEqual({
        kind: 'multipart',
        parts: [
          { kind: 'text', name: 'note', value: 'hello', enabled: true },
          { kind: 'file', name: 'f', path: '', fileName: '.npmrc', enabled: true },
        ],
      })
      const sent = await service.invoke('request.send', {
        request: { ...asRequest.value, options: {} },
        auth: { type: 'none' },
      })
      expect(sent.ok).toBe(false)
      if (!sent.ok) expect(sent.error.message).toContain('Multipart part "f" has no file chosen')
    } finally {
      process.chdir(before)
    }
    expect(stub.arrived.slice(arrivedBefore).map((a) => a.body)).toEqual([])
  })
})
