/**
 * "Beautify" for a JSON body. It re-indents and changes nothing else: numbers, escapes, key order and duplicate
 * keys stay exactly as typed (JSON.parse + stringify would round 12345678901234567890 and drop a repeated key).
 * `{{variables}}` outside strings (`{"n": {{count}}}`) are allowed, as the body is sent after substitution.
 * Both passes walk the text once and allocate only their output (and one entry per bare variable), so a
 * multi-megabyte body costs about its own size, not an object per token.
 */

import { scanTemplate } from '../../shared/template-scan'
import { jsonSyntaxError, lineAndColumn } from './json-syntax-error'

export type BeautifyResult = { ok: true; text: string } | { ok: false; message: string }

const BARE_TOKEN = /^\{\{\s*[A-Za-z_$][\w.$-]*\s*\}\}/
const WS = ' \t\n\r'
const VALUE_END = ' \t\n\r{}[],:"'

/** Where `"` at `i` ends (the index after its closing quote), or the text's length when it never does. */
function stringEnd(text: string, i: number): number {
  let j = i + 1
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
  return Math.min(j + 1, text.length)
}

/** The length of a bare `{{name}}` at `i` (outside any string), or 0. A name is short: look 256 chars ahead. */
function bareTokenAt(text: string, i: number): number {
  if (text[i] !== '{' || text[i + 1] !== '{') return 0
  return BARE_TOKEN.exec(text.slice(i, i + 256))?.[0].length ?? 0
}

/**
 * The text with every bare `{{name}}` replaced by a JSON string of the same length, so the parser's positions
 * are the ones the person sees.
 */
function withHoles(text: string): string {
  if (!text.includes('{{')) return text
  let out = ''
  let last = 0
  for (let i = 0; i < text.length;) {
    const c = text[i]
    if (c === '"') {
      i = stringEnd(text, i)
      continue
    }
    const len = bareTokenAt(text, i)
    if (len > 0) {
      out += text.slice(last, i) + '"' + '_'.repeat(len - 2) + '"'
      i += len
      last = i
    } else i++
  }
  return out + text.slice(last)
}

/**
 * The text with the backslashes before `{{` in its strings as the send leaves them (template-scan: `\{{x}}` sends
 * `{{x}}`, two send one), the ones it drops written as `_` in front, so the length and the parser's positions stay
 * the typed ones: `"\{{apiKey}}"` is valid JSON as sent, though `\{` is no JSON escape as typed. Outside strings
 * the text stays as typed (literal braces there are not JSON either way, and the note names the typed `\`).
 */
function asSent(text: string): string {
  if (!text.includes('\\{{')) return text
  let out = ''
  let last = 0
  let at = 0
  let inString = false
  for (const t of scanTemplate(text)) {
    // Read the JSON as typed up to the token: a run of backslashes never starts inside an escape pair.
    while (at < t.start) {
      const c = text[at]
      if (inString && c === '\\') at += 2
      else {
        if (c === '"') inString = !inString
        at++
      }
    }
    const typed = t.braces - t.start
    if (!inString || typed === 0 || at !== t.start) continue
    const kept = typed >> 1
    out += text.slice(last, t.start) + '_'.repeat(typed - kept) + '\\'.repeat(kept)
    last = at = t.braces
  }
  return out + text.slice(last)
}

/** A character as the note names it: quoted, or by name when it is not seen. */
function shown(c: string): string {
  if (c === '\n') return 'a line break'
  const code = c.charCodeAt(0)
  return code < 0x20 ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`
}

/**
 * Why the text is not JSON, in our words and at a line and column of the typed text, or null when it is. The
 * parser's own message is not shown: it can quote the masked copy (a variable as `"____"`), which nobody typed.
 */
function parseProblem(text: string): string | null {
  const masked = withHoles(asSent(text))
  try {
    JSON.parse(masked)
    return null
  } catch {
    // The masked copy keeps every character's place, so a place in it is the same place in the typed text.
    const error = jsonSyntaxError(masked)
    if (error === null) return 'it does not parse'
    const found = error.at < text.length ? `found ${shown(text.charAt(error.at))}` : 'the text ends there'
    return `expected ${error.expected} at ${lineAndColumn(text, error.at)}, ${found}`
  }
}

/**
 * Past this size the body is not parsed on every keystroke (15 MB takes about 650 ms and 70 MB of heap);
 * the note says so, and Beautify still checks it on demand.
 */
export const LIVE_CHECK_LIMIT = 4 * 1024 * 1024

/**
 * A short note when a JSON body does not parse, or null. Empty text is fine (nothing typed yet), and so is a
 * bare `{{name}}` where a value goes: it is substituted before sending.
 */
export function jsonBodyProblem(text: string): string | null {
  if (text.length > LIVE_CHECK_LIMIT)
    return `Not checked as JSON while typing: the body is ${(text.length / 1024 / 1024).toFixed(1)} MB, over 4 MB (Beautify checks it)`
  if (text.trim() === '') return null
  const problem = parseProblem(text)
  return problem === null ? null : `Not valid JSON: ${problem} (it is sent as typed)`
}

/** The index of the next character that is not whitespace, from `i`. */
function skipWs(text: string, i: number): number {
  while (i < text.length && WS.includes(text[i] ?? '')) i++
  return i
}

/** The body re-indented by `indent` spaces, or why it cannot be (the text is then left as it is). */
export function beautifyJson(text: string, indent = 2): BeautifyResult {
  if (text.trim() === '') return { ok: false, message: 'Nothing to beautify: the body is empty' }
  const problem = parseProblem(text)
  if (problem !== null) return { ok: false, message: `Not beautified: not valid JSON (${problem})` }
  // It parses, so the walk below only meets well-formed JSON (with bare variables as values).
  const pad = ' '.repeat(indent)
  const newlines: string[] = []
  let depth = 0
  const nl = (): string => (newlines[depth] ??= '\n' + pad.repeat(depth))
  // Pieces are joined into a flat string every few thousand, so a million small tokens never sit in one array.
  const chunks: string[] = []
  const buf: string[] = []
  const push = (piece: string): void => {
    buf.push(piece)
    if (buf.length >= 4096) {
      chunks.push(buf.join(''))
      buf.length = 0
    }
  }
  for (let i = skipWs(text, 0); i < text.length; i = skipWs(text, i)) {
    const c = text[i] ?? ''
    const bare = bareTokenAt(text, i)
    if (bare > 0) {
      push(text.slice(i, i + bare))
      i += bare
    } else if (c === '"') {
      const end = stringEnd(text, i)
      push(text.slice(i, end))
      i = end
    } else if (c === '{' || c === '[') {
      const next = skipWs(text, i + 1)
      if (text[next] === (c === '{' ? '}' : ']')) {
        push(c === '{' ? '{}' : '[]')
        i = next + 1
      } else {
        depth++
        push(c + nl())
        i++
      }
    } else if (c === '}' || c === ']') {
      depth--
      push(nl() + c)
      i++
    } else if (c === ',') {
      push(',' + nl())
      i++
    } else if (c === ':') {
      push(': ')
      i++
    } else {
      let j = i
      while (j < text.length && !VALUE_END.includes(text[j] ?? '')) j++
      push(text.slice(i, j))
      i = j
    }
  }
  chunks.push(buf.join(''))
  return { ok: true, text: chunks.join('') }
}
