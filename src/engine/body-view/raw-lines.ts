/**
 * The raw view's line index: where each line starts, in bytes. A line ends at '\n' or, for text without line
 * breaks (minified JSON, a base64 blob), every `RAW_WRAP_BYTES` bytes at a UTF-8 character boundary, so a
 * single 100 MB line still scrolls as rows of a few KB.
 */
export const RAW_WRAP_BYTES = 2000

export class RawLineIndex {
  /** Start offset of every line; `count` of them are valid. */
  private starts = new Float64Array(4096)
  count = 1
  /** Bytes scanned so far. */
  scanned = 0
  private lineStart = 0

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
    this.scanned = base + n
  }

  private push(start: number): void {
    if (this.count >= this.starts.length) {
      const next = new Float64Array(this.starts.length * 2)
      next.set(this.starts)
      this.starts = next
    }
    this.starts[this.count++] = start
    this.lineStart = start
  }

  /** Lines known so far; at the end of the body a final empty line after a trailing '\n' is not counted. */
  lineCount(total: number, complete: boolean): number {
    if (complete && this.count > 1 && this.starts[this.count - 1] === total) return this.count - 1
    return this.count
  }

  start(line: number): number {
    return this.starts[line] ?? 0
  }

  /** The line holding byte `offset` (binary search over the starts). */
  lineAt(offset: number): number {
    let lo = 0
    let hi = this.count - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.starts[mid] ?? 0) <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }
}
