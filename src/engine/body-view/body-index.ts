import type { BodyLines, BodySearchResult, BodyView } from '../../shared/body-view'
import { fail, ok, type Result } from '../../shared/result'
import type { BodySource } from '../workers/protocol'
import { openBodySource, type StoredBody } from './body-source'
import { JsonLineScanner, MAX_INDENT_LEVELS } from './json-lines'
import { jsonLinesAt, renderJson } from './json-view'
import { RawLineIndex, rawLinesAt, rawLineStarts } from './raw-lines'

/**
 * The line indexes of stored bodies, kept in a worker thread (body-views.ts is their face on the engine's
 * thread): pretty JSON (with fold pairs) and raw text, served a window of lines at a time, so the UI shows a
 * 100 MB body without ever holding it. Indexing runs in the background in 1 MB chunks, yielding between them
 * so requests for lines of other bodies are answered meanwhile; a request for lines waits only until those
 * lines are indexed, which is why the first screen of a huge body comes back in milliseconds.
 *
 * Indexes cost memory (a few bytes per block of lines, whatever the nesting), so only the most recently used
 * few are kept; a request for a forgotten one says so (`missing`) and the engine sends the body again.
 */

const CHUNK = 1024 * 1024
const KEEP_INDEXES = 4
const MAX_SEARCH_MATCHES = 1000

interface Index {
  view: BodyView
  writer: StoredBody
  json: JsonLineScanner | null
  raw: RawLineIndex | null
  scanned: number
  complete: boolean
  failed: string | null
  waiters: (() => void)[]
}

/** The worker does not hold this body (any more): send it with its source. */
export const MISSING = 'missing'

export class BodyIndexes {
  private readonly indexes = new Map<string, Index>()

  constructor(
    /** Called after every chunk indexed: the worker checks its memory budget there. */
    private readonly afterChunk: () => void = () => undefined,
    /** Told when a body's index starts and stops being built (work that outlives the task that asked). */
    private readonly building: (bodyId: string, on: boolean) => void = () => undefined,
  ) {}

  async lines(
    bodyId: string,
    view: BodyView,
    from: number,
    count: number,
    source: BodySource | undefined,
  ): Promise<Result<BodyLines> | typeof MISSING> {
    const ix = this.index(bodyId, view, source)
    if (ix === MISSING) return ix
    const to = from + count
    await this.until(ix, () => this.lineCount(ix) > to)
    if (ix.failed !== null) return fail('file', 'Could not read the stored body', ix.failed)
    const total = this.lineCount(ix)
    const end = Math.min(to, total)
    let out: string[] = []
    let closes: number[] = []
    if (end > from) {
      const blocks = ix.json?.blocks
      if (blocks) ({ lines: out, closes } = await renderJson(blocks, ix.writer, from, end))
      else {
        await this.renderRaw(ix, from, end, out)
        closes = out.map(() => -1)
      }
    }
    const error = ix.json?.error
    const deepest = ix.json?.deepest ?? 0
    return ok({
      bodyId,
      view,
      from,
      lines: out,
      closes,
      total,
      complete: ix.complete,
      scanned: ix.scanned,
      size: ix.writer.size,
      ...(error ? { invalid: { message: error, offset: ix.json?.errorOffset ?? 0 } } : {}),
      ...(deepest > MAX_INDENT_LEVELS ? { indentCap: { levels: MAX_INDENT_LEVELS, deepest } } : {}),
    })
  }

  /**
   * Find `query` in the body's bytes from byte `fromOffset`, and name the view line of each match. Matching is
   * on the body's text as sent (so `"a":1` matches the source, shown as `"a": 1`), ASCII case-insensitive
   * unless asked otherwise.
   */
  async search(
    bodyId: string,
    view: BodyView,
    query: string,
    caseSensitive: boolean,
    fromOffset: number,
    source: BodySource | undefined,
  ): Promise<Result<BodySearchResult> | typeof MISSING> {
    const ix = this.index(bodyId, view, source)
    if (ix === MISSING) return ix
    const needle = Buffer.from(caseSensitive ? query : lowerAscii(query), 'utf8')
    if (needle.length === 0) return ok({ bodyId, view, matches: [], next: null })
    const size = ix.writer.size
    const offsets: number[] = []
    let pos = fromOffset
    let next: number | null = null
    const chunk = Buffer.allocUnsafe(CHUNK + needle.length - 1)
    const folded = caseSensitive ? null : Buffer.allocUnsafe(chunk.length)
    while (pos < size) {
      const buf = await ix.writer.readInto(pos, chunk)
      const hay = folded ? lowerAsciiBytes(buf, folded) : buf
      let at = hay.indexOf(needle)
      while (at !== -1 && at < CHUNK) {
        offsets.push(pos + at)
        if (offsets.length >= MAX_SEARCH_MATCHES) break
        at = hay.indexOf(needle, at + 1)
      }
      if (offsets.length >= MAX_SEARCH_MATCHES) {
        next = (offsets[offsets.length - 1] ?? pos) + 1
        break
      }
      pos += CHUNK
    }
    // Every match's line: the index must have reached the last match first.
    const last = offsets[offsets.length - 1]
    if (last !== undefined) await this.until(ix, () => ix.scanned > last)
    const blocks = ix.json?.blocks
    const lines = blocks
      ? await jsonLinesAt(blocks, ix.writer, offsets)
      : ix.raw
        ? await rawLinesAt(ix.raw, ix.writer, offsets)
        : []
    return ok({
      bodyId,
      view,
      matches: offsets.map((offset, i) => ({ offset, line: lines[i] ?? 0 })),
      next,
    })
  }

