/** Kinds (OBJ or ARR) of the open levels [lo, hi) at a scan's start. */
export type KindLoader = (lo: number, hi: number) => Uint8Array

/** Levels fetched at a time when a restarted scan pops below what it knows of the stack. */
const LOAD_LEVELS = 128

/**
 * The open containers, one byte each. A scan restarted mid-body knows only the depth; the kinds of the levels
 * below `base` are loaded when a pop reaches them (a window of lines pops at most a few levels).
 */
export class LevelStack {
  length = 0
  private base = 0
  private data = new Uint8Array(64)

  constructor(private readonly loader: KindLoader | null) {}

  /** Start with `depth` levels open, none of them loaded yet. */
  reset(depth: number): void {
    this.length = depth
    this.base = depth
  }

  push(kind: number): void {
    const i = this.length - this.base
    if (i >= this.data.length) {
      const next = new Uint8Array(Math.max(64, this.data.length * 2))
      next.set(this.data)
      this.data = next
    }
    this.data[i] = kind
    this.length++
  }

  pop(): void {
    this.length--
    if (this.length < this.base) this.base = this.length
  }

  /** The scan has ended: give the storage back (nothing reads the levels any more). */
  release(): void {
    this.data = new Uint8Array(0)
    this.base = this.length
  }

  /** Kind of level `level` (0 when there is none). */
  kind(level: number): number {
    if (level < 0 || level >= this.length) return 0
    while (level < this.base) this.load()
    return this.data[level - this.base] ?? 0
  }

  top(): number {
    return this.kind(this.length - 1)
  }

  /** Levels below `base` are needed: load up to LOAD_LEVELS more under them, keeping the live ones above. */
  private load(): void {
    const lo = Math.max(0, this.base - LOAD_LEVELS)
    const live = this.data.subarray(0, this.length - this.base)
    const got = this.loader?.(lo, this.base) ?? new Uint8Array(this.base - lo)
    const next = new Uint8Array(Math.max(64, (got.length + live.length) * 2))
    next.set(got)
    next.set(live, got.length)
    this.data = next
    this.base = lo
  }
}
