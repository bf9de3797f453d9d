import type { ReactNode } from 'react'

/**
 * Text others chose (a server's header names and values, a shared collection's request names, a body's one-line
 * view, an event name) with Unicode's bidirectional controls shown instead of obeyed. The browser lays text out
 * by them: `invoice<RLO>fdp.exe` draws as `invoiceexe.pdf`, so a header or a name could show other text than it
 * holds ("Trojan Source"). Each control is drawn as its escape (`\u202e`, as the CLI prints it) in a mark of its
 * own, named on hover; the text itself is unchanged, so Copy still gives what was received.
 */

/** ALM, LRM, RLM, the embeddings and overrides (LRE … RLO), the isolates (LRI … PDI): the CLI's set. */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

const NAMES: Readonly<Record<string, string>> = {
  '\u061c': 'ARABIC LETTER MARK',
  '\u200e': 'LEFT-TO-RIGHT MARK',
  '\u200f': 'RIGHT-TO-LEFT MARK',
  '\u202a': 'LEFT-TO-RIGHT EMBEDDING',
  '\u202b': 'RIGHT-TO-LEFT EMBEDDING',
  '\u202c': 'POP DIRECTIONAL FORMATTING',
  '\u202d': 'LEFT-TO-RIGHT OVERRIDE',
  '\u202e': 'RIGHT-TO-LEFT OVERRIDE',
  '\u2066': 'LEFT-TO-RIGHT ISOLATE',
  '\u2067': 'RIGHT-TO-LEFT ISOLATE',
  '\u2068': 'FIRST STRONG ISOLATE',
  '\u2069': 'POP DIRECTIONAL ISOLATE',
}

function escapeOf(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/** Whether `text` holds a bidirectional control (one scan; most text has none). */
export function hasBidiControl(text: string): boolean {
  return BIDI_CONTROL.test(text)
}

/** `text` with each bidirectional control written as its escape: for a title, a tab's tooltip, an option. */
export function bidiVisible(text: string): string {
  if (!hasBidiControl(text)) return text
  return text.replace(new RegExp(BIDI_CONTROL.source, 'g'), escapeOf)
}

/** `text` as a person should read it: each bidirectional control a marked escape, the rest as it is. */
export function VisibleControls({ text }: { text: string }): ReactNode {
  if (!hasBidiControl(text)) return text
  const out: ReactNode[] = []
  let at = 0
  const all = new RegExp(BIDI_CONTROL.source, 'g')
  for (let m = all.exec(text); m; m = all.exec(text)) {
    if (m.index > at) out.push(text.slice(at, m.index))
    const c = m[0]
    out.push(
      <span
        key={m.index}
        className="bidi-control"
        title={`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} ${NAMES[c] ?? ''}: a control that reorders the text after it, shown instead of obeyed`}
      >
        {escapeOf(c)}
      </span>,
    )
    at = m.index + 1
  }
  if (at < text.length) out.push(text.slice(at))
  return <>{out}</>
}
