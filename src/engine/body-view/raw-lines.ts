/**
 * The raw view's line index. A line ends at '\n' or, for text without line breaks (minified JSON, a base64
 * blob), every `RAW_WRAP_BYTES` bytes at a UTF-8 character boundary, so a single 100 MB line still scrolls as
 * rows of a few KB.
 *
 * Only every `RAW_BLOCK_LINES`th line's start is kept: a body of empty lines would otherwise cost 8 bytes a
 * byte (a Float64 per line, and twice that while the array grows). A window of lines is found by scanning again
 * from its block's start, at most RAW_BLOCK_LINES × RAW_WRAP_BYTES bytes before it.
 */
export const RAW_WRAP_BYTES = 2000
export const RAW_BLOCK_LINES = 64

/** Finds where lines start, from a known line start on; `onStart` is told of each new one. */
export class RawLineScan {
  constructor(
    /** The current line's number and start. */
    public line: number,
    private lineStart: number,
    private readonly onStart: (line: number, start: number) => void,
  ) {}

  scan(buf: Buffer, base: number): void {
    let i = 0
    const n = buf.length
    while (i < n) {
      const limit = this.lineStart + RAW_WRAP_BYTES - base
      const nl = buf.indexOf(0x0a, i)
      if (nl !== -1 && nl < limit) {
        this.push(base + nl + 1)
        i = nl + 1
        continue
      }
      if (limit >= n) break
      // Wrap: step back over continuation bytes so a character is never split.
      let cut = Math.max(i, limit)
      for (let k = 0; k < 3 && cut > i && ((buf[cut] ?? 0) & 0xc0) === 0x80; k++) cut--
      if (cut <= i) cut = Math.max(i + 1, limit)
      this.push(base + cut)
      i = cut
    }
  }

  private push(start: number): void {
    this.line++
    this.lineStart = start
    this.onStart(this.line, start)
  }
}

export class RawLineIndex {
  /** Start offset of every RAW_BLOCK_LINES-th line. */
  private blocks = new Float64Array(1024)
  /** Lines started so far. */
  count = 1
  /** Bytes scanned so far. */
  scanned = 0
  private last = 0
  private readonly scanner = new RawLineScan(0, 0, (line, start) => {
    this.count = line + 1
    this.last = start
    if (line % RAW_BLOCK_LINES !== 0) return
    const b = line / RAW_BLOCK_LINES
    if (b >= this.blocks.length) {
      const next = new Float64Array(this.blocks.length * 2)
      next.set(this.blocks)
      this.blocks = next
    }
    this.blocks[b] = start
  })

  scan(buf: Buffer, base: number): void {
    this.scanner.scan(buf, base)
    this.scanned = base + buf.length
  }

  /** Lines known so far; at the end of the body a final empty line after a trailing '\n' is not counted. */
  lineCount(total: number, complete: boolean): number {
    if (complete && this.count > 1 && this.last === total) return this.count - 1
    return this.count
  }

  /** Start of line `b × RAW_BLOCK_LINES`. */
  blockStart(b: number): number {
    return this.blocks[b] ?? 0
  }

  /** The block holding byte `offset` (binary search over the block starts). */
  blockAt(offset: number): number {
    let lo = 0
    let hi = Math.ceil(this.count / RAW_BLOCK_LINES) - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.blocks[mid] ?? 0) <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }
}

interface BodyReader {
  readonly size: number
  read(offset: number, length: number): Promise<Buffer>
}

const READ_CHUNK = 256 * 1024

/** Starts of lines [from, to] (the last one is where line `to - 1` ends: the body's size past its end). */
export async function rawLineStarts(
  index: RawLineIndex,
  body: BodyReader,
  from: number,
  to: number,
): Promise<number[]> {
  const b = Math.floor(from / RAW_BLOCK_LINES)
  const first = b * RAW_BLOCK_LINES
  const starts: number[] = []
  const start = index.blockStart(b)
  if (first === from) starts.push(start)
  const scan = new RawLineScan(first, start, (line, s) => {
    if (line >= from && line <= to) starts[line - from] = s
  })
  for (let pos = start; scan.line < to && pos < body.size;) {
    // Lines are at most RAW_WRAP_BYTES long: read no further than the lines still wanted can reach.
    const buf = await body.read(pos, Math.min(READ_CHUNK, (to - scan.line + 1) * RAW_WRAP_BYTES))
    if (buf.length === 0) break
    scan.scan(buf, pos)
    pos += buf.length
  }
  for (let l = starts.length; l <= to - from; l++) starts.push(body.size)
  return starts
}

/** The raw line holding each byte offset (offsets ascending). */
export async function rawLinesAt(
  index: RawLineIndex,
  body: BodyReader,
  offsets: number[],
): Promise<number[]> {
  const out: number[] = []
  let cached: { block: number; starts: number[] } | null = null
  for (const offset of offsets) {
    const b = index.blockAt(offset)
    if (!cached || cached.block !== b) {
      const first: number = b * RAW_BLOCK_LINES
      cached = { block: b, starts: await rawLineStarts(index, body, first, first + RAW_BLOCK_LINES) }
    }
    let line = b * RAW_BLOCK_LINES
    cached.starts.forEach((s, i) => {
      if (s <= offset && i < RAW_BLOCK_LINES) line = b * RAW_BLOCK_LINES + i
    })
    out.push(line)
  }
  return out
}
