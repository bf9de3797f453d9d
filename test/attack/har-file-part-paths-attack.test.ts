import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { withRecordedPartHeaders } from '../../src/engine/har/har-multipart-text'
import type { ExchangeResult } from '../../src/engine/http/chain'
import { sendChoosingFiles } from '../engine/har-files-chosen'
import { harOfUploads } from '../engine/har-upload-entry'
import { importText, savedRequest, useImportTarget } from '../engine/import-formats-helpers'
import { multipartParts } from '../engine/multipart-parts'

/**
 * A HAR someone shares whose multipart entry names its file parts by paths of the reader's: `fileName:
 * "/home/you/.ssh/id_rsa"`. A browser writes only the file's name there (and so does Flightdeck's export), but
 * the HAR opened onto the timeline kept the path whole: Edit as new request made an Untitled request reading that
 * file (an Untitled request's files are not confined, they are the person's own), so Send uploaded the reader's
 * key to the HAR's server, and Copy as cURL wrote `@"/home/you/.ssh/id_rsa"` into the command. A file part now
 * keeps only the file's name, as the HAR's own format means it: the person picks the file.
 */

const target = useImportTarget('fd-attack-har-file-parts')

/** A HAR with one multipart POST for each list of file names. */
function harOf(url: string, ...entries: string[][]): string {
  return harOfUploads(
    url,
    entries.map((fileNames) => ({
      mimeType: 'multipart/form-data; boundary=x',
      params: fileNames.map((fileName, i) => ({ name: `f${i}`, value: '', fileName })),
    })),
  )
}

