import type { StreamEntry } from '../../shared/streams'

/**
 * The SSE "assemble" view: concatenate one field across a stream's events (`choices[0].delta.content` for
 * OpenAI-style streams, `delta.text` for Anthropic's) to read a streamed answer as text, with time to first
 * token and rates. Pure; the store feeds it pages of the log as they arrive.
 */

export type PathStep = string | number

/** `choices[0].delta.content`, `a.b["c d"]`, `[2].x` to steps; null when the path does not parse. */
export function parseFieldPath(path: string): PathStep[] | null {
  const steps: PathStep[] = []
  const re = /\s*(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\])/y
  let at = 0
  const text = path.trim()
  if (text === '') return null
  while (at < text.length) {
    re.lastIndex = at
    const m = re.exec(text)
    if (!m) return null
    if (m[1] !== undefined) steps.push(m[1])
    else if (m[2] !== undefined) steps.push(Number(m[2]))
    else steps.push((m[3] ?? '').replace(/\\(.)/g, '$1'))
    at = re.lastIndex
  }
  return steps
}

/** The field's text in one event's data: strings as they are, numbers and booleans printed; else null. */
export function extractField(data: string, steps: readonly PathStep[]): string | null {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return null
  }
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return null
    value = (value as Record<string | number, unknown>)[step]
  }
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return null
}

/**
 * Where the streamed text sits in each event of the LLM APIs people stream from: OpenAI's chat completions
 * (`choices[0].delta.content`), Anthropic's messages (`content_block_delta` events: `delta.text`) and Gemini's
 * `streamGenerateContent?alt=sse` (`candidates[0].content.parts[0].text`). Events without the field (Anthropic's
 * `message_start`, `ping`…) are counted as events, not tokens.
 */
export const ASSEMBLE_PRESETS: readonly { label: string; path: string }[] = [
  { label: 'OpenAI', path: 'choices[0].delta.content' },
  { label: 'Anthropic', path: 'delta.text' },
  { label: 'Gemini', path: 'candidates[0].content.parts[0].text' },
]

/** Most characters the assembled text keeps (an answer is small; a runaway stream must not fill the heap). */
export const MAX_ASSEMBLED = 1024 * 1024

export interface Assembled {
  path: string
  text: string
  /** True once the text hit MAX_ASSEMBLED and stopped growing. */
  capped: boolean
  /** Events read so far and the next log seq to read. */
  events: number
  nextSeq: number
  /** Events whose field was present and not empty (the "tokens"). */
  pieces: number
  /** Engine ms of the first event, the first piece and the last piece. */
  firstEventAt: number | null
  firstPieceAt: number | null
  lastPieceAt: number | null
}

export function emptyAssembled(path: string): Assembled {
  return {
    path,
    text: '',
    capped: false,
    events: 0,
    nextSeq: 0,
    pieces: 0,
    firstEventAt: null,
    firstPieceAt: null,
    lastPieceAt: null,
  }
}

/** Fold a page of log entries (in seq order, starting at `state.nextSeq`) into the assembled text. */
export function assembleEntries(state: Assembled, entries: readonly StreamEntry[]): Assembled {
  const steps = parseFieldPath(state.path)
  let { text, capped, events, nextSeq, pieces, firstEventAt, firstPieceAt, lastPieceAt } = state
  for (const e of entries) {
    if (e.seq < nextSeq) continue
    nextSeq = e.seq + 1
    if (e.dir !== 'in' || (e.kind !== 'event' && e.kind !== 'line' && e.kind !== 'text')) continue
    events++
    firstEventAt ??= e.t
    if (!steps || e.encoding !== 'utf8') continue
    const piece = extractField(e.data, steps)
    // OpenAI's first chunk carries the role with `"content": ""`: no token yet, so it neither starts the time to
    // first token nor counts as one.
    if (piece === null || piece === '') continue
    pieces++
    firstPieceAt ??= e.t
    lastPieceAt = e.t
    if (!capped) {
      text += piece
      if (text.length > MAX_ASSEMBLED) {
        text = text.slice(0, MAX_ASSEMBLED)
        capped = true
      }
    }
  }
  return { path: state.path, text, capped, events, nextSeq, pieces, firstEventAt, firstPieceAt, lastPieceAt }
}

export interface AssembleStats {
  /** From the session's start (queued) to the first piece, ms. */
  timeToFirstToken: number | null
  /** Pieces per second between the first and the last piece. */
  tokensPerSecond: number | null
  eventsPerSecond: number | null
}

export function assembleStats(a: Assembled, sessionStart: number): AssembleStats {
  const span = a.firstPieceAt !== null && a.lastPieceAt !== null ? a.lastPieceAt - a.firstPieceAt : 0
  const evSpan = a.firstEventAt !== null && a.lastPieceAt !== null ? a.lastPieceAt - a.firstEventAt : 0
  return {
    timeToFirstToken: a.firstPieceAt === null ? null : a.firstPieceAt - sessionStart,
    tokensPerSecond: span > 0 ? ((a.pieces - 1) / span) * 1000 : null,
    eventsPerSecond: evSpan > 0 ? ((a.events - 1) / evSpan) * 1000 : null,
  }
}
