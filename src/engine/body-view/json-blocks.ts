/**
 * The pretty view's index, in blocks of `BLOCK_LINES` lines, sized by the number of lines and never by their
 * depth: a body nested a million deep costs about as much as a flat one with as many lines.
 *
 * A scan restarted at a block's first line needs the containers open there (object or array, one bit each).
 * Storing that stack per block costs depth × blocks, the square of the depth for `[[[[…]]]]`. Instead each
 * block keeps only what changed below it: the lowest depth the stack reached during the block (`min`) and the
 * kinds of the levels pushed above that low point which were still open at the next block's start. The stack
 * at block K is then read backwards: its top levels were pushed in the last block before K that went below
 * them, and so on down. Each block's levels are pushed once, so all of it is linear in the body.
 *
 * The same per-block low points find a fold's closing line: the container opened at depth d closes in the
 * first later block whose low point is d or less; only that block is scanned again.
 */

export const BLOCK_LINES = 64

/** Container kinds as the scanner keeps them. */
export const OBJ = 1
export const ARR = 2

const FAN = 64
const FAN_SHIFT = 6

class GrowInt32 {
  data = new Int32Array(256)
  length = 0
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data[this.length++] = v
  }
  get(i: number): number {
    return this.data[i] ?? 0
  }
  set(i: number, v: number): void {
    this.data[i] = v
  }
}

class GrowFloat64 {
  data = new Float64Array(256)
  length = 0
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data[this.length++] = v
  }
  get(i: number): number {
    return this.data[i] ?? 0
  }
}

/** One bit per pushed level: 1 for an object, 0 for an array. */
class BitList {
  private words = new Uint32Array(64)
  length = 0
  push(obj: boolean): void {
    const w = this.length >>> 5
    if (w >= this.words.length) {
      const next = new Uint32Array(this.words.length * 2)
      next.set(this.words)
      this.words = next
    }
    if (obj) this.words[w] = (this.words[w] ?? 0) | (1 << (this.length & 31))
    this.length++
  }
  get(i: number): boolean {
    return (((this.words[i >>> 5] ?? 0) >>> (i & 31)) & 1) === 1
  }
}

/**
 * Low points per block, with a min per FAN blocks above them (and per FAN of those, …), so "the last block
 * before K below depth t" and "the first block from K at or below depth d" take a few short scans, not a walk
 * over every block.
 */
class MinTree {
  private readonly levels: GrowInt32[] = [new GrowInt32()]

  get length(): number {
    return this.levels[0]?.length ?? 0
  }

  get(i: number): number {
    return this.levels[0]?.get(i) ?? 0
  }

  push(v: number): void {
    let i = this.length
    for (const level of this.levels) {
      if (i < level.length) level.set(i, Math.min(level.get(i), v))
      else level.push(v)
      i >>>= FAN_SHIFT
    }
    // The top level summarises everything in one entry; once it holds two, put a level above it.
    const top = this.levels[this.levels.length - 1]
    if (top && top.length > 1) {
      const up = new GrowInt32()
      for (let j = 0; j < top.length; j++) {
        const g = j >>> FAN_SHIFT
        if (g < up.length) up.set(g, Math.min(up.get(g), top.get(j)))
        else up.push(top.get(j))
      }
      this.levels.push(up)
    }
  }

  /** The last index ≤ `from` whose value is below `limit`, or -1. */
  lastBelow(from: number, limit: number): number {
    if (from < 0) return -1
    let l = 0
    let i = Math.min(from, this.length - 1)
    // Climb while the rest of the current group has nothing below the limit.
    for (;;) {
      const level = this.levels[l]
      if (!level) return -1
      const start = i & ~(FAN - 1)
      let hit = -1
      for (let j = i; j >= start; j--) {
        if (level.get(j) < limit) {
          hit = j
          break
        }
      }
      if (hit !== -1) return this.descendLast(l, hit, limit)
      if (start === 0) return -1
      i = (start >>> FAN_SHIFT) - 1
      l++
    }
  }

  private descendLast(l: number, i: number, limit: number): number {
    while (l > 0) {
      l--
      const level = this.levels[l]
      if (!level) return -1
      const start = i << FAN_SHIFT
      let hit = -1
      for (let j = Math.min(start + FAN - 1, level.length - 1); j >= start; j--) {
        if (level.get(j) < limit) {
          hit = j
          break
        }
      }
      if (hit === -1) return -1
      i = hit
    }
    return i
  }

