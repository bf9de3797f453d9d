import { readdirSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { withRecordedPartHeaders } from '../../src/engine/har/har-multipart-text'
import { sendChoosingFiles } from './har-files-chosen'
import { importText, useImportTarget } from './import-formats-helpers'
import { multipartParts } from './multipart-parts'
import { harOfUpload } from './har-upload-entry'

/**
 * A HAR's recorded multipart text (Chrome's shape: `params` of `{ name, value }` alone, the part headers only in
 * `postData.text`): the file name as RFC 5987 gives it (`filename*=UTF-8''…`, as Python's requests and curl
 * write a name outside ASCII), and a part name read as the header says it, not from inside a quoted filename.
 */

const TYPE = 'multipart/form-data; boundary=B'
const text = (...dispositions: string[]): string =>
  dispositions
    .map((d) => `--B\r\nContent-Disposition: form-data; ${d}\r\nContent-Type: text/plain\r\n\r\nv\r\n`)
    .join('') + '--B--\r\n'

describe('a HAR multipart part’s recorded headers', () => {
  it("filename*=UTF-8''… is the part's file name, decoded, before a plain filename", () => {
    const out = withRecordedPartHeaders(
      [
        { name: 'doc', value: '' },
        { name: 'latin', value: '' },
        { name: 'broken', value: '' },
      ],
      TYPE,
      text(
        `name="doc"; filename="naive.txt"; filename*=UTF-8''na%C3%AFve.txt`,
        `name="latin"; filename*=iso-8859-1'en'caf%E9.txt`,
        `name="broken"; filename="plain.txt"; filename*=UTF-8''%E0%A4%A.txt`,
      ),
    )
    expect(out.map((p) => (p as { fileName?: string }).fileName)).toEqual([
      'naïve.txt',
      'café.txt',
      'plain.txt',
    ])
  })

  it('a name="…" written inside a quoted filename is not taken for the part’s name', () => {
    const out = withRecordedPartHeaders(
      [
        { name: 'receipt', value: '' },
        { name: 'note', value: 'x' },
      ],
      TYPE,
      text(`filename="a; name=\\"note\\".pdf"; name="receipt"`, `name="note"`),
    )
    expect(out).toEqual([
      { name: 'receipt', value: '', fileName: 'a; name="note".pdf', contentType: 'text/plain' },
      { name: 'note', value: 'x', contentType: 'text/plain' },
    ])
  })
})

const t = useImportTarget('fd-har-part-names')

describe('a HAR upload whose file is named with filename*', () => {
  it('imported, its file part keeps the decoded name and, that file chosen, sends it', async () => {
    const har = harOfUpload(`${t.stub.url}/upload`, {
      mimeType: TYPE,
      params: [{ name: 'doc', value: '' }],
      text: text(`name="doc"; filename="naive.txt"; filename*=UTF-8''na%C3%AFve.txt`),
    })
    await importText(har, t.dir)
    writeFileSync(`${t.dir}/naïve.txt`, 'the naïve one')
    writeFileSync(`${t.dir}/naive.txt`, 'the plain one')
    const opened = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const saved = readdirSync(t.dir, { recursive: true, encoding: 'utf8' }).find(
      (f) => f.endsWith('.yaml') && !f.endsWith('collection.yaml') && !f.endsWith('folder.yaml'),
    )
    const got = await sendChoosingFiles(t.service, t.stub, t.dir, saved ?? '')
    expect(multipartParts(got).map((p) => [p.name, p.body])).toEqual([['doc', 'the naïve one']])
  })
})
