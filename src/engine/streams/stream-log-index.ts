/**
 * A stream log's entry index, a column per field, in pages of PAGE entries (the first page grows up to that by
 * doubling), so a growing log never copies its index. Every entry has its flags; the time, place and size of a
 * record (anything but a held SSE event) are kept only in pages that have some records, close codes only in
 * pages that have some: a log of SSE events costs a byte an event here, plus its groups.
 */

const PAGE_BITS = 16
const PAGE = 1 << PAGE_BITS
const IN_PAGE = PAGE - 1

export class EntryIndex {
  /** Entries indexed. */
  count = 0
  /** Entries the index has room for. */
  private capacity = 0
  // Every column has a slot for every page from the start (undefined until the page has such entries), so
  // reads and writes stay in bounds and each array keeps one elements kind: V8's optimised code for `add` is
  // not thrown away for an out-of-bounds read or a changed array map while the first logs of a process fill.
  private tPages: (Float64Array | undefined)[] = [undefined]
  private offsetPages: (Float64Array | undefined)[] = [undefined]
  private lengthPages: (Uint32Array | undefined)[] = [undefined]
  /** Bytes of the message's data (the stored record also carries the event name and id). */
  private sizePages: (Uint32Array | undefined)[] = [undefined]
  /** kind code | flags (see stream-log-kinds.ts) */
  private flagPages: Uint8Array[] = [new Uint8Array(0)]
  /** WebSocket close codes. */
  private codePages: (Uint16Array | undefined)[] = [undefined]

  /** A new entry for a record; returns its seq. */
  add(t: number, offset: number, length: number, size: number, flags: number): number {
    if (this.count === this.capacity) this.grow()
    const i = this.count++
    const p = i >>> PAGE_BITS
    const j = i & IN_PAGE
    ;(this.flagPages[p] as Uint8Array)[j] = flags
    let tp = this.tPages[p]
    if (tp === undefined || tp.length <= j) tp = this.recordPages(p)
    tp[j] = t
    ;(this.offsetPages[p] as Float64Array)[j] = offset
    ;(this.lengthPages[p] as Uint32Array)[j] = length
    ;(this.sizePages[p] as Uint32Array)[j] = size
    return i
  }

  /** One entry with only its flags (a held message: its time and place are its group's); returns its seq. */
  addFlag(flags: number): number {
    if (this.count === this.capacity) this.grow()
    const i = this.count++
    ;(this.flagPages[i >>> PAGE_BITS] as Uint8Array)[i & IN_PAGE] = flags
    return i
  }

  /** `count` entries with only their flags (held SSE events); returns the first seq. */
  addFlagged(count: number, flags: number): number {
    const first = this.count
    const end = first + count
    while (this.capacity < end) this.grow()
    for (let i = first; i < end;) {
      const p = i >>> PAGE_BITS
      const stop = Math.min(end, (p + 1) << PAGE_BITS)
      ;(this.flagPages[p] as Uint8Array).fill(flags, i & IN_PAGE, ((stop - 1) & IN_PAGE) + 1)
      i = stop
    }
    this.count = end
    return first
  }

  setCode(i: number, code: number): void {
    const p = i >>> PAGE_BITS
    let codes = this.codePages[p]
    if (codes === undefined || codes.length <= (i & IN_PAGE)) {
      codes = grown(codes, new Uint16Array(p === 0 ? Math.min(this.capacity, PAGE) : PAGE))
      this.codePages[p] = codes
    }
    codes[i & IN_PAGE] = code
  }

  tAt(i: number): number {
    return this.tPages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  offsetAt(i: number): number {
    return this.offsetPages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  lengthAt(i: number): number {
    return this.lengthPages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  sizeAt(i: number): number {
    return this.sizePages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  flagsAt(i: number): number {
    return this.flagPages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  codeAt(i: number): number {
    return this.codePages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  private grow(): void {
    if (this.capacity < PAGE) {
      const next = Math.max(1024, this.capacity * 2)
      this.flagPages[0] = grown(this.flagPages[0], new Uint8Array(next))
      this.capacity = next
      return
    }
    this.flagPages.push(new Uint8Array(PAGE))
    this.tPages.push(undefined)
    this.offsetPages.push(undefined)
    this.lengthPages.push(undefined)
    this.sizePages.push(undefined)
    this.codePages.push(undefined)
    this.capacity += PAGE
  }

  /** Page `p`'s record columns, made (or grown, the first page, up to the capacity) for a record in it. */
  private recordPages(p: number): Float64Array {
    const size = p === 0 ? Math.min(this.capacity, PAGE) : PAGE
    const t = grown(this.tPages[p], new Float64Array(size))
    this.tPages[p] = t
    this.offsetPages[p] = grown(this.offsetPages[p], new Float64Array(size))
    this.lengthPages[p] = grown(this.lengthPages[p], new Uint32Array(size))
    this.sizePages[p] = grown(this.sizePages[p], new Uint32Array(size))
    return t
  }
}

/** `into` holding `from`'s values first (`from` may be missing). */
export function grown<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(
  from: T | undefined,
  into: T,
): T {
  if (from) into.set(from)
  return into
}

/**
 * The last of the first `n` groups whose first sequence number (`seqs`, ascending) is at or before `i`. Reads go
 * mostly in order, so the group found last time (`hint`) is tried first; otherwise a binary search.
 */
export function groupAtOrBefore(seqs: Float64Array, n: number, i: number, hint: number): number {
  if (hint < n && (seqs[hint] as number) <= i && (hint + 1 === n || (seqs[hint + 1] as number) > i))
    return hint
  let lo = 0
  let hi = n - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if ((seqs[mid] as number) <= i) lo = mid
    else hi = mid - 1
  }
  return lo
}