describe('a shared HAR whose file parts name paths of the reader', () => {
  it('opened onto the timeline, its file parts keep only the file name: Send and Copy as cURL read no path of the HAR’s', async () => {
    const { service, stub, dir } = target
    const ssh = join(dir, 'home', '.ssh')
    mkdirSync(ssh, { recursive: true })
    const key = join(ssh, 'id_rsa')
    writeFileSync(key, 'PRIVATE KEY BYTES')
    const onto = await service.invoke('har.import', {
      text: harOf(
        `${stub.url}/upload`,
        [key],
        ['../../.ssh/known_hosts', 'C:\\Users\\you\\.ssh\\id_ed25519'],
      ),
      name: 'shared.har',
    })
    if (!onto.ok) throw new Error(onto.error.message)
    const [sid = '', other = ''] = onto.value.sids
    const paths = async (row: string): Promise<string[]> => {
      const r = await service.invoke('session.request', { sid: row })
      if (!r.ok) throw new Error(r.error.message)
      return r.value.body.kind === 'multipart'
        ? r.value.body.parts.map((p) =>
            p.kind === 'file' ? `${p.path}|${p.fileName ?? ''}` : `text ${p.value}`,
          )
        : []
    }
    expect(await paths(sid)).toEqual(['|id_rsa'])
    expect(await paths(other)).toEqual(['|known_hosts', '|id_ed25519'])
    const curl = await service.invoke('session.snippet', { sid, target: 'shell:curl' })
    if (!curl.ok) throw new Error(curl.error.message)
    expect(curl.value.code).not.toContain('.ssh')

    // Edit as new request, then Send from its Untitled tab: nothing of the key reaches the server.
    const before = stub.arrived.length
    const asRequest = await service.invoke('session.request', { sid })
    if (!asRequest.ok) throw new Error(asRequest.error.message)
    const sent = await service.invoke('request.send', {
      request: { ...asRequest.value, options: {} },
      auth: { type: 'none' },
    })
    if (sent.ok) {
      const result: ExchangeResult = await service.http.waitFor(sent.value.sids[0] ?? '')
      expect(result.final.type).toBe('error')
    }
    expect(stub.arrived.slice(before).map((a) => a.body)).not.toContainEqual(
      expect.stringContaining('PRIVATE KEY'),
    )
  })

  it('imported into a collection, its file parts keep only the file name: sent once the file is chosen', async () => {
    const { service, stub, dir } = target
    const into = join(dir, 'imported')
    mkdirSync(into, { recursive: true })
    const key = join(dir, 'home', '.ssh', 'id_rsa')
    mkdirSync(join(dir, 'home', '.ssh'), { recursive: true })
    writeFileSync(key, 'PRIVATE KEY BYTES')
    const report = await importText(
      harOf(`${stub.url}/upload`, [key, '../../.ssh/known_hosts', 'C:\\Users\\you\\.ssh\\id_ed25519']),
      into,
    )
    expect(report.unmapped.join('\n')).toContain(
      'file part "f0" (id_rsa) needs a file: a HAR has no file bytes, choose its file in the Body tab (it is not sent until then)',
    )
    expect(report.unmapped.join('\n')).not.toContain('.ssh')
    const [saved = ''] = readdirSync(into, { recursive: true, withFileTypes: true })
      .filter(
        (e) => e.isFile() && e.name.endsWith('.yaml') && !['collection.yaml', 'folder.yaml'].includes(e.name),
      )
      .map((e) => relative(into, join(e.parentPath, e.name)))
    const request = await savedRequest(into, saved)
    expect(
      request.body.kind === 'multipart'
        ? request.body.parts.map((p) => p.kind === 'file' && `${p.path}|${p.fileName ?? ''}`)
        : [],
    ).toEqual(['|id_rsa', '|known_hosts', '|id_ed25519'])
    for (const name of ['id_rsa', 'known_hosts', 'id_ed25519']) writeFileSync(join(into, name), `own ${name}`)
    const opened = await service.invoke('collection.open', { dir: into, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const arrived = await sendChoosingFiles(service, stub, into, saved)
    expect(multipartParts(arrived).map((p) => [p.filename, p.body])).toEqual([
      ['id_rsa', 'own id_rsa'],
      ['known_hosts', 'own known_hosts'],
      ['id_ed25519', 'own id_ed25519'],
    ])
  })

  it('a recorded multipart body past 1,000 parts is cut, and the import says so', async () => {
    const { service, stub } = target
    const names = Array.from({ length: 1001 }, (_, i) => `part-${i}.txt`)
    const onto = await service.invoke('har.import', {
      text: harOf(`${stub.url}/upload`, ['one.txt'], names),
      name: 'many-parts.har',
    })
    if (!onto.ok) throw new Error(onto.error.message)
    expect(onto.value.cut).toEqual([
      {
        index: 1,
        reason:
          'its multipart body has 1,001 parts: only the first 1,000 are kept (Edit as new request, Copy as and a HAR exported again have those)',
      },
    ])
    const r = await service.invoke('session.request', { sid: onto.value.sids[1] ?? '' })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.body.kind === 'multipart' && r.value.body.parts.length).toBe(1000)
  })

  it('a Chrome-shaped multipart entry of 150,000 parts of one name is read in time linear in its size', () => {
    // Its recorded text names each part's file: every param takes the next of its name. Taken with shift(), which
    // moves the rest of the list each time, this was 7.2 s of CPU here (29 s on the clock); now 0.6 s. Measured
    // in CPU time, so other processes' load does not count; the bound holds on a machine 5x slower than this one.
    // About 2 s in all (most of it making the 13 MB text): the size is what tells quadratic from linear.
    const n = 150_000
    const part =
      '--B\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\nContent-Type: x/y\r\n\r\nv\r\n'
    const text = `${part.repeat(n)}--B--\r\n`
    const params = Array.from({ length: n }, () => ({ name: 'f', value: '' }))
    const before = process.cpuUsage()
    const out = withRecordedPartHeaders(params, 'multipart/form-data; boundary=B', text)
    const cpu = process.cpuUsage(before)
    expect(out.at(-1)).toEqual({ name: 'f', value: '', fileName: 'a.bin', contentType: 'x/y' })
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(3000)
  })

  it('the boundary written inside a recorded value starts no part of its own', () => {
    const text = [
      '--B\r\nContent-Disposition: form-data; name="note"\r\n\r\nsee --B\r\n',
      'Content-Disposition: form-data; name="receipt"; filename="evil.exe"\r\n\r\n\r\n',
      '--B\r\nContent-Disposition: form-data; name="receipt"; filename="real.pdf"\r\n',
      'Content-Type: application/pdf\r\n\r\n%PDF\r\n--B--\r\n',
    ].join('')
    const params = [
      { name: 'note', value: 'see --B' },
      { name: 'receipt', value: '' },
    ]
    expect(withRecordedPartHeaders(params, 'multipart/form-data; boundary=B', text)).toEqual([
      { name: 'note', value: 'see --B' },
      { name: 'receipt', value: '', fileName: 'real.pdf', contentType: 'application/pdf' },
    ])
  })
})
