/**
 * "Beautify" for a JSON body. It re-indents and changes nothing else: numbers, escapes, key order and duplicate
 * keys stay exactly as typed (JSON.parse + stringify would round 12345678901234567890 and drop a repeated key).
 * `{{variables}}` outside strings (`{"n": {{count}}}`) are allowed, as the body is sent after substitution.
 */

export type BeautifyResult = { ok: true; text: string } | { ok: false; message: string }

const BARE_TOKEN = /^\{\{\s*[A-Za-z_$][\w.$-]*\s*\}\}/

interface Token {
  kind: 'punct' | 'value'
  text: string
  at: number
}

/** The text split into JSON tokens, whitespace dropped; a bare `{{name}}` is one value token. */
function tokens(text: string): Token[] {
  const out: Token[] = []
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text[i] ?? ''
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
    } else if ('{}[],:'.includes(c)) {
      const bare = c === '{' ? BARE_TOKEN.exec(text.slice(i, i + 256)) : null
      if (bare) {
        out.push({ kind: 'value', text: bare[0], at: i })
        i += bare[0].length
      } else {
        out.push({ kind: 'punct', text: c, at: i })
        i++
      }
    } else if (c === '"') {
      let j = i + 1
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      out.push({ kind: 'value', text: text.slice(i, j + 1), at: i })
      i = j + 1
    } else {
      let j = i
      while (j < n && !' \t\n\r{}[],:"'.includes(text[j] ?? '')) j++
      out.push({ kind: 'value', text: text.slice(i, j), at: i })
      i = j
    }
  }
  return out
}

/**
 * The text with every bare `{{name}}` replaced by a JSON string of the same length, so the parser's positions
 * (line, column) are the ones the person sees.
 */
function withHoles(text: string, toks: readonly Token[]): string {
  let out = ''
  let last = 0
  for (const t of toks) {
    if (t.kind !== 'value' || !t.text.startsWith('{{')) continue
    out += text.slice(last, t.at) + '"' + '_'.repeat(t.text.length - 2) + '"'
    last = t.at + t.text.length
  }
  return out + text.slice(last)
}

function parseProblem(text: string, toks: readonly Token[]): string | null {
  try {
    JSON.parse(withHoles(text, toks))
    return null
  } catch (e) {
    const msg = e instanceof Error ? e.message : 'it does not parse'
    return msg.replace(/^JSON\.parse: /, '')
  }
}

/**
 * A short note when a JSON body does not parse, or null. Empty text is fine (nothing typed yet), and so is a
 * bare `{{name}}` where a value goes: it is substituted before sending.
 */
export function jsonBodyProblem(text: string): string | null {
  if (text.trim() === '') return null
  const problem = parseProblem(text, tokens(text))
  return problem === null ? null : `Not valid JSON: ${problem}`
}

/** The body re-indented by `indent` spaces, or why it cannot be (the text is then left as it is). */
export function beautifyJson(text: string, indent = 2): BeautifyResult {
  if (text.trim() === '') return { ok: false, message: 'Nothing to beautify: the body is empty' }
  const toks = tokens(text)
  const problem = parseProblem(text, toks)
  if (problem !== null) return { ok: false, message: `Not beautified: not valid JSON (${problem})` }
  const pad = ' '.repeat(indent)
  let depth = 0
  let out = ''
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]
    if (!t) continue
    const next = toks[k + 1]
    const nl = (): string => '\n' + pad.repeat(depth)
    if (t.kind === 'value') {
      out += t.text
    } else if (t.text === '{' || t.text === '[') {
      const empty = next?.kind === 'punct' && (next.text === '}' || next.text === ']')
      if (empty) {
        out += t.text + next.text
        k++
      } else {
        depth++
        out += t.text + nl()
      }
    } else if (t.text === '}' || t.text === ']') {
      depth--
      out += nl() + t.text
    } else if (t.text === ',') {
      out += ',' + nl()
    } else {
      out += ': '
    }
  }
  return { ok: true, text: out }
}
