import { formatMs } from '../../shared/format'
import { statusLine } from '../details/reason-phrase'
import type { StreamAttempt } from './lane-attempts'

/**
 * The unfiltered message log's rows: every message, and before the first message of each reconnect a
 * separator row that says which reconnect it was, what Last-Event-ID it sent, why the connection before it
 * ended and how long the engine waited. A reconnect that delivered nothing still gets its separator, at its
 * place (before the next connection's messages, or at the end). Row i of the windowed list is a message or a
 * separator; both mappings are O(log separators), never a walk over the log. Pure.
 */

export interface LogSeparator {
  /** The seq of the message it stands before (the log's length when the reconnect delivered nothing yet). */
  seq: number
  attempt: StreamAttempt
}

export type LogRow =
  { kind: 'message'; seq: number } | { kind: 'separator'; separator: LogSeparator; start: number }

/** Separators for a lane's reconnects (attempt 0 is the stream's start: none), in row order. */
export function separatorsOf(attempts: readonly StreamAttempt[]): LogSeparator[] {
  const out: LogSeparator[] = []
  let seq = 0
  for (const a of attempts) {
    if (a.n === 0) continue
    // Never before an earlier one (a reconnect learnt from an older engine may not know its seq).
    seq = Math.max(seq, a.firstSeq)
    out.push({ seq, attempt: a })
  }
  return out
}

export class LogRows {
  /** Rows: messages and the separators at or before the end of the log (each separator `span` rows). */
  readonly total: number
  private readonly seps: readonly LogSeparator[]

  /** `span`: the rows a separator takes (two, so its words wrap onto a second line in a narrow pane). */
  constructor(
    separators: readonly LogSeparator[],
    readonly messages: number,
    readonly span = 1,
  ) {
    // A separator past the end (the lane knows of a reconnect before its message count caught up) waits.
    let n = separators.length
    while (n > 0 && (separators[n - 1]?.seq ?? 0) > messages) n--
    this.seps = n === separators.length ? separators : separators.slice(0, n)
    this.total = messages + this.seps.length * span
  }

  /** Separator k starts at row seq_k + k·span (the k separators before it each push it down `span` rows). */
  private sepRow(k: number): number {
    return (this.seps[k]?.seq ?? 0) + k * this.span
  }

  /** Separators that start before `row`. */
  private sepsBefore(row: number): number {
    let lo = 0
    let hi = this.seps.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.sepRow(mid) < row) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Message rows before `row` (a separator that starts before it and runs into it counts its rows up to it). */
  private messagesBefore(row: number): number {
    const k = this.sepsBefore(row)
    if (k === 0) return row
    const inLast = Math.min(this.span, row - this.sepRow(k - 1))
    return row - (k - 1) * this.span - inLast
  }

  /** Row `row`: a message, or a separator with the row it starts at (a separator covers `span` rows). */
  at(row: number): LogRow {
    const k = this.sepsBefore(row + 1)
    const sep = this.seps[k - 1]
    if (sep && row < this.sepRow(k - 1) + this.span)
      return { kind: 'separator', separator: sep, start: this.sepRow(k - 1) }
    return { kind: 'message', seq: row - k * this.span }
  }

  /** The row of message `seq`. */
  rowOf(seq: number): number {
    // Separators at or before `seq` come before it.
    let lo = 0
    let hi = this.seps.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.seps[mid]?.seq ?? 0) <= seq) lo = mid + 1
      else hi = mid
    }
    return seq + lo * this.span
  }

  /** The messages rows `first..last` show (clamped; `last < first` when they show none). */
  messageRange(first: number, last: number): { first: number; last: number } {
    const lo = Math.max(0, first)
    const hi = Math.min(this.total - 1, last)
    return { first: this.messagesBefore(lo), last: this.messagesBefore(hi + 1) - 1 }
  }
}

/** An upper bound of one character's width (px) in a separator's 11 px italic words (stream-log-separators.css). */
const SEP_CHAR_W = 6.5
/** The separator's own room beside its words (px): the rules either side, their gaps, the row's padding. */
const SEP_FRAME_W = 16 + 12 + 2 * 8 + 2 * 6
/** At most this many rows for one separator; past them its words are cut (its tooltip holds them whole). */
const SEP_MOST_ROWS = 4

/**
 * The rows (22 px each) a separator takes in a log `width` px wide: enough for the longest separator's words,
 * wrapped, one line a row, so each is read whole in a narrow pane (the details beside the timeline at 1024 px).
 */
export function separatorRows(separators: readonly LogSeparator[], sse: boolean, width: number): number {
  let longest = 0
  for (const s of separators) longest = Math.max(longest, separatorText(s.attempt, sse).length)
  if (longest === 0) return 1
  const perLine = Math.max(1, Math.floor((width - SEP_FRAME_W) / SEP_CHAR_W))
  return Math.min(SEP_MOST_ROWS, Math.max(1, Math.ceil(longest / perLine)))
}

/**
 * One line: "Reconnect #2 · sent Last-Event-ID 41 · after: The server ended the stream · waited 3.0 s". What came
 * of the reconnect, when it is worth a word (not a plain 200 or 101: "204 No Content", "failed: …"), comes
 * right after its number, so a narrow pane that cuts the line still shows it.
 */
export function separatorText(a: StreamAttempt, sse: boolean): string {
  const { head, outcome, rest } = separatorParts(a, sse)
  return [head, outcome, rest].filter(Boolean).join(' · ')
}

export function separatorParts(
  a: StreamAttempt,
  sse: boolean,
): { head: string; outcome: string | null; rest: string } {
  const parts: string[] = []
  if (sse) parts.push(a.lastEventId !== null ? `sent Last-Event-ID ${a.lastEventId}` : 'no Last-Event-ID')
  if (a.after) parts.push(`after: ${a.after}`)
  if (a.delayMs !== null) parts.push(`waited ${waited(a.delayMs)}`)
  return { head: `Reconnect #${a.n}`, outcome: separatorOutcome(a), rest: parts.join(' · ') }
}

/** What came of the reconnect, when it is not a plain 200 (or 101): its status, or why it failed. */
export function separatorOutcome(a: StreamAttempt): string | null {
  if (a.status !== null && a.status !== 200 && a.status !== 101) return statusLine(a.status, '')
  if (a.openedAt === null && a.ended) return `failed: ${a.ended.reason}`
  return null
}

/** "3.0 s" from a second on, else ms. */
export function waited(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : formatMs(ms)
}
