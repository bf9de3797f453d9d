import { afterAll, describe, expect, it } from 'vitest'
import { BodyViews } from '../../src/engine/body-view/body-views'
import { BLOCK_LINES } from '../../src/engine/body-view/json-blocks'
import { JsonLineScanner } from '../../src/engine/body-view/json-lines'
import { renderJson } from '../../src/engine/body-view/json-view'
import { RAW_WRAP_BYTES } from '../../src/engine/body-view/raw-lines'
import { BodyStore } from '../../src/engine/http/body-store'
import { createEngineService } from '../../src/engine/service'
import { startHttpServer } from '../fixtures/servers'

/** All lines of `text` through the scanner, fed in chunks of `chunk` bytes. */
function prettyLines(text: string, chunk = 7): { lines: string[]; error: string | null } {
  const out: string[] = []
  const indexer = new JsonLineScanner()
  const buf = Buffer.from(text)
  for (let i = 0; i < buf.length; i += chunk) indexer.scan(buf.subarray(i, i + chunk), i)
  indexer.finish(buf.length)
  const r = new JsonLineScanner({ from: 0, to: indexer.lines, sink: { line: (_n, t) => out.push(t) } })
  for (let i = 0; i < buf.length; i += chunk) r.scan(buf.subarray(i, i + chunk), i)
  r.finish(buf.length)
  return { lines: out, error: indexer.error }
}

const SAMPLES: unknown[] = [
  { a: 1, b: [true, false, null], c: { d: 'x', e: [], f: {} }, 'g h': -1.5e3 },
  [[1, [2, [3]]], { k: [{}] }, 'é ✓ 𝄞', 'quote " and \\ backslash'],
  'just a string',
  42,
  [],
  {},
]

describe('pretty JSON lines', () => {
  it('matches JSON.stringify(value, null, 2) line for line, whatever the chunking', () => {
    for (const v of SAMPLES) {
      // Compact source: the scanner must add all the layout itself.
      const src = JSON.stringify(v)
      const want = JSON.stringify(v, null, 2).split('\n')
      for (const chunk of [1, 2, 3, 5, 64])
        expect(prettyLines(src, chunk)).toEqual({ lines: want, error: null })
      // Source already laid out differently (tabs, CRLF) gives the same lines.
      const messy = JSON.stringify(v, null, '\t').replace(/\n/g, '\r\n')
      expect(prettyLines(messy, 4).lines).toEqual(want)
    }
  })

  it('lists NDJSON values one after another', () => {
    expect(prettyLines('{"a":1}\n{"b":[2]}\n').lines).toEqual([
      '{',
      '  "a": 1',
      '}',
      '{',
      '  "b": [',
      '    2',
      '  ]',
      '}',
    ])
  })

  it('reports where a body stops being JSON', () => {
    expect(prettyLines('{"a": nope}').error).toMatch(/invalid value/)
    expect(prettyLines('{"a" 1}').error).toMatch(/expected a key|unexpected/)
    expect(prettyLines('[1, 2').error).toMatch(/end of JSON/)
    expect(prettyLines('<html>').error).toMatch(/unexpected/)
  })

  it('pairs every opening line with its closing line, and renders from any block', async () => {
    const big = {
      items: Array.from({ length: 300 }, (_, i) => ({ id: i, tags: ['x', 'y'], nested: { n: i } })),
    }
    const src = Buffer.from(JSON.stringify(big))
    const want = JSON.stringify(big, null, 2).split('\n')
    const ix = new JsonLineScanner()
    ix.scan(src, 0)
    ix.finish(src.length)
    expect(ix.lines).toBe(want.length)
    const blocks = ix.blocks
    if (!blocks) throw new Error('no index')
    expect(blocks.count).toBe(Math.ceil(want.length / BLOCK_LINES))
    const body = { size: src.length, read: async (o: number, n: number) => src.subarray(o, o + n) }
    // Line 0 opens the root object, closed on the last line; line 1 opens "items".
    const head = await renderJson(blocks, body, 0, 2)
    expect(head.closes[0]).toBe(want.length - 1)
    expect(want[head.closes[1] ?? -1]).toBe('  ]')
    for (const from of [0, 1, 63, 64, 65, 1000, want.length - 3]) {
      const got = await renderJson(blocks, body, from, from + 3)
      expect(got.lines).toEqual(want.slice(from, from + 3))
    }
  })
})

