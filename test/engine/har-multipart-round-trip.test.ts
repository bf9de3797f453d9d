import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { HarDocument } from '../../src/engine/har/har-types'
import type { MultipartPart } from '../../src/shared/request'
import { done, send, spec } from './helpers'
import { sendChoosingFiles } from './har-files-chosen'
import { harOfUpload } from './har-upload-entry'
import { importText, sendSaved, useImportTarget } from './import-formats-helpers'
import { multipartParts, type ArrivedPart } from './multipart-parts'
import { guardOnlyAgainstHangs, runTool } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A multipart request's HAR keeps each part's type and a file part's filename (HAR 1.2 `params[].contentType`,
 * `fileName`), and importing that HAR sends the parts with their types again.
 */

const target = useImportTarget('har-multipart')

/** The request file an import wrote for the POST to /upload. */
function uploadFile(dir: string): string {
  const found = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('upload.yaml'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
  expect(found).toHaveLength(1)
  return found[0] ?? ''
}

describe('HAR export of a multipart request', () => {
  it('writes each part’s type and filename, and an import of it sends every part as it went, files from the collection folder', async () => {
    const { service, stub, dir } = target
    const csv = join(dir, '..', `har-multipart-${process.pid}-report.csv`)
    writeFileSync(csv, 'id,total\n1,42\n')
    const parts: MultipartPart[] = [
      { kind: 'text', name: 'note', value: 'plain words', enabled: true },
      {
        kind: 'text',
        name: 'meta',
        value: '{"kind":"monthly"}',
        contentType: 'application/json',
        enabled: true,
      },
      { kind: 'file', name: 'report', path: csv, enabled: true },
      { kind: 'file', name: 'raw', path: csv, contentType: 'application/vnd.acme+csv', enabled: true },
      // A part sent under a filename of its own (Yaak's `filename`, curl's `;filename=`): the HAR says that name.
      { kind: 'file', name: 'renamed', path: csv, fileName: 'renamed may.csv', enabled: true },
    ]
    const before = stub.arrived.length
    const r = await send(
      service,
      spec(`${stub.url}/upload`, { method: 'POST', body: { kind: 'multipart', parts } }),
    )
    const sid = done(r).sid
    const first = stub.arrived[before]
    if (!first) throw new Error('nothing arrived')
    const sent = multipartParts(first)
    expect(sent.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['note', null, null],
      ['meta', null, 'application/json'],
      ['report', expect.stringMatching(/report\.csv$/), 'text/csv'],
      ['raw', expect.stringMatching(/report\.csv$/), 'application/vnd.acme+csv'],
      ['renamed', 'renamed may.csv', 'text/csv'],
    ])

    const exported = await service.invoke('har.export', { sids: [sid] })
    if (!exported.ok) throw new Error(exported.error.message)
    const har = JSON.parse(exported.value.har) as HarDocument
    const params = har.log.entries[0]?.request.postData?.params ?? []
    expect(params.map((p) => [p.name, p.value, p.fileName, p.contentType])).toEqual([
      ['note', 'plain words', undefined, undefined],
      ['meta', '{"kind":"monthly"}', undefined, 'application/json'],
      ['report', '', sent[2]?.filename, 'text/csv'],
      ['raw', '', sent[3]?.filename, 'application/vnd.acme+csv'],
      ['renamed', '', 'renamed may.csv', 'text/csv'],
    ])

    // Opened onto the timeline, the recorded parts are the row's request: Edit as new request and Copy as have them.
    const onto = await service.invoke('har.import', { text: exported.value.har, name: 'upload.har' })
    if (!onto.ok) throw new Error(onto.error.message)
    const row = onto.value.sids[0] ?? ''
    const asRequest = await service.invoke('session.request', { sid: row })
    if (!asRequest.ok) throw new Error(asRequest.error.message)
    expect(asRequest.value.body).toEqual({
      kind: 'multipart',
      parts: [
        { kind: 'text', name: 'note', value: 'plain words', enabled: true },
        {
          kind: 'text',
          name: 'meta',
          value: '{"kind":"monthly"}',
          contentType: 'application/json',
          enabled: true,
        },
        {
          kind: 'file',
          name: 'report',
          path: '',
          fileName: basename(csv),
          contentType: 'text/csv',
          enabled: true,
        },
        {
          kind: 'file',
          name: 'raw',
          path: '',
          fileName: basename(csv),
          contentType: 'application/vnd.acme+csv',
          enabled: true,
        },
        {
          kind: 'file',
          name: 'renamed',
          path: '',
          fileName: 'renamed may.csv',
          contentType: 'text/csv',
          enabled: true,
        },
      ],
    })
    const copied = await service.invoke('session.snippet', { sid: row, target: 'shell:curl' })
    if (!copied.ok) throw new Error(copied.error.message)
    expect(copied.value.code).toContain(`--form 'report=@"${basename(csv)}";type=text/csv'`)

    const report = (await importText(exported.value.har, dir)).unmapped.join('\n')
    const name = basename(csv)
    expect(report).toContain(
      `file part "report" (${name}) needs a file: a HAR has no file bytes, choose its file in the Body tab (it is not sent until then)`,
    )
    const opened = await service.invoke('collection.open', { dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const saved = uploadFile(dir)
    // Until its file is chosen, the send fails naming the part rather than read a file of that name.
    writeFileSync(join(dir, name), 'id,total\n1,42\n')
    await expect(sendSaved(service, stub, dir, saved)).rejects.toThrow(
      'Multipart part "report" has no file chosen',
    )
    writeFileSync(join(dir, 'renamed may.csv'), 'id,total\n1,42\n')
    const again = multipartParts(await sendChoosingFiles(service, stub, dir, saved))
    const shape = (p: ArrivedPart | undefined) => [p?.name, p?.filename, p?.contentType, p?.body]
    // Every part comes back: text parts whole, file parts by name and type, read from the collection folder.
    expect(again.map(shape)).toEqual(sent.map(shape))
  })

  it('a timeline row’s Copy as curl sends the parts Flightdeck sent, a file part read from its path', async () => {
    const { service, stub, dir } = target
    const csv = join(dir, '..', `har-multipart-${process.pid}-copy.csv`)
    writeFileSync(csv, 'id,total\n7,9\n')
    const parts: MultipartPart[] = [
      // Starts with @: text, not a file to read.
      { kind: 'text', name: 'note', value: '@not-a-file "quoted"', enabled: true },
      { kind: 'text', name: 'meta', value: '{"n":1}', contentType: 'application/json', enabled: true },
      { kind: 'file', name: 'report', path: csv, enabled: true },
      { kind: 'text', name: 'off', value: 'left out', enabled: false },
    ]
    const before = stub.arrived.length
    const sid = done(
      await send(service, spec(`${stub.url}/upload`, { method: 'POST', body: { kind: 'multipart', parts } })),
    ).sid
    const ours = stub.arrived[before]
    if (!ours) throw new Error('nothing arrived')
    const code = await service.invoke('session.snippet', { sid, target: 'shell:curl' })
    if (!code.ok) throw new Error(code.error.message)
    // The boundary was the sent body's: the snippet's curl makes its own.
    expect(code.value.code).not.toMatch(/boundary=/i)
    const after = stub.arrived.length
    await runTool('sh', ['-c', `${code.value.code} --silent --show-error`], { cwd: dir })
    const theirs = stub.arrived[after]
    if (!theirs) throw new Error('curl sent nothing')
    const shape = (p: ArrivedPart) => `${p.name} ${p.filename} ${p.contentType}: ${p.body}`
    expect(multipartParts(theirs).map(shape)).toEqual(multipartParts(ours).map(shape))
    expect(multipartParts(ours).map(shape)).toEqual([
      'note null null: @not-a-file "quoted"',
      'meta null application/json: {"n":1}',
      `report ${basename(csv)} text/csv: id,total\n7,9\n`,
    ])
    // The other languages write the parts too (the file by its path).
    const fetch = await service.invoke('session.snippet', { sid, target: 'javascript:fetch' })
    if (!fetch.ok) throw new Error(fetch.error.message)
    expect(fetch.value.code).toContain('"note"')
    expect(fetch.value.code).toContain(JSON.stringify(csv))
    // Go by the Code dialog's writer: the body built when the program runs, the file read from its path (it was
    // refused; httpsnippet's own Go sent it empty). snippet-curl-parts runs that writer's code against a stub.
    const go = await service.invoke('session.snippet', { sid, target: 'go:native' })
    if (!go.ok) throw new Error(go.error.message)
    expect(go.value.code).not.toContain('strings.NewReader')
    expect(go.value.code.match(/os\.ReadFile\("[^"]+"\)/g)).toEqual([`os.ReadFile(${JSON.stringify(csv)})`])
    expect(go.value.code).toContain('part.Write([]byte("@not-a-file \\"quoted\\""))')
  })

  // Chrome saves a multipart upload as the body's text (a file's bytes left out) and params of name and value only:
  // the file part is { name: 'receipt', value: '' }, and only the text says its filename and type. Read from the
  // params alone it was sent as an empty text field; the server got no file.
  it('a Chrome HAR upload (params without fileName, the text with it) imports and opens as a file part', async () => {
    const { service, stub, dir } = target
    const boundary = '----WebKitFormBoundaryFd7tQ2cXk9RmLw3A'
    const text = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="note"',
      '',
      'monthly',
      `--${boundary}`,
      'Content-Disposition: form-data; name="receipt"; filename="receipt may.pdf"',
      'Content-Type: application/pdf',
      '',
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n')
    const postData = {
      mimeType: `multipart/form-data; boundary=${boundary}`,
      text,
      params: [
        { name: 'note', value: 'monthly' },
        { name: 'receipt', value: '' },
      ],
    }
    const har = harOfUpload(`${stub.url}/upload`, postData)
    const into = join(dir, 'chrome')
    const report = (await importText(har, into)).unmapped.join('\n')
    expect(report).toContain('file part "receipt" (receipt may.pdf) needs a file')
    expect((await service.invoke('collection.open', { dir: into, create: false })).ok).toBe(true)
    writeFileSync(join(into, 'receipt may.pdf'), '%PDF-1.4 receipt')
    const arrived = multipartParts(await sendChoosingFiles(service, stub, into, uploadFile(into)))
    expect(arrived.map((p) => [p.name, p.filename, p.contentType, p.body])).toEqual([
      ['note', null, null, 'monthly'],
      ['receipt', 'receipt may.pdf', 'application/pdf', '%PDF-1.4 receipt'],
    ])
    // Opened onto the timeline, the row's request has the same file part.
    const onto = await service.invoke('har.import', { text: har, name: 'chrome.har' })
    if (!onto.ok) throw new Error(onto.error.message)
    // The row's details say which part needs its file before Send goes.
    expect(onto.value.filesToChoose).toEqual([
      { index: 0, parts: [{ name: 'receipt', fileName: 'receipt may.pdf' }] },
    ])
    const asRequest = await service.invoke('session.request', { sid: onto.value.sids[0] ?? '' })
    if (!asRequest.ok) throw new Error(asRequest.error.message)
    expect(asRequest.value.body).toEqual({
      kind: 'multipart',
      parts: [
        { kind: 'text', name: 'note', value: 'monthly', enabled: true },
        {
          kind: 'file',
          name: 'receipt',
          path: '',
          fileName: 'receipt may.pdf',
          contentType: 'application/pdf',
          enabled: true,
        },
      ],
    })
  })

  // A guard: httpsnippet writes a part's file name and type into code as they are, so a recorded request's parts
  // must reach it masked (snippet-parts.ts) like a saved request's.
  it('a session snippet does not write a part’s file name or type into code', async () => {
    const { service, stub, dir } = target
    const hostile = join(dir, "a';$(touch pwned);'.txt")
    writeFileSync(hostile, 'x')
    const parts: MultipartPart[] = [
      { kind: 'file', name: 'doc', path: hostile, contentType: "text/plain'; rm -rf ~; '", enabled: true },
    ]
    const sid = done(
      await send(service, spec(`${stub.url}/upload`, { method: 'POST', body: { kind: 'multipart', parts } })),
    ).sid
    // curl gets it as one shell word: run, it sends the file and runs nothing.
    const curl = await service.invoke('session.snippet', { sid, target: 'shell:curl' })
    if (!curl.ok) throw new Error(curl.error.message)
    const before = stub.arrived.length
    await runTool('sh', ['-c', `${curl.value.code} --silent --show-error`], { cwd: dir })
    expect(existsSync(join(dir, 'pwned'))).toBe(false)
    const arrived = stub.arrived[before]
    if (!arrived) throw new Error('curl sent nothing')
    expect(multipartParts(arrived).map((p) => [p.name, p.body])).toEqual([['doc', 'x']])
    // JavaScript and Python get string literals (a JSON string reads back the same in both).
    for (const target of ['python:requests', 'javascript:fetch'] as const) {
      const r = await service.invoke('session.snippet', { sid, target })
      if (!r.ok) throw new Error(r.error.message)
      expect(r.value.code).toContain(JSON.stringify(hostile))
    }
    // PowerShell would get httpsnippet's own multipart text, the file empty and its name unescaped: refused.
    const ps = await service.invoke('session.snippet', { sid, target: 'powershell:restmethod' })
    expect(!ps.ok && ps.error.message).toBe(
      'No powershell:restmethod snippet for a multipart request: Copy as cURL, HTTPie, JavaScript (fetch), Python (requests) or Go writes its parts',
    )
  })
})
