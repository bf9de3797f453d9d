import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dump, load } from 'js-yaml'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from './helpers'
import {
  fixtureText,
  savedRequest,
  sendSaved,
  startStub,
  type Arrived,
  type Stub,
} from './import-formats-helpers'
import { multipartParts } from './multipart-parts'

/**
 * A curl snippet sends what Flightdeck sends: the snippet of a form-data upload (a JSON part, a text part whose
 * value starts with `@`, typed and untyped file parts) and of a binary body, run by the real curl against the
 * stub, arrives with the same parts, types and bytes as Flightdeck's own request. The Go snippet of the upload
 * reads its files (httpsnippet's Go sent them empty) and, where Go is installed, sends the same parts.
 */

/** Go's toolchain, when this machine has one (CI does not install it: the Go case then checks the code only). */
const GO = ((): string | null => {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8', timeout: 10_000 }) ? 'go' : null
  } catch {
    return null
  }
})()

let stub: Stub
let work: string
let dir: string
let service: EngineService
beforeAll(async () => {
  stub = await startStub()
})
afterAll(async () => {
  await stub.close()
})
beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'fd-curl-parts-'))
  service = makeService({ configDir: join(work, 'config'), persistWorkspace: false, watchCollections: false })
  dir = join(work, 'c')
  const text = fixtureText('postman-roundtrip.json', stub.url).replace(
    '"value": "paid in cash"',
    '"value": "@receipt.csv \\"in cash\\""',
  )
  const r = await service.invoke('import.run', { format: 'auto', text, into: dir })
  if (!r.ok) throw new Error(r.error.message)
  const opened = await service.invoke('collection.open', { dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
  writeFileSync(join(dir, 'receipt.csv'), 'item,total\r\ncoffee,2.50\r\n')
  writeFileSync(join(dir, 'scan.png'), 'png bytes')
  writeFileSync(join(dir, 'order.json'), '{"id":1}')
})
afterEach(async () => {
  await service.dispose()
  rmSync(work, { recursive: true, force: true })
})

/** The request's curl snippet run by curl in the collection folder; what arrived. */
async function curlSent(path: string): Promise<Arrived> {
  const snippet = await service.invoke('export.request', { dir, path, target: 'curl' })
  if (!snippet.ok) throw new Error(snippet.error.message)
  const before = stub.arrived.length
  await new Promise<void>((resolve, reject) =>
    execFile(
      'sh',
      ['-c', `${snippet.value.text} --silent --show-error`],
      { cwd: dir, timeout: 15_000 },
      (e) => (e ? reject(e) : resolve()),
    ),
  )
  const got = stub.arrived[before]
  if (!got) throw new Error('curl sent nothing')
  return got
}

const parts = (a: Arrived): string[] =>
  multipartParts(a).map((p) => `${p.name} ${p.filename} ${p.contentType}: ${p.body}`)

