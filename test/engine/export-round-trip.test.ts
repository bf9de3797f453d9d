import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fixtureText, runToEnd, useImportTarget, type Arrived } from './import-formats-helpers'
import { multipartParts } from './multipart-parts'
import { HANG_GUARD_MS, guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * Collections go out the way they came in: a Postman collection of our own writing (form-data rows with their
 * own types, a file row with none, a binary body, HTML and XML raw bodies, folder auth, collection variables, a
 * switched-off header) is imported, run against a stub, exported to Postman, Insomnia and Bruno, the export
 * imported again and run: both runs must send the same requests, down to each multipart part's type and bytes.
 */

const target = useImportTarget('fd-round-trip')

async function importInto(from: { file?: string; text?: string }, name: string): Promise<string> {
  const dir = join(target.dir, name)
  const r = await target.service.invoke('import.run', { format: 'auto', ...from, into: dir })
  if (!r.ok) throw new Error(r.error.message)
  // A Bruno folder's requests read their files from it (the import points them there): they go there, allowed.
  const files = from.file ?? dir
  writeFileSync(join(files, 'receipt.csv'), 'item,total\r\ncoffee,2.50\r\n')
  writeFileSync(join(files, 'scan.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]))
  writeFileSync(join(files, 'order.json'), '{"id":1,"lines":[]}')
  if (from.file !== undefined) {
    const allowed = await target.service.invoke('files.allow', { folder: from.file })
    if (!allowed.ok) throw new Error(allowed.error.message)
  }
  return dir
}

type NewmanRun = (
  options: { collection: unknown; workingDir: string; reporters: string[]; timeout?: number },
  done: (err: Error | null) => void,
) => unknown
const require = createRequire(import.meta.url)
const newmanRun = (collection: unknown, workingDir: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const { run } = require('newman') as { run: NewmanRun }
    run({ collection, workingDir, reporters: [], timeout: HANG_GUARD_MS - 10_000 }, (err) =>
      err ? reject(err) : resolve(),
    )
  })

/** Each request a run sent, as the server saw it: request line, the headers the collection sets, body or parts. */
async function sent(dir: string): Promise<string[]> {
  target.stub.arrived.length = 0
  await runToEnd(target.service, dir, '')
  return arrived()
}

function arrived(): string[] {
  expect(target.stub.arrived).toHaveLength(4)
  return target.stub.arrived
    .map((a: Arrived) => {
      const type = String(a.headers['content-type'] ?? '(none)')
      const head = [
        `${a.method} ${a.url}`,
        `authorization: ${String(a.headers['authorization'])}`,
        `x-tenant: ${String(a.headers['x-tenant'])}`,
        `x-debug: ${String(a.headers['x-debug'])}`,
        `content-type: ${type.replace(/; boundary=.*/, '')}`,
      ]
      const body = type.startsWith('multipart/')
        ? multipartParts(a).map((p) => `  part ${p.name} ${p.filename} ${p.contentType}: ${p.body}`)
        : [`  ${a.body}`]
      return [...head, ...body].join('\n')
    })
    .sort()
}

async function exported(
  dir: string,
  format: 'postman' | 'insomnia' | 'bruno',
): Promise<{ from: { file?: string; text?: string }; skipped: string[] }> {
  const file = format === 'bruno' ? join(target.dir, 'to-bruno') : undefined
  const out = await target.service.invoke('export.collection', { dir, format, ...(file ? { file } : {}) })
  if (!out.ok) throw new Error(out.error.message)
  return { from: file ? { file } : { text: out.value.text }, skipped: out.value.skipped ?? [] }
}

describe('a Postman collection imported, exported and imported again sends what it sent', () => {
  it('the first run sends each part with its own type, the untyped file by its name', async () => {
    const a = await importInto({ text: fixtureText('postman-roundtrip.json', target.stub.url) }, 'a')
    const first = await sent(a)
    expect(first.join('\n\n')).toContain(
      [
        'POST /uploads?kind=receipt',
        'authorization: Bearer t-1',
        'x-tenant: acme',
        'x-debug: undefined',
        'content-type: multipart/form-data',
        '  part meta null application/json: {"total":12.5,"currency":"EUR"}',
        '  part note null null: paid in cash',
        '  part receipt receipt.csv text/csv: item,total\r\ncoffee,2.50\r\n',
      ].join('\n'),
    )
    expect(first.join('\n')).toContain('  part typed receipt.csv text/x-receipt: ')
    expect(first.join('\n')).toContain(
      'PUT /orders/1\nauthorization: Bearer t-1\nx-tenant: undefined\nx-debug: undefined\ncontent-type: application/json',
    )
    expect(first.join('\n')).toContain(
      'POST /pages\nauthorization: undefined\nx-tenant: undefined\nx-debug: undefined\ncontent-type: text/html',
    )
  })

  for (const format of ['postman', 'bruno'] as const) {
    it(`${format}: every request the same, part types and bytes included`, async () => {
      const a = await importInto({ text: fixtureText('postman-roundtrip.json', target.stub.url) }, 'a')
      const before = await sent(a)
      const out = await exported(a, format)
      const b = await importInto(out.from, 'b')
      expect(await sent(b)).toEqual(before)
      expect(out.skipped.join('\n')).not.toMatch(/typed|meta|order/)
    })
  }

  it('postman: newman (Postman’s own runner) runs the export and sends what Flightdeck sent', async () => {
    const a = await importInto({ text: fixtureText('postman-roundtrip.json', target.stub.url) }, 'a')
    const before = await sent(a)
    const out = await exported(a, 'postman')
    const json = JSON.parse(out.from.text ?? '') as {
      item: { name: string; request?: { header: unknown[]; body: unknown } }[]
    }
    // An HTML or XML body needs no header: its raw language makes Postman send the type.
    expect(json.item.find((i) => i.name === 'Post page')?.request).toMatchObject({
      header: [],
      body: { options: { raw: { language: 'html' } } },
    })
    target.stub.arrived.length = 0
    await newmanRun(json, a)
    expect(arrived()).toEqual(before)
  })

  it('insomnia: the same, but a file part typed unlike its name goes by its name there, and the export says so', async () => {
    const a = await importInto({ text: fixtureText('postman-roundtrip.json', target.stub.url) }, 'a')
    const before = await sent(a)
    const out = await exported(a, 'insomnia')
    expect(out.skipped).toContain(
      'uploads/upload-receipt.yaml: file part "typed" goes as text/csv in Insomnia, not text/x-receipt (Insomnia types a file part by its name)',
    )
    const b = await importInto(out.from, 'b')
    const expected = before.map((s) =>
      s.replace('part typed receipt.csv text/x-receipt:', 'part typed receipt.csv text/csv:'),
    )
    expect(await sent(b)).toEqual(expected)
  })
})