  /** The first index ≥ `from` whose value is at most `limit`, or -1. */
  firstAtMost(from: number, limit: number): number {
    if (from >= this.length) return -1
    let l = 0
    let i = Math.max(0, from)
    for (;;) {
      const level = this.levels[l]
      if (!level) return -1
      const end = Math.min((i | (FAN - 1)) + 1, level.length)
      let hit = -1
      for (let j = i; j < end; j++) {
        if (level.get(j) <= limit) {
          hit = j
          break
        }
      }
      if (hit !== -1) return this.descendFirst(l, hit, limit)
      if (end >= level.length) return -1
      i = end >>> FAN_SHIFT
      l++
    }
  }

  private descendFirst(l: number, i: number, limit: number): number {
    while (l > 0) {
      l--
      const level = this.levels[l]
      if (!level) return -1
      const start = i << FAN_SHIFT
      let hit = -1
      for (let j = start; j < Math.min(start + FAN, level.length); j++) {
        if (level.get(j) <= limit) {
          hit = j
          break
        }
      }
      if (hit === -1) return -1
      i = hit
    }
    return i
  }
}

/** A block's start, as a scan restarted there needs it (the stack's kinds are fetched on demand). */
export interface BlockStart {
  block: number
  line: number
  offset: number
  depth: number
}

export class JsonBlocks {
  /** Byte offset of the token that starts each block's first line. */
  private readonly offsets = new GrowFloat64()
  /** Stack depth at each block's start. */
  private readonly depths = new GrowInt32()
  /** Lowest stack depth during each finished block (its start included). */
  private readonly mins = new MinTree()
  /** Where each finished block's pushed kinds start in `bits`. */
  private readonly bitStarts = new GrowFloat64()
  private readonly bits = new BitList()
  /** Low point of the block under way. */
  private runMin = 0

  /** Blocks started (the last one may be unfinished). */
  get count(): number {
    return this.offsets.length
  }

  /** Blocks whose low point is final. */
  get finished(): number {
    return this.mins.length
  }

  /**
   * The scanner starts block `count` at `offset` with `depth` levels open, whose kinds `kindAt` gives; the
   * previous block ends here.
   */
  start(offset: number, depth: number, kindAt: (level: number) => number): void {
    if (this.offsets.length > 0) this.finish(depth, kindAt)
    this.offsets.push(offset)
    this.depths.push(depth)
    this.runMin = depth
  }

  /** The stack dropped to `depth` (a container closed). */
  popped(depth: number): void {
    if (depth < this.runMin) this.runMin = depth
  }

  /** The last block ends with `depth` levels open (the body ended, or stopped being JSON). */
  end(depth: number, kindAt: (level: number) => number): void {
    if (this.offsets.length > this.mins.length) this.finish(depth, kindAt)
  }

  private finish(depth: number, kindAt: (level: number) => number): void {
    this.mins.push(this.runMin)
    this.bitStarts.push(this.bits.length)
    for (let l = this.runMin; l < depth; l++) this.bits.push(kindAt(l) === OBJ)
  }

  /** The block holding `line`, clamped to the blocks known. */
  at(line: number): BlockStart {
    const b = Math.max(0, Math.min(this.count - 1, Math.floor(line / BLOCK_LINES)))
    return this.startOf(b)
  }

  startOf(b: number): BlockStart {
    return { block: b, line: b * BLOCK_LINES, offset: this.offsets.get(b), depth: this.depths.get(b) }
  }

  /** Byte offset where block `b` starts (past the last block: Infinity). */
  offsetOf(b: number): number {
    return b < this.count ? this.offsets.get(b) : Infinity
  }

  /** The last block starting at or before byte `offset`. */
  blockAtOffset(offset: number): number {
    let lo = 0
    let hi = this.count - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.offsets.get(mid) <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** The first finished block from `from` in which the stack dropped to `depth` or below, or -1. */
  firstDropTo(from: number, depth: number): number {
    return this.mins.firstAtMost(from, depth)
  }

  /** The kinds of levels [lo, hi) open at the start of block `b` (hi at most that block's depth). */
  kinds(b: number, lo: number, hi: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, hi - lo))
    let top = Math.min(hi, this.depths.get(b))
    let k = b - 1
    // Each pass takes the levels pushed in the last block before k that dropped below `top`; every block
    // before it stayed above, so those levels are still the ones it pushed.
    while (top > lo) {
      k = this.mins.lastBelow(k, top)
      if (k < 0) break
      const m = this.mins.get(k)
      const first = this.bitStarts.get(k)
      for (let l = Math.max(m, lo); l < top; l++) out[l - lo] = this.bits.get(first + (l - m)) ? OBJ : ARR
      top = m
      k--
    }
    return out
  }
}