describe('a curl snippet', () => {
  it('of a form-data upload sends each part as Flightdeck does: same types, same bytes, an @ value as text', async () => {
    const ours = await sendSaved(service, stub, dir, 'uploads/upload-receipt.yaml')
    expect(parts(ours)).toContain('note null null: @receipt.csv "in cash"')
    expect(parts(ours)).toContain('receipt receipt.csv text/csv: item,total\r\ncoffee,2.50\r\n')
    const theirs = await curlSent('uploads/upload-receipt.yaml')
    expect(parts(theirs)).toEqual(parts(ours))
  })

  it("of a file part with its own filename (curl's ;filename=) sends it under that name, as Flightdeck does", async () => {
    const file = join(dir, 'uploads', 'upload-receipt.yaml')
    const saved = load(readFileSync(file, 'utf8')) as {
      body: { parts: { name: string; fileName?: string }[] }
    }
    const receipt = saved.body.parts.find((p) => p.name === 'receipt')
    if (!receipt) throw new Error('no receipt part in the fixture')
    receipt.fileName = 'march "final".csv'
    writeFileSync(file, dump(saved))
    const ours = await sendSaved(service, stub, dir, 'uploads/upload-receipt.yaml')
    expect(parts(ours)).toContain('receipt march %22final%22.csv text/csv: item,total\r\ncoffee,2.50\r\n')
    const theirs = await curlSent('uploads/upload-receipt.yaml')
    expect(parts(theirs)).toEqual(parts(ours))
  })

  // ~2 s: two curl imports (curlconverter's parser is the slowest module to load) and a snippet.
  it("read back from curl keeps each part's ;filename= and ;type=: import, Copy as curl, import give the same parts", async () => {
    const command = `curl ${stub.url}/uploads -F 'receipt=@receipt.csv;filename="march final.csv";type=text/x-receipt' -F 'meta={"a":1};type=application/json' -F 'scan=@scan.png'`
    const parts = async (text: string, into: string): Promise<unknown> => {
      const r = await service.invoke('import.run', { format: 'curl', text, into: join(work, into) })
      if (!r.ok) throw new Error(r.error.message)
      expect(r.value.unmapped).toEqual([])
      return (await savedRequest(join(work, into), r.value.path ?? '')).body
    }
    const first = await parts(command, 'first')
    expect(first).toEqual({
      kind: 'multipart',
      parts: [
        { kind: 'text', name: 'meta', value: '{"a":1}', contentType: 'application/json', enabled: true },
        {
          kind: 'file',
          name: 'receipt',
          path: 'receipt.csv',
          contentType: 'text/x-receipt',
          fileName: 'march final.csv',
          enabled: true,
        },
        { kind: 'file', name: 'scan', path: 'scan.png', enabled: true },
      ],
    })
    const opened = await service.invoke('collection.open', { dir: join(work, 'first'), create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const snippet = await service.invoke('export.request', {
      dir: join(work, 'first'),
      path: 'post-uploads.yaml',
      target: 'curl',
    })
    if (!snippet.ok) throw new Error(snippet.error.message)
    // Copy as curl writes the type curl would otherwise guess (scan.png's): the same part, the type said.
    expect(await parts(snippet.value.text, 'back')).toEqual({
      kind: 'multipart',
      parts: (first as { parts: object[] }).parts.map((p) =>
        'path' in p && p.path === 'scan.png' ? { ...p, contentType: 'image/png' } : p,
      ),
    })
  })

  it('of a binary body sends the type the file’s name says, as Flightdeck does', async () => {
    const ours = await sendSaved(service, stub, dir, 'uploads/put-order.yaml')
    const theirs = await curlSent('uploads/put-order.yaml')
    expect(theirs.headers['content-type']).toBe('application/json')
    expect(theirs.headers['content-type']).toBe(ours.headers['content-type'])
    expect(theirs.body).toBe(ours.body)
  })
})

describe('a Go snippet', () => {
  it('of a form-data upload reads each file from its path and, run, sends each part as Flightdeck does', async () => {
    // With Go installed this compiles and runs a program (~2 s with a warm build cache, ~20 s on the first
    // net/http build); without it only the code is checked.
    const snippet = await service.invoke('export.request', {
      dir,
      path: 'uploads/upload-receipt.yaml',
      target: 'go',
    })
    if (!snippet.ok) throw new Error(snippet.error.message)
    const code = snippet.value.text
    // Before, the body was one string with every file part empty.
    expect(code).not.toContain('strings.NewReader')
    expect(code.match(/os\.ReadFile\("[^"]+"\)/g)).toEqual([
      'os.ReadFile("receipt.csv")',
      'os.ReadFile("scan.png")',
      'os.ReadFile("receipt.csv")',
    ])
    if (!GO) return
    const ours = await sendSaved(service, stub, dir, 'uploads/upload-receipt.yaml')
    writeFileSync(join(work, 'main.go'), code)
    const before = stub.arrived.length
    await new Promise<void>((resolve, reject) =>
      execFile(
        GO,
        ['run', join(work, 'main.go')],
        { cwd: dir, timeout: 90_000, env: { ...process.env, GO111MODULE: 'off' } },
        (e, _out, err) => (e ? reject(new Error(`${e.message}\n${err}`)) : resolve()),
      ),
    )
    const theirs = stub.arrived[before]
    if (!theirs) throw new Error('the Go program sent nothing')
    expect(parts(theirs)).toEqual(parts(ours))
  }, 120_000)
})

describe('Copy as of a saved request', () => {
  it('refuses a file part outside the collection as Send does, saying what Copy as refuses and why', async () => {
    writeFileSync(join(work, 'secret.txt'), 'not for the snippet')
    writeFileSync(
      join(dir, 'uploads', 'leak.yaml'),
      `name: Leak\nmethod: POST\nurl: '${stub.url}/upload'\nbody:\n  kind: multipart\n  parts:\n    - kind: text\n      name: note\n      value: hi\n    - kind: file\n      name: doc\n      path: ../secret.txt\n`,
    )
    const sent = await sendSaved(service, stub, dir, 'uploads/leak.yaml').then(
      () => 'sent',
      (e: Error) => e.message,
    )
    expect(sent).toMatch(
      /^file_outside: Multipart part "doc": the file \.\.\/secret\.txt .*is outside the collection folder/,
    )
    // Send's refusal, with its consequence said for Copy as: it sends nothing, it writes no code.
    const words = sent
      .replace(/^file_outside: /, '')
      .replace(
        '; nothing was sent.',
        '; Copy as writes no code for it: the code would read that file wherever it runs.',
      )
    expect(words).not.toBe(sent.replace(/^file_outside: /, ''))
    // The Code dialog (export.request) and a tab's Copy as (draft.snippet, the tab's scope) refuse it alike.
    for (const target of ['curl', 'go'] as const) {
      const r = await service.invoke('export.request', { dir, path: 'uploads/leak.yaml', target })
      expect([target, !r.ok && r.error.message]).toEqual([target, words])
    }
    const draft = await service.invoke('draft.snippet', {
      request: {
        method: 'POST',
        url: `${stub.url}/upload`,
        headers: [],
        body: {
          kind: 'multipart',
          parts: [{ kind: 'file', name: 'doc', path: '../secret.txt', enabled: true }],
        },
        options: {},
      },
      auth: { type: 'inherit' },
      context: { dir, path: 'uploads/leak.yaml' },
      target: 'python-requests',
    })
    expect(!draft.ok && draft.error.message).toBe(words)
    // A file inside the collection is still written by its path.
    const inside = await service.invoke('export.request', {
      dir,
      path: 'uploads/upload-receipt.yaml',
      target: 'curl',
    })
    expect(inside.ok && inside.value.text).toContain('receipt.csv')
  })
})
