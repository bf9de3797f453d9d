import { afterAll, describe, expect, it } from 'vitest'
import { BodyViews } from '../../src/engine/body-view/body-views'
import { RAW_WRAP_BYTES, RawLineIndex } from '../../src/engine/body-view/raw-lines'
import { BodyStore } from '../../src/engine/http/body-store'

/**
 * The raw view's lines (at '\n', or every RAW_WRAP_BYTES at a character boundary), served from an index that
 * keeps one start per block of lines: every window and every search hit must match a plain split of the text,
 * and a body of empty lines must not cost a number per line.
 */

/** The raw view's lines, the plain way. */
function split(text: string): string[] {
  const buf = Buffer.from(text)
  const out: string[] = []
  let start = 0
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start)
    if (nl !== -1 && nl < start + RAW_WRAP_BYTES) {
      out.push(buf.toString('utf8', start, nl).replace(/\r$/, ''))
      start = nl + 1
      continue
    }
    if (start + RAW_WRAP_BYTES >= buf.length) {
      out.push(buf.toString('utf8', start))
      start = buf.length
      break
    }
    let cut = start + RAW_WRAP_BYTES
    while (((buf[cut] ?? 0) & 0xc0) === 0x80) cut--
    out.push(buf.toString('utf8', start, cut))
    start = cut
  }
  return out.length === 0 ? [''] : out
}

describe('raw view lines', () => {
  const store = new BodyStore({ memoryLimit: 64 * 1024 })
  const views = new BodyViews(store)
  afterAll(() => store.dispose())

  async function body(text: string): Promise<string> {
    const w = store.create('text/plain')
    const buf = Buffer.from(text)
    for (let i = 0; i < buf.length; i += 100_000) w.write(buf.subarray(i, i + 100_000))
    await w.end()
    return w.id
  }

  it('every window and every search hit match a plain split, whatever the line lengths', async () => {
    let seed = 7
    const r = (): number => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32
    const parts: string[] = []
    for (let i = 0; i < 3000; i++) {
      const len = r() < 0.1 ? Math.floor(r() * 5000) : Math.floor(r() * 40)
      parts.push(`${i}:${(r() < 0.3 ? 'é✓' : 'ab').repeat(len)}${r() < 0.2 ? '\r\n' : '\n'}`)
    }
    const text = parts.join('')
    const want = split(text)
    const id = await body(text)
    const all = await views.lines(id, 'raw', 1e9, 1)
    expect(all.ok && all.value.total).toBe(want.length)
    for (let from = 0; from < want.length;) {
      const n = 1 + Math.floor(r() * 300)
      const got = await views.lines(id, 'raw', from, n)
      if (!got.ok) throw new Error(got.error.message)
      expect(got.value.lines, `from ${from}`).toEqual(want.slice(from, from + n))
      from += n
    }
    const found = await views.search(id, 'raw', '2999:', true, 0)
    if (!found.ok) throw new Error(found.error.message)
    const line = found.value.matches[0]?.line ?? -1
    expect(want[line]?.startsWith('2999:')).toBe(true)
  })

  it('a body of empty lines costs memory per block of lines, not per line', () => {
    const buf = Buffer.alloc(8 * 1024 * 1024, 0x0a)
    const before = process.memoryUsage().arrayBuffers
    const ix = new RawLineIndex()
    for (let i = 0; i < buf.length; i += 1024 * 1024) ix.scan(buf.subarray(i, i + 1024 * 1024), i)
    const grew = process.memoryUsage().arrayBuffers - before
    expect(ix.lineCount(buf.length, true)).toBe(buf.length)
    // A Float64 per line was 64 MB here (and 128 MB while growing); a start per 64 lines is 1 MB.
    expect(grew).toBeLessThan(buf.length / 2)
  })
})
