import { afterAll, describe, expect, it } from 'vitest'
import { BodyViews } from '../../src/engine/body-view/body-views'
import { ARR, BLOCK_LINES, JsonBlocks, OBJ } from '../../src/engine/body-view/json-blocks'
import { JsonLineScanner, MAX_INDENT_LEVELS } from '../../src/engine/body-view/json-lines'
import { jsonLinesAt, renderJson } from '../../src/engine/body-view/json-view'
import { BodyStore } from '../../src/engine/http/body-store'

/**
 * The pretty view of deeply nested and oddly shaped JSON: every line, every fold pair and every search hit
 * must match JSON.stringify(value, null, 2), with indentation capped at MAX_INDENT_LEVELS, whatever block a
 * window starts in and however the body is chunked.
 */

/** A small seeded generator, so a failure names a case that can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

let keyN = 0

/** Random JSON: deep chains, wide levels, empty containers, mixed objects and arrays. */
function randomValue(r: () => number, depth: number, budget: { n: number }): unknown {
  budget.n--
  const x = r()
  if (depth <= 0 || budget.n <= 0 || x < 0.15) {
    const y = r()
    if (y < 0.3) return Math.floor(r() * 1000) - 500
    if (y < 0.5) return `s${keyN++} "q" \\ é`
    if (y < 0.6) return y < 0.55 ? true : null
    return y < 0.8 ? [] : {}
  }
  // Mostly one child (a chain that goes deep), sometimes several.
  const width = r() < 0.7 ? 1 : 1 + Math.floor(r() * 4)
  if (r() < 0.5) return Array.from({ length: width }, () => randomValue(r, depth - 1, budget))
  const o: Record<string, unknown> = {}
  for (let i = 0; i < width; i++) o[`k${keyN++}`] = randomValue(r, depth - 1, budget)
  return o
}

/** JSON.stringify's lines with the indentation capped as the view draws it. */
function expected(text: string): string[] {
  return text.split('\n').map((l) => {
    const ind = l.length - l.trimStart().length
    return ind > MAX_INDENT_LEVELS * 2 ? ' '.repeat(MAX_INDENT_LEVELS * 2) + l.trimStart() : l
  })
}

/** The closing line of each line that opens a non-empty container, else -1. */
function expectedCloses(lines: string[]): number[] {
  const out = lines.map(() => -1)
  const open: number[] = []
  lines.forEach((l, i) => {
    const t = l.trim()
    if (t.startsWith(']') || t.startsWith('}')) {
      const o = open.pop()
      if (o !== undefined) out[o] = i
    }
    if (t.endsWith('[') || t.endsWith('{')) open.push(i)
  })
  return out
}

function index(src: Buffer, chunk: number): JsonLineScanner {
  const ix = new JsonLineScanner()
  for (let i = 0; i < src.length; i += chunk) ix.scan(src.subarray(i, i + chunk), i)
  ix.finish(src.length)
  return ix
}

function reader(src: Buffer): { size: number; read(o: number, n: number): Promise<Buffer> } {
  return { size: src.length, read: async (o, n) => src.subarray(o, o + n) }
}

describe('the block index', () => {
  it('gives back the containers open at each block and finds where the stack drops, as a brute force does', () => {
    const r = rng(99)
    for (let round = 0; round < 4; round++) {
      const blocks = new JsonBlocks()
      const stack: number[] = []
      // The stacks of a few hundred blocks picked in advance (copying every block's would be the square again).
      const lines = 300_000
      const picked = new Set(Array.from({ length: 300 }, () => Math.floor((r() * lines) / BLOCK_LINES)))
      const snapshots = new Map<number, number[]>()
      const mins: number[] = []
      // Random walks: long climbs, long falls and noise, over thousands of blocks (three levels of the tree).
      let trend = 0.5
      for (let line = 0; line < lines; line++) {
        if (line % 5000 === 0) trend = r() * 0.6 + 0.2
        if (line % BLOCK_LINES === 0) {
          blocks.start(line, stack.length, (l) => stack[l] ?? 0)
          if (picked.has(line / BLOCK_LINES)) snapshots.set(line / BLOCK_LINES, [...stack])
          mins.push(stack.length)
        }
        if (r() < trend) stack.push(r() < 0.5 ? OBJ : ARR)
        else if (stack.length > 0) {
          stack.pop()
          blocks.popped(stack.length)
          const b = mins.length - 1
          mins[b] = Math.min(mins[b] ?? 0, stack.length)
        }
      }
      blocks.end(stack.length, (l) => stack[l] ?? 0)
      for (const [b, want] of snapshots) {
        const lo = Math.floor(r() * want.length)
        const hi = lo + Math.floor(r() * (want.length - lo + 1))
        expect(Array.from(blocks.kinds(b, lo, hi)), `round ${round} block ${b}`).toEqual(want.slice(lo, hi))
        const d = Math.floor(r() * (want.length + 1))
        const brute = mins.findIndex((m, k) => k >= b && m <= d)
        expect(blocks.firstDropTo(b, d), `round ${round} block ${b} depth ${d}`).toBe(brute)
      }
    }
  })
})