  forget(bodyId: string): void {
    for (const [key, ix] of [...this.indexes]) {
      if (!key.startsWith(`${bodyId}:`)) continue
      this.indexes.delete(key)
      void ix.writer.close()
    }
  }

  private index(bodyId: string, view: BodyView, source: BodySource | undefined): Index | typeof MISSING {
    const key = `${bodyId}:${view}`
    const existing = this.indexes.get(key)
    if (existing) {
      // Most recently used last.
      this.indexes.delete(key)
      this.indexes.set(key, existing)
      return existing
    }
    if (!source) return MISSING
    const writer = openBodySource(source)
    const ix: Index = {
      view,
      writer,
      json: view === 'pretty' ? new JsonLineScanner() : null,
      raw: view === 'raw' ? new RawLineIndex() : null,
      scanned: 0,
      complete: false,
      failed: null,
      waiters: [],
    }
    this.indexes.set(key, ix)
    while (this.indexes.size > KEEP_INDEXES) {
      const oldest = this.indexes.keys().next().value
      if (oldest === undefined) break
      const old = this.indexes.get(oldest)
      this.indexes.delete(oldest)
      void old?.writer.close()
    }
    void this.build(bodyId, ix)
    return ix
  }

  private async build(bodyId: string, ix: Index): Promise<void> {
    this.building(bodyId, true)
    const size = ix.writer.size
    // One buffer for every chunk: the scanners keep nothing of it between chunks.
    const chunk = Buffer.allocUnsafe(CHUNK)
    try {
      while (ix.scanned < size) {
        const buf = await ix.writer.readInto(ix.scanned, chunk)
        if (buf.length === 0) break
        ix.json?.scan(buf, ix.scanned)
        ix.raw?.scan(buf, ix.scanned)
        ix.scanned += buf.length
        this.wake(ix)
        this.afterChunk()
        // A JSON error ends the pretty index: the viewer falls back to raw text.
        if (ix.json?.error) break
        await new Promise<void>((r) => setImmediate(r))
      }
      ix.json?.finish(ix.scanned)
    } catch (e) {
      ix.failed = e instanceof Error ? e.message : String(e)
    }
    ix.complete = true
    this.building(bodyId, false)
    this.wake(ix)
  }

  private wake(ix: Index): void {
    const waiters = ix.waiters
    ix.waiters = []
    for (const w of waiters) w()
  }

  private async until(ix: Index, done: () => boolean): Promise<void> {
    while (!ix.complete && ix.failed === null && !done()) {
      await new Promise<void>((r) => ix.waiters.push(r))
    }
  }

  private lineCount(ix: Index): number {
    if (ix.json) return ix.json.lines
    return ix.raw?.lineCount(ix.writer.size, ix.complete) ?? 0
  }

  private async renderRaw(ix: Index, from: number, to: number, out: string[]): Promise<void> {
    const raw = ix.raw
    if (!raw) return
    const starts = await rawLineStarts(raw, ix.writer, from, to)
    const start = starts[0] ?? 0
    const buf = await ix.writer.read(start, (starts[to - from] ?? start) - start)
    for (let l = 0; l < to - from; l++) {
      let text = buf.toString('utf8', (starts[l] ?? 0) - start, (starts[l + 1] ?? 0) - start)
      if (text.endsWith('\n')) text = text.slice(0, text.endsWith('\r\n') ? -2 : -1)
      out.push(text)
    }
  }
}

function lowerAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase())
}

/** `buf` with ASCII letters lower-cased, into `into` (as long as `buf` at least). */
function lowerAsciiBytes(buf: Buffer, into: Buffer): Buffer {
  const out = into.subarray(0, buf.length)
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i] ?? 0
    out[i] = c >= 0x41 && c <= 0x5a ? c + 32 : c
  }
  return out
}
