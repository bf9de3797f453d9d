import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createCollection, saveRequest } from '../../src/engine/collections/store'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'
import {
  savedRequest,
  sendSaved,
  startStub,
  useImportTarget,
  type Arrived,
  type Stub,
} from './import-formats-helpers'
import { multipartParts } from './multipart-parts'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A Flightdeck collection whose requests send files (a multipart file part, a file body, a part read from a
 * folder the person allowed outside the collection), exported to Bruno and imported back into a new collection:
 * the Bruno folder holds copies of the collection's files, the import copies them back, and each request sends
 * the same bytes at a stub server, with no Bruno folder allowed.
 */

const t = useImportTarget('fd-bruno-round-trip')
let root = ''
/** Keeps each body's bytes (latin1: a char a byte). */
let stub: Stub

beforeAll(async () => {
  stub = await startStub('latin1')
})
afterAll(async () => {
  await stub.close()
})

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'fd-bruno-round-trip-src-')))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

const SCAN = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x7f])

async function write(dir: string, rel: string, patch: Partial<SavedRequest>): Promise<void> {
  const r = await saveRequest(dir, rel, { ...emptySavedRequest(rel.replace('.yaml', '')), ...patch }, null)
  if (!r.ok) throw new Error(r.error.message)
}

/** The collection: its files inside it, and a note in an allowed folder beside it. */
async function collection(stub: string): Promise<string> {
  const dir = join(root, 'shop')
  const made = await createCollection(dir, 'Shop')
  if (!made.ok) throw new Error(made.error.message)
  mkdirSync(join(dir, 'files'))
  writeFileSync(join(dir, 'files', 'scan.png'), SCAN)
  writeFileSync(join(dir, 'order.json'), '{"id":7,"lines":["café"]}')
  mkdirSync(join(root, 'shared'))
  writeFileSync(join(root, 'shared', 'note.txt'), 'kept in an allowed folder')
  await write(dir, 'upload.yaml', {
    method: 'POST',
    url: `${stub}/upload`,
    body: {
      kind: 'multipart',
      parts: [
        { kind: 'text', name: 'store', value: 'Corner Cafe', enabled: true },
        { kind: 'file', name: 'scan', path: 'files/scan.png', contentType: 'image/png', enabled: true },
        { kind: 'file', name: 'note', path: '../shared/note.txt', enabled: true },
      ],
    },
  })
  await write(dir, 'put-order.yaml', {
    method: 'PUT',
    url: `${stub}/orders/7`,
    body: { kind: 'file', path: 'order.json', contentType: 'application/json' },
  })
  return dir
}

/** Each part as the server split it: name, file name, type and bytes (base64, so binary compares whole). */
function parts(a: Arrived): string[] {
  return multipartParts(a).map(
    (p) => `${p.name} ${p.filename} ${p.contentType}: ${Buffer.from(p.body, 'latin1').toString('base64')}`,
  )
}

describe('a collection exported to Bruno and imported back', () => {
  it('sends the same files, byte for byte, with no Bruno folder allowed', async () => {
    const dir = await collection(stub.url)
    const allowed = await t.service.invoke('files.allow', { folder: join(root, 'shared') })
    if (!allowed.ok) throw new Error(allowed.error.message)
    const opened = await t.service.invoke('collection.open', { dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const first = await sendSaved(t.service, stub, dir, 'upload.yaml')
    const firstOrder = await sendSaved(t.service, stub, dir, 'put-order.yaml')

    const bruno = join(root, 'shop-bruno')
    const out = await t.service.invoke('export.collection', { dir, format: 'bruno', file: bruno })
    if (!out.ok) throw new Error(out.error.message)
    // The Bruno folder holds the collection's files where its requests name them; the allowed one by full path.
    expect(readFileSync(join(bruno, 'files', 'scan.png'))).toEqual(SCAN)
    expect(readFileSync(join(bruno, 'upload.bru'), 'utf8')).toContain(
      `note: @file(${join(root, 'shared', 'note.txt')})`,
    )
    expect((out.value.skipped ?? []).join('\n')).toContain(
      `upload.yaml: file "../shared/note.txt" is outside the collection: written as its full path (${join(root, 'shared', 'note.txt')}), not copied`,
    )

    const back = join(t.dir, 'back')
    const imported = await t.service.invoke('import.run', { format: 'auto', file: bruno, into: back })
    if (!imported.ok) throw new Error(imported.error.message)
    expect(imported.value.unmapped.join('\n')).not.toMatch(/outside|allow/)
    const reopened = await t.service.invoke('collection.open', { dir: back, create: false })
    if (!reopened.ok) throw new Error(reopened.error.message)
    // The Bruno folder may go: the imported collection holds its copies.
    rmSync(bruno, { recursive: true, force: true })
    const again = await sendSaved(t.service, stub, back, 'upload.yaml')
    expect(parts(again)).toEqual(parts(first))
    expect(parts(again)).toContain(`scan scan.png image/png: ${SCAN.toString('base64')}`)
    expect(multipartParts(again).find((p) => p.name === 'note')?.body).toBe('kept in an allowed folder')
    const order = await sendSaved(t.service, stub, back, 'put-order.yaml')
    expect(Buffer.from(order.body, 'latin1').toString('utf8')).toBe('{"id":7,"lines":["café"]}')
    expect(order.body).toBe(firstOrder.body)
    expect(order.headers['content-type']).toBe('application/json')
    expect((await savedRequest(back, 'put-order.yaml')).body).toMatchObject({
      path: '.bruno-files/order.json',
    })
  })
})
