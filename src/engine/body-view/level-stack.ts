import { ARR, OBJ } from './json-blocks'

/** Kinds (OBJ or ARR) of the open levels [lo, hi) at a scan's start. */
export type KindLoader = (lo: number, hi: number) => Uint8Array

/** Levels fetched at a time when a restarted scan pops below what it knows of the stack. */
const LOAD_LEVELS = 128

/**
 * The open containers, one bit each (set for an object): a body nested a million deep keeps 125 KB of stack
 * while it is indexed. A scan restarted mid-body knows only the depth; the kinds of the levels below `base`
 * are loaded when a pop reaches them (a window of lines pops at most a few levels).
 */
export class LevelStack {
  length = 0
  private base = 0
  /** Bit i is level base + i. */
  private bits = new Uint32Array(4)

  constructor(private readonly loader: KindLoader | null) {}

  /** Start with `depth` levels open, none of them loaded yet. */
  reset(depth: number): void {
    this.length = depth
    this.base = depth
  }

  push(kind: number): void {
    this.put(this.length - this.base, kind)
    this.length++
  }

  pop(): void {
    this.length--
    if (this.length < this.base) this.base = this.length
  }

  /** The scan has ended: give the storage back (nothing reads the levels any more). */
  release(): void {
    this.bits = new Uint32Array(4)
    this.base = this.length
  }

  /** Kind of level `level` (0 when there is none). */
  kind(level: number): number {
    if (level < 0 || level >= this.length) return 0
    while (level < this.base) this.load()
    const i = level - this.base
    return ((this.bits[i >>> 5] ?? 0) >>> (i & 31)) & 1 ? OBJ : ARR
  }

  top(): number {
    return this.kind(this.length - 1)
  }

  private put(i: number, kind: number): void {
    const w = i >>> 5
    if (w >= this.bits.length) {
      const next = new Uint32Array(Math.max(4, this.bits.length * 2, w + 1))
      next.set(this.bits)
      this.bits = next
    }
    const mask = 1 << (i & 31)
    this.bits[w] = kind === OBJ ? (this.bits[w] ?? 0) | mask : (this.bits[w] ?? 0) & ~mask
  }

  /** Levels below `base` are needed: load up to LOAD_LEVELS more under them, keeping the live ones above. */
  private load(): void {
    const lo = Math.max(0, this.base - LOAD_LEVELS)
    const live: number[] = []
    for (let l = this.base; l < this.length; l++) live.push(this.kind(l))
    const got = this.loader?.(lo, this.base) ?? new Uint8Array(this.base - lo)
    this.bits = new Uint32Array(Math.max(4, ((got.length + live.length) >>> 5) + 1))
    this.base = lo
    got.forEach((k, i) => this.put(i, k))
    live.forEach((k, i) => this.put(got.length + i, k))
  }
}
