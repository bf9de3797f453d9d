import { replayEvents, type ReplayedEvent } from '../sse/sse-ids'
import type { LogBytes, LogBytesHost } from './stream-log-bytes'
import { groupAtOrBefore, grown } from './stream-log-index'
import { NON_LATIN1 } from './stream-log-records'

/**
 * SSE events in a stream log, kept more cheaply than records: the engine parses each network chunk
 * (`SseLineParser`), and the log keeps the text of the chunk's whole blocks once (not each event's strings: those
 * die young) and indexes the chunk's events as one group (their time, which text, which of its events the first
 * is); an event's data, type, id and size are read back by parsing that text again with the same parser. Past the
 * log's memory share, the texts go to its temp file like everything else.
 */

/** Blocks texts read back and parsed lately (a reader pages through neighbouring entries). */
const REPLAYS_KEPT = 4

export class HeldEvents {
  /**
   * Held SSE events, in groups of consecutive seqs that came in one network chunk and are in one blocks text
   * (usually a group per chunk): the group's first seq, the time its events arrived, which blocks text they
   * are in, and which of that text's events the first one is. An event's group is the last one starting at or
   * before its seq.
   */
  private groupSeq = new Float64Array(0)
  private groupT = new Float64Array(0)
  private groupText = new Uint32Array(0)
  private groupOrdinal = new Uint32Array(0)
  private groups = 0
  /** The group found last (readers page through neighbouring entries). */
  private lastGroup = 0
  /**
   * SSE events, kept as the text of their blocks: one text per network chunk that ended some (whole blocks,
   * from one blank line to another), in memory until the log's share is used up, then in the temp file
   * (`sseAt` there, `sseLength` bytes). Reading an event parses its text again (`replayEvents`, with the same
   * rules), with the last event id where the text starts (`sseIds`).
   */
  private sseTexts: (string | null)[] = []
  private sseIds: string[] = []
  private sseAt: number[] = []
  private sseLength: number[] = []
  /** Memory the blocks texts in memory take, as counted in the store. */
  counted = 0
  private replays: { c: number; events: ReplayedEvent[] }[] = []

  constructor(
    private readonly bytes: LogBytes,
    private readonly host: Pick<LogBytesHost, 'mayKeep' | 'release'>,
  ) {}

  /** Events from seq `first` on arrived at `t`, from the `ordinal`th event of the chunk being read. */
  group(first: number, t: number, ordinal: number): void {
    if (this.groups === this.groupSeq.length) {
      const next = Math.max(64, this.groups * 2)
      this.groupSeq = grown(this.groupSeq, new Float64Array(next))
      this.groupT = grown(this.groupT, new Float64Array(next))
      this.groupText = grown(this.groupText, new Uint32Array(next))
      this.groupOrdinal = grown(this.groupOrdinal, new Uint32Array(next))
    }
    const g = this.groups++
    this.groupSeq[g] = first
    this.groupT[g] = t
    this.groupText[g] = this.sseTexts.length
    this.groupOrdinal[g] = ordinal
  }

  /** When held entry `i` arrived. */
  timeOf(i: number): number {
    return this.groupT[this.groupOf(i)] ?? 0
  }

  holdBlocks(text: string, startId: string, ascii: boolean): void {
    this.sseTexts.push(text)
    this.sseIds.push(startId)
    this.sseAt.push(-1)
    this.sseLength.push(0)
    // Counted by length: a string of only Latin-1 characters takes a byte a character, any other two.
    const cost = ascii || !NON_LATIN1.test(text) ? text.length : text.length * 2
    if (this.host.mayKeep(cost)) this.counted += cost
    else this.writeOutBlocks()
  }

  /**
   * As `holdBlocks`, for ASCII blocks: `head` (ASCII text) then the first `length` bytes of `chunk`, kept as
   * bytes among the log's own (copied into its memory blocks, off the JS heap, or to its temp file).
   */
  holdBlockBytes(head: string, chunk: Buffer, length: number, startId: string): void {
    const len = head.length + length
    this.sseTexts.push(null)
    this.sseIds.push(startId)
    this.sseAt.push(this.bytes.size)
    this.sseLength.push(len)
    const out = this.bytes.space(len)
    const at = this.bytes.reservedAt
    if (head.length > 0) out.write(head, at, head.length, 'latin1')
    chunk.copy(out, at + head.length, 0, length)
    this.bytes.commit(len)
  }

  /** Write the blocks texts in memory out to the temp file, as UTF-8, in order. */
  private writeOutBlocks(): void {
    for (let c = 0; c < this.sseTexts.length; c++) {
      const text = this.sseTexts[c]
      if (text === null || text === undefined) continue
      const bytes = Buffer.from(text)
      this.sseAt[c] = this.bytes.queue(bytes)
      this.sseLength[c] = bytes.length
      this.sseTexts[c] = null
    }
    this.host.release(this.counted)
    this.counted = 0
  }

  /** The events of blocks text `c`, parsed again (the last few are kept). */
  private replayed(c: number): ReplayedEvent[] {
    for (const r of this.replays) if (r.c === c) return r.events
    const text = this.sseTexts[c] ?? this.bytes.at(this.sseAt[c] ?? 0, this.sseLength[c] ?? 0).toString()
    const events = replayEvents(text, this.sseIds[c] ?? '')
    this.replays.unshift({ c, events })
    if (this.replays.length > REPLAYS_KEPT) this.replays.pop()
    return events
  }

  /** Held entry `i` read back. */
  event(i: number): ReplayedEvent {
    const g = this.groupOf(i)
    const c = this.groupText[g] ?? 0
    // An event of the chunk being read (its blocks are not given yet) reads as empty for now.
    if (c >= this.sseTexts.length) return { data: '', event: undefined, id: '' }
    const k = (this.groupOrdinal[g] ?? 0) + i - (this.groupSeq[g] ?? 0)
    return this.replayed(c)[k] ?? { data: '', event: undefined, id: '' }
  }

  /** The group of held entry `i`: the last one starting at or before it. */
  private groupOf(i: number): number {
    this.lastGroup = groupAtOrBefore(this.groupSeq, this.groups, i, this.lastGroup)
    return this.lastGroup
  }

  dispose(): void {
    this.counted = 0
    this.sseTexts = []
    this.groupSeq = new Float64Array(0)
    this.groups = 0
    this.replays = []
  }
}
