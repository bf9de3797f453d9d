import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importText, sendSaved, useImportTarget, type Arrived } from './import-formats-helpers'
import { multipartParts } from './multipart-parts'
import { NEWMAN_TEST_MS } from '../helpers/cold-start'

/**
 * A file sent with no Content-Type of its own goes as the type its name says, as Postman, Insomnia, Bruno and
 * Yaak send it: a form-data file part and a binary body, checked against what Postman's own runner (newman)
 * sends for the same collection.
 */

const t = useImportTarget('fd-file-type')

type NewmanRun = (
  options: { collection: unknown; reporters: string[]; timeout?: number },
  done: (err: Error | null) => void,
) => unknown
const require = createRequire(import.meta.url)
const newmanRun = (collection: unknown): Promise<void> =>
  new Promise((resolve, reject) => {
    const { run } = require('newman') as { run: NewmanRun }
    run({ collection, reporters: [], timeout: 20_000 }, (err) => (err ? reject(err) : resolve()))
  })

/** A Postman v2.1 collection: an upload with untyped and typed file rows, and a binary body. */
function collection(dir: string): unknown {
  return {
    info: {
      name: 'Uploads',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    item: [
      {
        name: 'Upload receipt',
        request: {
          method: 'POST',
          header: [],
          url: `${t.stub.url}/uploads`,
          body: {
            mode: 'formdata',
            formdata: [
              { key: 'receipt', type: 'file', src: join(dir, 'receipt.csv') },
              { key: 'scan', type: 'file', src: join(dir, 'scan.PNG') },
              { key: 'raw', type: 'file', src: join(dir, 'dump.unknownext') },
              { key: 'typed', type: 'file', src: join(dir, 'receipt.csv'), contentType: 'text/x-receipt' },
            ],
          },
        },
      },
      {
        name: 'Put scan',
        request: {
          method: 'PUT',
          header: [],
          url: `${t.stub.url}/scans/1`,
          body: { mode: 'file', file: { src: join(dir, 'order.json') } },
        },
      },
    ],
  }
}

/** The collection imported into this test's folder and opened, with its files beside it. */
async function imported(c: unknown): Promise<void> {
  await importText(JSON.stringify(c), t.dir)
  const r = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!r.ok) throw new Error(r.error.message)
  files(t.dir)
}

function files(dir: string): void {
  writeFileSync(join(dir, 'receipt.csv'), 'item,total\ncoffee,2.50\n')
  writeFileSync(join(dir, 'scan.PNG'), 'not really a png')
  writeFileSync(join(dir, 'dump.unknownext'), 'bytes')
  writeFileSync(join(dir, 'order.json'), '{"id":1}')
}

const parts = (a: Arrived): string[] =>
  multipartParts(a).map((p) => `${p.name} ${p.filename} ${p.contentType} ${p.body}`)

describe('a file with no Content-Type of its own', { timeout: NEWMAN_TEST_MS }, () => {
  it('a form-data file part goes as its name says, the same parts newman sends; a typed one keeps its type', async () => {
    const c = collection(t.dir)
    await imported(c)
    const ours = await sendSaved(t.service, t.stub, t.dir, 'upload-receipt.yaml')
    expect(parts(ours)).toEqual([
      'receipt receipt.csv text/csv item,total\ncoffee,2.50\n',
      'scan scan.PNG image/png not really a png',
      'raw dump.unknownext application/octet-stream bytes',
      'typed receipt.csv text/x-receipt item,total\ncoffee,2.50\n',
    ])
    const before = t.stub.arrived.length
    await newmanRun(c)
    const theirs = t.stub.arrived.slice(before).find((a) => a.url === '/uploads')
    if (!theirs) throw new Error('newman sent no upload')
    expect(parts(ours)).toEqual(parts(theirs))
  })

  it('a binary body goes with the type its name says, as newman sends it', async () => {
    const c = collection(t.dir)
    await imported(c)
    const ours = await sendSaved(t.service, t.stub, t.dir, 'put-scan.yaml')
    expect(ours.headers['content-type']).toBe('application/json')
    expect(ours.body).toBe('{"id":1}')
    const before = t.stub.arrived.length
    await newmanRun(c)
    const theirs = t.stub.arrived.slice(before).find((a) => a.url === '/scans/1')
    expect(theirs?.headers['content-type']).toBe(ours.headers['content-type'])
  })
})
