import type { StreamEntry } from '../../shared/streams'
import { extractField, type PathStep } from './assemble'

/**
 * The message list's data column while the Assemble view has a field path: the piece that path extracts from
 * each message (`Hello` rather than `{"choices":[{"delta":{"content":"Hello"}}]}`). Null when the message has
 * none (another event type, `[DONE]`, the role chunk's empty content, a message cut by the log window): the
 * list then shows the envelope, dimmed. Pure.
 */
export function assembledPiece(e: StreamEntry, steps: readonly PathStep[]): string | null {
  if (e.dir !== 'in' || e.encoding !== 'utf8') return null
  if (e.kind !== 'event' && e.kind !== 'line' && e.kind !== 'text') return null
  const piece = extractField(e.data, steps)
  return piece === null || piece === '' ? null : piece
}

/** A piece on one line: newlines shown as ⏎, at most `maxChars`. */
export function pieceLine(piece: string, maxChars = 300): string {
  const text = piece.length > maxChars ? `${piece.slice(0, maxChars)}…` : piece
  return text.replace(/\r?\n/g, ' ⏎ ')
}
