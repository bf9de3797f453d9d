/**
 * Exports people edit by hand: a JSON file that does not parse is most often one with a trailing comma (`[1, 2,]`),
 * left where an entry was deleted. Its meaning is plain, so an import reads it without those commas and says so;
 * any other mistake is told as JSON's error at its line and column.
 */

/**
 * `text` with each trailing comma (one followed, after whitespace only, by `}` or `]`) replaced by a space, so
 * every other character keeps its offset (an error in what is left is told at its place in the file). Strings
 * and their escapes are skipped. Linear: each comma's lookahead ends at the next non-blank character.
 */
export function blankTrailingCommas(text: string): { text: string; commas: number } {
  let out = ''
  let from = 0
  let commas = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    } else if (c === ',') {
      let j = i + 1
      while (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r') j++
      if (text[j] === '}' || text[j] === ']') {
        out += `${text.slice(from, i)} `
        from = i + 1
        commas++
      }
    }
  }
  return commas === 0 ? { text, commas } : { text: out + text.slice(from), commas }
}

/** JSON.parse's error, with the place it names as a line and column of `text` (Node 20 says only a position). */
export function jsonErrorWords(e: unknown, text: string): string {
  const message = e instanceof Error ? e.message : String(e)
  const at = /\s*(?:in JSON )?at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(message)
  if (!at) return message
  const position = Number(at[1])
  const before = text.slice(0, position)
  const line = before.split('\n').length
  const column = position - before.lastIndexOf('\n')
  return `${message.slice(0, at.index)} at line ${line}, column ${column}`
}
