import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/engine/collections/store'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import { multipartFields, savedRequest, sendSaved, useImportTarget } from './import-formats-helpers'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A Bruno collection folder whose requests name files relative to it (`@file(files/a.txt|files/b.txt)` in a
 * multipart part, a `body:file` variant), imported into a folder elsewhere: the imported requests read the
 * same files, copied into the collection (no folder to allow). A path that leads outside the Bruno folder (`../`,
 * or a link inside it pointing out) is not copied, is named in the report, and its request sends nothing.
 * Checked where the requests arrive.
 */

const t = useImportTarget('fd-bruno-files')
let root = ''

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'fd-bruno-files-src-')))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function bru(name: string, url: string, body: string, block: string): string {
  return `meta {\n  name: ${name}\n  type: http\n  seq: 1\n}\n\npost {\n  url: ${url}\n  body: ${body}\n  auth: none\n}\n\n${block}\n`
}

/** The Bruno folder: its requests, its files, and a secret beside it (outside it) that one path reaches for. */
function writeBruno(stub: string): string {
  const src = join(root, 'receipts-bruno')
  mkdirSync(join(src, 'files'), { recursive: true })
  writeFileSync(
    join(src, 'bruno.json'),
    JSON.stringify({ version: '1', name: 'Receipts', type: 'collection' }),
  )
  writeFileSync(join(src, 'files', 'a.txt'), 'scan a')
  writeFileSync(join(src, 'files', 'b.txt'), 'scan b')
  writeFileSync(join(src, 'files', 'body.json'), '{"total":4.5}')
  writeFileSync(join(root, 'secret.txt'), 'do not send')
  symlinkSync(join(root, 'secret.txt'), join(src, 'files', 'link.txt'))
  const multipart = (file: string): string =>
    `body:multipart-form {\n  store: Corner Cafe\n  scans: @file(${file}) @contentType(text/plain)\n}`
  writeFileSync(
    join(src, 'upload.bru'),
    bru('Upload', `${stub}/upload`, 'multipartForm', multipart('files/a.txt|files/b.txt')),
  )
  writeFileSync(
    join(src, 'send-file.bru'),
    bru(
      'Send file',
      `${stub}/file`,
      'file',
      'body:file {\n  file: @file(files/body.json) @contentType(application/json)\n}',
    ),
  )
  writeFileSync(
    join(src, 'escape.bru'),
    bru('Escape', `${stub}/escape`, 'multipartForm', multipart('../secret.txt')),
  )
  writeFileSync(
    join(src, 'link.bru'),
    bru('Link', `${stub}/link`, 'multipartForm', multipart('files/link.txt')),
  )
  return src
}

describe('Bruno file paths relative to the collection', () => {
  it('are copied into the imported collection, which sends them; one leading outside is refused', async () => {
    const src = writeBruno(t.stub.url)
    const r = await runImport({ file: src }, 'auto', t.dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    const report = r.value.unmapped.join('\n')
    expect(report).not.toContain('copy them there')
    for (const [request, file] of [
      ['Upload', 'a.txt'],
      ['Upload', 'b.txt'],
      ['Send file', 'body.json'],
    ] as const)
      expect(report).toContain(
        `${request}: file "files/${file}" copied from the Bruno collection: written to ${join(t.dir, '.bruno-files', 'files', file)}, which the request sends`,
      )
    expect(report).toContain(
      `Escape: file "../secret.txt" leads outside the Bruno collection's folder (after its links are followed); kept as written`,
    )
    expect(report).toContain(`Link: file "files/link.txt" leads outside the Bruno collection's folder`)
    expect((await savedRequest(t.dir, 'escape.yaml')).body).toMatchObject({
      kind: 'multipart',
      parts: [{ name: 'store' }, { name: 'scans', path: '../secret.txt' }],
    })

    expect((await savedRequest(t.dir, 'upload.yaml')).body).toMatchObject({
      parts: [{ name: 'store' }, { path: '.bruno-files/files/a.txt' }, { path: '.bruno-files/files/b.txt' }],
    })

    const opened = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    // The collection holds its copies: no folder is allowed, and the Bruno folder may change or go.
    writeFileSync(join(src, 'files', 'a.txt'), 'changed in Bruno')
    const upload = await sendSaved(t.service, t.stub, t.dir, 'upload.yaml')
    expect(multipartFields(upload)).toEqual({ store: 'Corner Cafe', scans: 'scan b' })
    expect(upload.body).toContain('scan a')
    const file = await sendSaved(t.service, t.stub, t.dir, 'send-file.yaml')
    expect(file.body).toBe('{"total":4.5}')
    expect(file.headers['content-type']).toBe('application/json')

    const before = t.stub.arrived.length
    await expect(sendSaved(t.service, t.stub, t.dir, 'escape.yaml')).rejects.toThrow()
    await expect(sendSaved(t.service, t.stub, t.dir, 'link.yaml')).rejects.toThrow()
    expect(t.stub.arrived.length).toBe(before)
  })

  it("into an existing collection: the copies go below the import's own folder, and the requests send them", async () => {
    const made = await createCollection(t.dir, 'Shop')
    if (!made.ok) throw new Error(made.error.message)
    const src = writeBruno(t.stub.url)
    const r = await runImport({ file: src }, 'auto', t.dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    const folder = readdirSync(t.dir).find(
      (n) => statSync(join(t.dir, n)).isDirectory() && !n.startsWith('.'),
    )
    expect(folder).toBeDefined()
    const at = `${folder}/.bruno-files/files`
    expect((await savedRequest(t.dir, `${folder}/upload.yaml`)).body).toMatchObject({
      parts: [{ name: 'store' }, { path: `${at}/a.txt` }, { path: `${at}/b.txt` }],
    })
    const opened = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const upload = await sendSaved(t.service, t.stub, t.dir, `${folder}/upload.yaml`)
    expect(upload.body).toContain('scan a')
    expect(multipartFields(upload)).toEqual({ store: 'Corner Cafe', scans: 'scan b' })
    expect((await sendSaved(t.service, t.stub, t.dir, `${folder}/send-file.yaml`)).body).toBe('{"total":4.5}')
  })
})