describe('pretty view of deep and odd shapes', () => {
  it('random deep, wide and mixed values: lines, fold pairs and search lines', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const r = rng(seed)
      const value = randomValue(r, 40 + Math.floor(r() * 200), { n: 3000 })
      const text = JSON.stringify(value, null, 2)
      const want = expected(text)
      const closes = expectedCloses(want)
      const src = Buffer.from(seed % 2 === 0 ? JSON.stringify(value) : JSON.stringify(value, null, '\t'))
      const ix = index(src, [1, 7, 100, 65536][seed % 4] ?? 7)
      expect(ix.error, `seed ${seed}`).toBeNull()
      expect(ix.lines, `seed ${seed}`).toBe(want.length)
      const blocks = ix.blocks
      if (!blocks) throw new Error('no index')
      const body = reader(src)
      for (let from = 0; from < want.length;) {
        const n = 1 + Math.floor(r() * 150)
        const got = await renderJson(blocks, body, from, Math.min(want.length, from + n))
        expect(got.lines, `seed ${seed} from ${from}`).toEqual(want.slice(from, from + n))
        expect(got.closes, `seed ${seed} from ${from}`).toEqual(closes.slice(from, from + n))
        from += n
      }
      // Every key's byte offset maps to the line that shows it.
      const offsets: number[] = []
      const keys: string[] = []
      for (const m of src.toString('latin1').matchAll(/"k\d+"/g)) {
        if (m.index !== undefined && r() < 0.2) {
          offsets.push(m.index)
          keys.push(m[0])
        }
      }
      const lines = await jsonLinesAt(blocks, body, offsets)
      lines.forEach((l, i) => expect(want[l], `seed ${seed} key ${keys[i]}`).toContain(`${keys[i]}:`))
    }
  })

  it('a chain far deeper than the indentation cap: capped lines, far fold pairs, bounded line length', async () => {
    const depth = 20_000
    const src = Buffer.from(`${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}`)
    const ix = index(src, 4096)
    expect(ix.error).toBeNull()
    expect(ix.lines).toBe(depth * 4 + 1)
    expect(ix.deepest).toBe(depth * 2)
    const blocks = ix.blocks
    if (!blocks) throw new Error('no index')
    const body = reader(src)
    const head = await renderJson(blocks, body, 0, 4)
    expect(head.lines).toEqual(['[', '  {', '    "a": [', '      {'])
    expect(head.closes).toEqual([ix.lines - 1, ix.lines - 2, ix.lines - 3, ix.lines - 4])
    const mid = depth * 2
    const middle = await renderJson(blocks, body, mid - 2, mid + 3)
    const pad = ' '.repeat(MAX_INDENT_LEVELS * 2)
    expect(middle.lines).toEqual([
      `${pad}"a": [`,
      `${pad}{`,
      `${pad}"a": 1`,
      `${pad}}`,
      `${pad}],`.slice(0, -1),
    ])
    expect(middle.closes).toEqual([mid + 2, mid + 1, -1, -1, -1])
    const tail = await renderJson(blocks, body, ix.lines - 3, ix.lines)
    expect(tail.lines).toEqual(['    ]', '  }', ']'])
  })
})

describe('body views of deep bodies', () => {
  const store = new BodyStore({ memoryLimit: 64 * 1024 })
  const views = new BodyViews(store)
  afterAll(() => store.dispose())

  async function body(text: string): Promise<string> {
    const w = store.create('application/json')
    const buf = Buffer.from(text)
    for (let i = 0; i < buf.length; i += 100_000) w.write(buf.subarray(i, i + 100_000))
    await w.end()
    return w.id
  }

  it('says when indentation is capped, and not for a shallow body', async () => {
    const deep = await body(`${'['.repeat(1000)}${']'.repeat(1000)}`)
    const all = await views.lines(deep, 'pretty', 1990, 100)
    if (!all.ok) throw new Error(all.error.message)
    expect(all.value.indentCap).toEqual({ levels: MAX_INDENT_LEVELS, deepest: 999 })
    const flat = await body('{"a":[1,2,{"b":3}]}')
    const shallow = await views.lines(flat, 'pretty', 0, 10)
    expect(shallow.ok && shallow.value.indentCap).toBeUndefined()
  })

  it('a deep body cut off mid-way is reported as not JSON, where it stopped', async () => {
    const text = `${'{"a":['.repeat(5000)}1,2`
    const id = await body(text)
    // Asking past the end waits for the whole body to be indexed.
    const got = await views.lines(id, 'pretty', 1e9, 1)
    if (!got.ok) throw new Error(got.error.message)
    expect(got.value.complete).toBe(true)
    expect(got.value.invalid).toEqual({ message: 'unexpected end of JSON', offset: text.length })
  })

  it('finds text deep inside and names its line', async () => {
    const depth = 3000
    const id = await body(`${'{"x":['.repeat(depth)}"needle"${']}'.repeat(depth)}`)
    const res = await views.search(id, 'pretty', 'needle', false, 0)
    if (!res.ok) throw new Error(res.error.message)
    expect(res.value.matches.map((m) => m.line)).toEqual([depth * 2])
    const shown = await views.lines(id, 'pretty', depth * 2, 1)
    expect(shown.ok && shown.value.lines[0]?.trim()).toBe('"needle"')
  })
})
