import type { ReactNode } from 'react'

/**
 * Text others chose (a server's header names and values, a shared collection's request names, a body's one-line
 * view, an event name) with Unicode's bidirectional controls shown instead of obeyed. The browser lays text out
 * by them: `invoice<RLO>fdp.exe` draws as `invoiceexe.pdf`, so a header or a name could show other text than it
 * holds ("Trojan Source"). So is every other format character (category Cf), which the browser draws as nothing:
 * a zero-width space makes `Authorization<U+200B>` look like `Authorization`, and the tag characters carry text no
 * one sees. A zero-width joiner inside an emoji (`👩‍💻`) is left as it is: that is how the emoji is written. This
 * is the CLI's set (src/cli/terminal-text.ts). Each is drawn as its escape (`\u202e`, as the CLI prints it) in a
 * mark of its own, named on hover; the text itself is unchanged, so Copy still gives what was received.
 */

/** Unicode's format characters (Cf), but a zero-width joiner between emoji: the CLI's set. */
const HIDDEN =
  /(?!(?<=\p{Extended_Pictographic}(?:\u{fe0f}|[\u{1f3fb}-\u{1f3ff}])?)\u200d(?=\p{Extended_Pictographic}))\p{Cf}/u

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

/** Names of the invisible ones people meet most; any other format character is named by its code alone. */
const INVISIBLE: Readonly<Record<string, string>> = {
  '\u00ad': 'SOFT HYPHEN',
  '\u200b': 'ZERO WIDTH SPACE',
  '\u200c': 'ZERO WIDTH NON-JOINER',
  '\u200d': 'ZERO WIDTH JOINER',
  '\u2060': 'WORD JOINER',
  '\ufeff': 'ZERO WIDTH NO-BREAK SPACE',
}

/** Each UTF-16 unit as `\uXXXX`: a tag character (two units) as two, as the CLI writes it. */
function escapeOf(c: string): string {
  let out = ''
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`
  return out
}

function hoverOf(c: string): string {
  const code = `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
  const bidi = NAMES[c]
  if (bidi !== undefined)
    return `${code} ${bidi}: a control that reorders the text after it, shown instead of obeyed`
  const name = INVISIBLE[c]
  return `${code}${name !== undefined ? ` ${name}` : ''}: a character drawn as nothing, shown instead of hidden`
}

/** Whether `text` holds a bidirectional control or another format character (one scan; most text has none). */
export function hasBidiControl(text: string): boolean {
  return HIDDEN.test(text)
}

/** `text` with each such character written as its escape: for a title, a tab's tooltip, an option. */
export function bidiVisible(text: string): string {
  if (!hasBidiControl(text)) return text
  return text.replace(new RegExp(HIDDEN.source, 'gu'), escapeOf)
}

/** `text` as a person should read it: each bidirectional control a marked escape, the rest as it is. */
export function VisibleControls({ text }: { text: string }): ReactNode {
  if (!hasBidiControl(text)) return text
  const out: ReactNode[] = []
  let at = 0
  const all = new RegExp(HIDDEN.source, 'gu')
  for (let m = all.exec(text); m; m = all.exec(text)) {
    if (m.index > at) out.push(text.slice(at, m.index))
    const c = m[0]
    out.push(
      <span key={m.index} className="bidi-control" title={hoverOf(c)}>
        {escapeOf(c)}
      </span>,
    )
    at = m.index + c.length
  }
  if (at < text.length) out.push(text.slice(at))
  return <>{out}</>
}

/** A line break, which a one-line place (a button, a title) would draw as a space. */
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/g

/**
 * `text` on one line as a person should read it: each line break as ⏎ (as the message log shows one), so a
 * name `Pay\nnow` does not read as `Pay now`, and each invisible or reordering character a marked escape.
 */
export function VisibleLine({ text }: { text: string }): ReactNode {
  return <VisibleControls text={text.replace(LINE_BREAK, ' ⏎ ')} />
}
