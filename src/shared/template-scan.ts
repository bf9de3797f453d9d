/**
 * The one reading of `{{…}}`: every place that looks for variables (the send, a run's `{{$webhook}}` check, the
 * CLI's refusal, scripts, the editors' highlighting) scans with this, so none of them reads braces its own way.
 *
 * - `{{ name }}` is a variable (spaces inside the braces are allowed, as other clients allow them).
 * - Right before `{{`, backslashes pair up, as Handlebars reads one and two: `\\` is one backslash, and an odd
 *   one left over makes the braces literal text. So `\{{x}}` sends `{{x}}`, `\\{{x}}` sends a backslash and then
 *   x's value, and `\\\{{x}}` a backslash and then `{{x}}`. Handlebars drops only one backslash of three or
 *   more; pairing them is what lets any text be written as a template that sends exactly it (escapeTemplate).
 * - Every other backslash and brace is text (`C:\dir`, `{{{x}}}` is a brace around a variable).
 *
 * One pass, left to right, linear in the text: `{{` is found with indexOf and the backslashes before it are
 * counted back only to where the last token ended, so a long run of backslashes is read once.
 */

const NAME = '[A-Za-z_$][\\w.$-]*'
/** A variable's braces and name, tried only where `{{` was found. */
const REF = new RegExp(`\\{\\{\\s*(${NAME})\\s*\\}\\}`, 'y')

/** Whether a variable can start with this character after `{{`: a name's first letter or a space. */
function mayStartRef(c: number): boolean {
  // A-Z, a-z, _, $, or any whitespace (\s also takes Unicode spaces, rare enough to leave to the pattern).
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c <= 32 || c > 127
}

function refAt(text: string, at: number): RegExpExecArray | null {
  REF.lastIndex = at
  return REF.exec(text)
}

export interface TemplateToken {
  /** Where the backslashes before the braces start (the braces' own start when there are none). */
  start: number
  /** Where the `{{` starts. */
  braces: number
  /** Where the token ends: after the variable's `}}`, after literal braces (and the name they hold), or at `{{`. */
  end: number
  /**
   * `ref`: a variable. `literal`: escaped braces, sent as typed (with the `name}}` after them, when they hold one).
   * `backslashes`: an even run of backslashes before braces that start no variable: only the halving applies, and
   * the braces are read on from there.
   */
  kind: 'ref' | 'literal' | 'backslashes'
  /** The variable's name; for literal braces, the name they hold (`\{{apiKey}}`), if any. */
  name?: string
}

/** The backslashes a token gives: half of those typed before its braces, rounded down. */
export function tokenBackslashes(t: TemplateToken): string {
  return '\\'.repeat((t.braces - t.start) >> 1)
}

/** Every token of `text`, in order; text between tokens is text as typed. */
export function* scanTemplate(text: string): Generator<TemplateToken> {
  let done = 0
  let from = 0
  for (let at = text.indexOf('{{', from); at !== -1; at = text.indexOf('{{', from)) {
    let start = at
    while (start > done && text.charCodeAt(start - 1) === 92) start--
    const m = mayStartRef(text.charCodeAt(at + 2)) ? refAt(text, at) : null
    const slashes = at - start
    if (slashes % 2 === 1) {
      const end = m ? at + m[0].length : at + 2
      yield m
        ? { start, braces: at, end, kind: 'literal', name: m[1] as string }
        : { start, braces: at, end, kind: 'literal' }
      done = from = end
    } else if (m) {
      const end = at + m[0].length
      yield { start, braces: at, end, kind: 'ref', name: m[1] as string }
      done = from = end
    } else {
      if (slashes > 0) yield { start, braces: at, end: at, kind: 'backslashes' }
      // The braces start nothing here; the next `{{` may start inside them (`{{{x}}}`).
      done = at
      from = at + 1
    }
  }
}

/**
 * `text` with each token replaced: a variable by `ref(name, token)` (undefined keeps its braces and name as
 * typed), escaped braces and halved backslashes by what they send.
 */
export function mapTemplate(
  text: string,
  ref: (name: string, t: TemplateToken) => string | undefined,
): string {
  if (!text.includes('{{')) return text
  let out = ''
  let last = 0
  for (const t of scanTemplate(text)) {
    out += text.slice(last, t.start) + tokenBackslashes(t)
    if (t.kind === 'ref') out += ref(t.name as string, t) ?? text.slice(t.braces, t.end)
    else out += text.slice(t.braces, t.end)
    last = t.end
  }
  return out + text.slice(last)
}

/** A value that starts with braces (after any backslashes): the backslashes before it are read with its own. */
const STARTS_WITH_BRACES = /^\\*\{\{/

/**
 * `text` with the variables `ref` gives a value for filled in and everything else left as typed, for a resolution
 * that reads it after (a script's values first, then the scopes'): it gives what resolving `text` with those
 * values would. Escapes stay escapes; before a filled value the backslashes are written so they pair the same.
 */
export function fillTemplate(text: string, ref: (name: string) => string | undefined): string {
  if (!text.includes('{{')) return text
  let out = ''
  let last = 0
  for (const t of scanTemplate(text)) {
    const value = t.kind === 'ref' ? ref(t.name as string) : undefined
    if (value === undefined) continue
    const halved = tokenBackslashes(t)
    out += text.slice(last, t.start) + (STARTS_WITH_BRACES.test(value) ? halved + halved : halved) + value
    last = t.end
  }
  return out + text.slice(last)
}
