/**
 * Where a JSON text stops being JSON, and what was expected there: the body's note says this in its own words
 * and at a line and column, instead of the parser's message. V8's "Unexpected token" messages quote the text
 * they were given, which for a body is the check's masked copy (a bare `{{name}}` written as `"____"`, see
 * json-beautify.ts): the person would read our placeholder, not what they typed.
 *
 * One pass over the text with an explicit stack (a deeply nested body cannot overflow the call stack), run only
 * once JSON.parse has refused the text, so valid bodies never pay for it.
 */

export interface JsonSyntaxError {
  /** The index in the text where it goes wrong (the text's length when it ends too soon). */
  at: number
  /** What was expected there, in a person's words. */
  expected: string
}

/** What the walk reads next. */
const Next = { Value: 0, Key: 1, AfterValue: 2 } as const

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
}

/** The index after the string opening at `i`, or the error in it. */
function scanString(text: string, i: number): number | JsonSyntaxError {
  let j = i + 1
  while (j < text.length) {
    const c = text.charCodeAt(j)
    if (c === 0x22) return j + 1
    if (c < 0x20) return { at: j, expected: 'no line break or control character inside a string (write \\n)' }
    if (c !== 0x5c) {
      j++
      continue
    }
    const e = text[j + 1] ?? ''
    if ('"\\/bfnrt'.includes(e) && e !== '') j += 2
    else if (e === 'u' && [2, 3, 4, 5].every((k) => isHex(text.charCodeAt(j + k)))) j += 6
    else return { at: j, expected: 'a JSON escape after \\ (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)' }
  }
  return { at: i, expected: 'a closing " for the string that starts here' }
}

/** The index after the number starting at `i`, or the error in it. */
function scanNumber(text: string, i: number): number | JsonSyntaxError {
  let j = i
  if (text.charCodeAt(j) === 0x2d) j++
  if (text.charCodeAt(j) === 0x30) j++
  else if (isDigit(text.charCodeAt(j))) while (isDigit(text.charCodeAt(j))) j++
  else return { at: j, expected: 'a digit' }
  if (text.charCodeAt(j) === 0x2e) {
    j++
    if (!isDigit(text.charCodeAt(j))) return { at: j, expected: 'a digit after the decimal point' }
    while (isDigit(text.charCodeAt(j))) j++
  }
  const e = text.charCodeAt(j)
  if (e === 0x65 || e === 0x45) {
    j++
    const sign = text.charCodeAt(j)
    if (sign === 0x2b || sign === 0x2d) j++
    if (!isDigit(text.charCodeAt(j))) return { at: j, expected: 'a digit in the exponent' }
    while (isDigit(text.charCodeAt(j))) j++
  }
  return j
}

/** The first place `text` is not JSON, or null when it is. */
export function jsonSyntaxError(text: string): JsonSyntaxError | null {
  /** The closers of the open objects and arrays, innermost last. */
  const open: string[] = []
  let next: (typeof Next)[keyof typeof Next] = Next.Value
  let i = 0
  const skipWs = (): void => {
    while (i < text.length && isWs(text.charCodeAt(i))) i++
  }
  for (;;) {
    skipWs()
    const c = text[i]
    if (next === Next.AfterValue) {
      const closer = open[open.length - 1]
      if (closer === undefined)
        return c === undefined ? null : { at: i, expected: 'nothing after the JSON value' }
      if (c === ',') {
        next = closer === '}' ? Next.Key : Next.Value
        i++
      } else if (c === closer) {
        open.pop()
        i++
      } else return { at: i, expected: `',' or '${closer}'` }
      continue
    }
    if (next === Next.Key) {
      if (c !== '"') return { at: i, expected: 'a property name in double quotes' }
      const end = scanString(text, i)
      if (typeof end !== 'number') return end
      i = end
      skipWs()
      if (text[i] !== ':') return { at: i, expected: "':' after the property name" }
      i++
      next = Next.Value
      continue
    }
    if (c === '{' || c === '[') {
      i++
      skipWs()
      const closer = c === '{' ? '}' : ']'
      if (text[i] === closer) {
        i++
        next = Next.AfterValue
      } else {
        open.push(closer)
        next = c === '{' ? Next.Key : Next.Value
      }
      continue
    }
    let end: number | JsonSyntaxError
    if (c === '"') end = scanString(text, i)
    else if (c === '-' || (c !== undefined && isDigit(c.charCodeAt(0)))) end = scanNumber(text, i)
    else {
      const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i))
      if (word === undefined) return { at: i, expected: 'a value' }
      end = i + word.length
    }
    if (typeof end !== 'number') return end
    i = end
    next = Next.AfterValue
  }
}

/** "line 3, column 14" for index `at` of `text` (columns count UTF-16 units from 1, as editors do). */
export function lineAndColumn(text: string, at: number): string {
  let line = 1
  let start = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
    line++
    start = i + 1
  }
  return `line ${line}, column ${at - start + 1}`
}