describe('body views', () => {
  const store = new BodyStore({ memoryLimit: 64 * 1024 })
  const views = new BodyViews(store)
  afterAll(() => store.dispose())

  async function body(text: string | Buffer, type = 'application/json'): Promise<string> {
    const w = store.create(type)
    const buf = Buffer.isBuffer(text) ? text : Buffer.from(text)
    for (let i = 0; i < buf.length; i += 100_000) w.write(buf.subarray(i, i + 100_000))
    await w.end()
    return w.id
  }

  it('serves windows of pretty lines with fold pairs from a body spilled to disk', async () => {
    const value = { rows: Array.from({ length: 20_000 }, (_, i) => ({ i, s: `row ${i}` })) }
    const want = JSON.stringify(value, null, 2).split('\n')
    const id = await body(JSON.stringify(value))
    const first = await views.lines(id, 'pretty', 0, 5)
    if (!first.ok) throw new Error(first.error.message)
    expect(first.value.lines).toEqual(want.slice(0, 5))
    const mid = await views.lines(id, 'pretty', 50_001, 4)
    if (!mid.ok) throw new Error(mid.error.message)
    expect(mid.value.lines).toEqual(want.slice(50_001, 50_005))
    const all = await views.lines(id, 'pretty', want.length - 2, 10)
    if (!all.ok) throw new Error(all.error.message)
    expect(all.value).toMatchObject({ complete: true, total: want.length, lines: want.slice(-2) })
    // Line 2 opens the first row ("{"), closed three lines later ("},").
    const again = await views.lines(id, 'pretty', 2, 1)
    expect(again.ok && again.value.closes).toEqual([5])
    expect(want[5]).toBe('    },')
  })

  it('falls back to saying where a non-JSON body stops parsing; raw lines wrap long lines', async () => {
    const id = await body(`line one\nline two\n${'x'.repeat(RAW_WRAP_BYTES * 2 + 10)}\n`, 'text/plain')
    const pretty = await views.lines(id, 'pretty', 0, 10)
    expect(pretty.ok && pretty.value.invalid?.offset).toBe(0)
    const raw = await views.lines(id, 'raw', 0, 10)
    if (!raw.ok) throw new Error(raw.error.message)
    expect(raw.value.lines.map((l) => l.length)).toEqual([8, 8, RAW_WRAP_BYTES, RAW_WRAP_BYTES, 10])
    expect(raw.value.total).toBe(5)
  })

  it('never splits a character when wrapping', async () => {
    const id = await body('é'.repeat(RAW_WRAP_BYTES), 'text/plain')
    const raw = await views.lines(id, 'raw', 0, 10)
    if (!raw.ok) throw new Error(raw.error.message)
    expect(raw.value.lines.join('')).toBe('é'.repeat(RAW_WRAP_BYTES))
    expect(raw.value.lines.some((l) => l.includes('\uFFFD'))).toBe(false)
  })

  it('finds text and names the line of each match in either view', async () => {
    const value = {
      list: Array.from({ length: 5000 }, (_, i) => ({ name: i === 4321 ? 'Needle' : `n${i}` })),
    }
    const id = await body(JSON.stringify(value))
    const want = JSON.stringify(value, null, 2).split('\n')
    const res = await views.search(id, 'pretty', 'needle', false, 0)
    if (!res.ok) throw new Error(res.error.message)
    expect(res.value.matches).toHaveLength(1)
    expect(want[res.value.matches[0]?.line ?? -1]).toContain('"Needle"')
    const exact = await views.search(id, 'pretty', 'needle', true, 0)
    expect(exact.ok && exact.value.matches).toEqual([])
    // Raw: the minified body is one line, wrapped every RAW_WRAP_BYTES; the match is on the wrapped row.
    const raw = await views.search(id, 'raw', '"n4999"', false, 0)
    if (!raw.ok) throw new Error(raw.error.message)
    const line = raw.value.matches[0]?.line ?? -1
    expect(line).toBe(Math.floor((raw.value.matches[0]?.offset ?? 0) / RAW_WRAP_BYTES))
    const shown = await views.lines(id, 'raw', line, 2)
    expect(shown.ok && shown.value.lines.join('')).toContain('"n4999"')
  })
})

describe('body commands through the service', () => {
  it('views and saves a real response body', async () => {
    const fixture = await startHttpServer()
    const service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
    try {
      const sent = await service.invoke('http.send', {
        request: {
          method: 'POST',
          url: `${fixture.url}/echo`,
          headers: [],
          body: { kind: 'json', text: '{"hello":[1,2]}' },
          options: {},
        },
      })
      if (!sent.ok) throw new Error(sent.error.message)
      const done = await service.http.waitFor(sent.value.sids[0] ?? '')
      if (done.final.type !== 'done') throw new Error('not done')
      const bodyId = done.final.body.id
      const lines = await service.invoke('body.lines', { bodyId, view: 'pretty', from: 0, count: 3 })
      expect(lines.ok && lines.value.lines).toEqual([
        '{',
        '  "method": "POST",',
        expect.stringContaining('"url"'),
      ])
      const noPath = await service.invoke('body.save', { bodyId })
      expect(noPath.ok ? 'ok' : noPath.error.code).toBe('unsupported')
      const { mkdtemp, readFile, rm } = await import('node:fs/promises')
      const { tmpdir } = await import('node:os')
      const { join } = await import('node:path')
      const dir = await mkdtemp(join(tmpdir(), 'fd-save-'))
      try {
        const path = join(dir, 'body.json')
        const saved = await service.invoke('body.save', { bodyId, path })
        expect(saved.ok && saved.value.bytes).toBe(done.final.body.size)
        expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ method: 'POST' })
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    } finally {
      await service.dispose()
      await fixture.close()
    }
  })
})
