/**
 * JSON bodies written with comments (`// …`, `/* … *\/`), which Bruno (decomment) and Hoppscotch (jsonc-parser)
 * take out before sending, and trailing commas, which Hoppscotch also drops. Flightdeck sends a JSON body as
 * written, so an import takes them out once, here, and says so. Strings (with their escapes) and everything
 * else, `{{variables}}` included, are kept byte for byte. Linear in the text: each search for a block comment's
 * end runs at most once past where a later one would start (once none is found, none will be).
 */

export interface Stripped {
  text: string
  comments: number
  commas: number
}

/** The index after the spaces and the one line break from `at` (where a removed comment ended). */
function skipLineEnd(text: string, at: number): number {
  let i = at
  while (text[i] === ' ' || text[i] === '\t') i++
  if (text[i] === '\r') i++
  if (text[i] === '\n') i++
  return i
}

export function stripJsonComments(text: string, trailingCommas: boolean): Stripped {
  let noBlockEnd = false
  /** Where the block comment opened at `at` ends (after its `*\/`), or -1 when it is never closed. */
  const blockEnd = (at: number): number => {
    if (noBlockEnd) return -1
    const end = text.indexOf('*/', at + 2)
    if (end === -1) noBlockEnd = true
    return end === -1 ? -1 : end + 2
  }
  /** The index after the whitespace and comments from `from` on (a trailing comma's lookahead). */
  const skipBlank = (from: number): number => {
    let i = from
    while (i < text.length) {
      const c = text[i]
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++
      else if (c === '/' && text[i + 1] === '/') {
        const end = text.indexOf('\n', i)
        i = end === -1 ? text.length : end
      } else if (c === '/' && text[i + 1] === '*') {
        const end = blockEnd(i)
        if (end === -1) return i
        i = end
      } else return i
    }
    return i
  }
  let out = ''
  let from = 0
  let comments = 0
  let commas = 0
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '"') {
      // A string: to its closing quote, past escaped ones.
      i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      i++
    } else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      const line = text[i + 1] === '/'
      const lineEnd = line ? text.indexOf('\n', i) : 0
      const end = line ? (lineEnd === -1 ? text.length : lineEnd) : blockEnd(i)
      // An unclosed block comment is not one: left as written.
      if (end === -1) {
        i += 2
        continue
      }
      // A comment alone on its line takes the line with it (no blank line is left where it was). Only the
      // blanks just before it are looked at, each once, so this stays linear.
      let lineStart = i
      while (lineStart > from && (text[lineStart - 1] === ' ' || text[lineStart - 1] === '\t')) lineStart--
      const next = skipLineEnd(text, end)
      const alone =
        (lineStart === 0 || text[lineStart - 1] === '\n') && (next === text.length || text[next - 1] === '\n')
      out += text.slice(from, alone ? lineStart : i)
      i = alone ? next : end
      from = i
      comments++
    } else if (c === ',' && trailingCommas) {
      const next = text[skipBlank(i + 1)]
      if (next === '}' || next === ']') {
        out += text.slice(from, i)
        from = i + 1
        commas++
      }
      i++
    } else i++
  }
  if (comments === 0 && commas === 0) return { text, comments, commas }
  return { text: out + text.slice(from), comments, commas }
}

/**
 * An imported JSON body as its tool sends it: without comments (and trailing commas for Hoppscotch), said in
 * one report line when any were taken out.
 */
export function jsonAsSent(
  text: string,
  tool: 'Bruno' | 'Hoppscotch',
  report: (line: string) => void,
  what = 'JSON body',
): string {
  const r = stripJsonComments(text, tool === 'Hoppscotch')
  const taken = [
    r.comments > 0 ? `${r.comments} comment${r.comments === 1 ? '' : 's'}` : '',
    r.commas > 0 ? `${r.commas} trailing comma${r.commas === 1 ? '' : 's'}` : '',
  ].filter((s) => s !== '')
  if (taken.length > 0) report(`${taken.join(' and ')} in the ${what} taken out, as ${tool} sends it`)
  return r.text
}
