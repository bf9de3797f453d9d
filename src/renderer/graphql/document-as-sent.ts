import { scanTemplate, tokenBackslashes } from '../../shared/template-scan'

/**
 * A GraphQL document as Send parses it, for the editor's marks: the engine fills its `{{variables}}` and reads its
 * `\{{` escapes before it parses (graphql-handlers.ts), so the marks are found on that text and drawn back on the
 * typed one. Each variable stands in as a name (as the operation picker reads it, operations.ts), which parses
 * where a value, a name or a string's text goes; what a mark on a stand-in says would depend on the value the
 * variable gets, so such marks are not drawn.
 */

const STAND_IN = '__variable'

/** A stretch of the text as sent and where it was typed; `exact`: the same characters, one for one. */
interface Piece {
  sent: number
  sentLength: number
  typed: number
  typedLength: number
  exact: boolean
  variable: boolean
}

export interface DocumentAsSent {
  text: string
  /** The typed offset of `offset` in `text`; a range's `end` inside a stand-in maps to the variable's end. */
  typedOffset(offset: number, end: boolean): number
  /** Whether `from..to` in `text` touches a variable's stand-in. */
  touchesVariable(from: number, to: number): boolean
}

const AS_TYPED: Omit<DocumentAsSent, 'text'> = {
  typedOffset: (offset) => offset,
  touchesVariable: () => false,
}

export function documentAsSent(typed: string): DocumentAsSent {
  if (!typed.includes('{{')) return { text: typed, ...AS_TYPED }
  const pieces: Piece[] = []
  let text = ''
  const add = (sent: string, at: number, typedLength: number, exact: boolean, variable = false): void => {
    if (sent.length === 0 && typedLength === 0) return
    pieces.push({ sent: text.length, sentLength: sent.length, typed: at, typedLength, exact, variable })
    text += sent
  }
  let last = 0
  for (const t of scanTemplate(typed)) {
    add(typed.slice(last, t.start), last, t.start - last, true)
    add(tokenBackslashes(t), t.start, t.braces - t.start, false)
    if (t.kind === 'ref') add(STAND_IN, t.braces, t.end - t.braces, false, true)
    else add(typed.slice(t.braces, t.end), t.braces, t.end - t.braces, true)
    last = t.end
  }
  add(typed.slice(last), last, typed.length - last, true)
  return {
    text,
    typedOffset(offset, end) {
      const piece = end
        ? pieces.find((p) => offset > p.sent && offset <= p.sent + p.sentLength)
        : pieces.find((p) => offset >= p.sent && offset < p.sent + p.sentLength)
      if (!piece) return offset >= text.length ? typed.length : 0
      if (piece.exact) return piece.typed + (offset - piece.sent)
      return end ? piece.typed + piece.typedLength : piece.typed
    },
    touchesVariable(from, to) {
      const until = Math.max(to, from + 1)
      return pieces.some((p) => p.variable && p.sent < until && p.sent + p.sentLength > from)
    },
  }
}
