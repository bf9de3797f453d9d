import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { SavedRequest } from '../../src/shared/collection'
import { readRequestFile } from '../../src/engine/collections/loader'
import { saveRequest } from '../../src/engine/collections/store'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import type { EngineService } from '../../src/engine/service'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { done, makeService, send, spec } from './helpers'

const collection = fileURLToPath(
  new URL('../fixtures/samples/writer/postman-crlf-bodies.json', import.meta.url),
)
const source = JSON.parse(readFileSync(collection, 'utf8')) as {
  item: { name: string; request: { body: { raw: string } } }[]
}
const raw = (name: string): string => source.item.find((i) => i.name === name)?.request.body.raw ?? ''

let dir: string
let server: Fixture
let service: EngineService
beforeAll(async () => {
  server = await startHttpServer()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await server.close()
})
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-import-crlf-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

async function read(rel: string): Promise<{ request: SavedRequest; version: string; text: string }> {
  const r = await readRequestFile(join(dir, rel), rel.replace(/\.yaml$/, ''))
  if (!r.ok) throw new Error(`${rel}: ${r.problem}`)
  return r
}

function bodyOf(r: SavedRequest): string {
  return r.body.kind === 'json' || r.body.kind === 'text' ? r.body.text : ''
}

/** Lines of `after` that differ from `before`, as a line diff would show them (same line count here). */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n')
  const b = after.split('\n')
  expect(b.length).toBe(a.length)
  return b.filter((line, i) => line !== a[i])
}

describe('bodies with CRLF line ends', () => {
  it('are block strings in the file, read back byte for byte, and are sent with their CRLFs', async () => {
    const r = await runImport({ file: collection }, 'auto', dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    for (const [name, rel] of [
      ['register', 'register.yaml'],
      ['soap quote', 'soap-quote.yaml'],
    ] as const) {
      const { request, text } = await read(rel)
      // One line in the file per line of the body, never a quoted string of \r\n escapes.
      expect(text).not.toContain('\\r')
      expect(text).toMatch(/text: \|/)
      expect(text).toContain('lineEnds: crlf')
      expect(bodyOf(request)).toBe(raw(name))
      const res = await send(
        service,
        spec(`${server.url}/echo`, { method: 'POST', headers: request.headers, body: request.body }),
      )
      done(res)
      expect(server.requests.at(-1)?.body.toString('utf8')).toBe(raw(name))
    }
    // Mixed line ends are not one style: kept exact, as a quoted string.
    const mixed = await read('mixed-line-ends.yaml')
    expect(bodyOf(mixed.request)).toBe(raw('mixed line ends'))
    expect(mixed.text).not.toContain('lineEnds')
  })

  it('a one-space edit of a CRLF body is a one-line change to the file, and the CRLFs stay', async () => {
    const r = await runImport({ file: collection }, 'auto', dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    const before = await read('soap-quote.yaml')
    const edited = bodyOf(before.request).replace('<Symbol>ACME', '<Symbol> ACME')
    const body = before.request.body.kind === 'text' ? { ...before.request.body, text: edited } : null
    if (!body) throw new Error('expected a text body')
    const saved = await saveRequest(dir, 'soap-quote.yaml', { ...before.request, body }, before.version)
    expect(saved.ok).toBe(true)
    const after = await read('soap-quote.yaml')
    expect(changedLines(before.text, after.text)).toEqual([
      '        <GetQuote>\t<Symbol> ACME</Symbol></GetQuote>  ',
    ])
    expect(bodyOf(after.request)).toBe(edited)
    expect(bodyOf(after.request).split('\r\n')).toHaveLength(7)
  })
})
