/**
 * A reader for the plain block YAML that Flightdeck writes and most people keep (mappings, sequences, plain and
 * one-line quoted scalars): about ten times faster than js-yaml on a request file, which a collection of
 * thousands reads on every open. It returns what js-yaml returns for the same text, or `undefined` as soon as
 * the text uses anything else (comments, flow collections, block scalars, anchors, tags, multi-line scalars,
 * quoted keys, duplicate keys, tabs, CR line ends, a document marker…), and the caller reads it with js-yaml,
 * which also words every error. Plain scalars are resolved by the same schema types js-yaml would use.
 */

import { doubleQuoted, singleQuoted, UNSUPPORTED } from './yaml-fast-quoted'

/** A plain scalar's value, as the read schema's implicit types resolve it (`200` a number, `~` null…). */
export type ScalarResolver = (plain: string) => unknown

/** Characters js-yaml refuses anywhere in a stream (its PATTERN_NON_PRINTABLE). */
const NON_PRINTABLE =
  // eslint-disable-next-line no-control-regex -- these are the control characters YAML does not allow
  /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/

/** Keys taken as written (`[A-Za-z_][A-Za-z0-9_.-]*`), unless js-yaml would read them as null or a boolean. */
const RESOLVED_KEYS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE'])

const SPACE = 32
const DASH = 45
const DOT = 46
const PERCENT = 37
const PIPE = 124

/** `text.slice(from, to)` is `[A-Za-z_][A-Za-z0-9_.-]*`, looked at without making the slice. */
function isKeyText(text: string, from: number, to: number): boolean {
  if (to <= from) return false
  const first = text.charCodeAt(from)
  if (!(isLetter(first) || first === 0x5f)) return false
  for (let i = from + 1; i < to; i++) {
    const c = text.charCodeAt(i)
    if (!(isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === DASH)) return false
  }
  return true
}

/** A key taken as written: key text that js-yaml would not read as null or a boolean. */
function isPlainKey(text: string, from: number, to: number): boolean {
  if (!isKeyText(text, from, to)) return false
  // Only null, true and false (in three cases each) start with these letters and are 4 or 5 long.
  const n = to - from
  return !(
    (n === 4 || n === 5) &&
    'nNtTfF'.includes(text.charAt(from)) &&
    RESOLVED_KEYS.has(text.slice(from, to))
  )
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)
}

/** First characters of a plain scalar that mean something else in YAML (flow, anchor, tag, block, quote…). */
const INDICATOR = new Set([
  '[',
  ']',
  '{',
  '}',
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
  ',',
  '?',
  ':',
])

type Chomp = 'clip' | 'strip' | 'keep'
const LITERAL = new Map<string, Chomp>([
  ['|', 'clip'],
  ['|-', 'strip'],
  ['|+', 'keep'],
])

/** Most lines one fast read looks at; a longer file goes to js-yaml. */
const MAX_LINES = 100_000
/**
 * Deepest nesting read here: deeper goes to js-yaml, which refuses past its own maxDepth (100) and words the
 * error; reading on would accept what js-yaml refuses and, past a few thousand levels, overflow the stack.
 */
const MAX_DEPTH = 50

export function readSimpleYaml(text: string, scalar: ScalarResolver): Record<string, unknown> | undefined {
  if (
    text.includes('\t') ||
    text.includes('\r') ||
    text.includes('#') ||
    text.charCodeAt(0) === 0xfeff ||
    NON_PRINTABLE.test(text)
  )
    return undefined
  const lines = text.split('\n')
  if (lines.length > MAX_LINES) return undefined
  try {
    const reader = new Reader(lines, scalar)
    const first = reader.next()
    if (first < 0 || reader.indent !== 0) return undefined
    const root = reader.read()
    // Whatever is left (a line the structure above did not take) is something this reader does not know.
    return reader.next() < 0 ? root : undefined
  } catch (e) {
    if (e === UNSUPPORTED) return undefined
    throw e
  }
}

/**
 * A block mapping or sequence being read: its entries sit at column `indent`. The reader keeps these on a stack
 * of its own rather than calling itself for each level, so it is one function that the engine compiles once,
 * not four calling each other that it compiles (each with the others inlined) four times.
 */
class Level {
  constructor(
    readonly indent: number,
    readonly map: Record<string, unknown> | null,
    readonly list: unknown[] | null,
  ) {}
}

class Reader {
  private at = 0
  /** The indentation of the line the last `next()` found. */
  indent = 0
  /** The text after a sequence's dash that starts a mapping (`- name: x`): that mapping's first line. */
  private first: string | undefined = undefined

  constructor(
    private readonly lines: readonly string[],
    private readonly scalar: ScalarResolver,
  ) {}

  /**
   * The index of the next line with content (blank lines between entries are allowed), or -1 at the end; its
   * indentation in `indent`.
   */
  next(): number {
    const lines = this.lines
    while (this.at < lines.length) {
      const line = lines[this.at] as string
      const n = leadingSpaces(line)
      if (n < line.length) {
        const c = line.charCodeAt(n)
        // `---`, `...` and `%` are only markers at the line's start; elsewhere they are content.
        if (n === 0 && (c === DASH || c === DOT || c === PERCENT)) {
          if (line.startsWith('---') || line.startsWith('...') || line.startsWith('%')) throw UNSUPPORTED
        }
        this.indent = n
        return this.at
      }
      this.at++
    }
    return -1
  }

  /**
   * The document's root mapping (keys at column 0), every level below it read off `stack`. A mapping's lines are
   * looked at by index, so the only strings made are its keys and values.
   */
  read(): Record<string, unknown> {
    const root: Record<string, unknown> = {}
    const stack: Level[] = [new Level(0, root, null)]
    while (stack.length > 0) {
      const level = stack[stack.length - 1] as Level
      const indent = level.indent
      const out = level.map
      if (out === null) {
        if (!this.sequenceItem(level.list as unknown[], indent, stack)) stack.pop()
        continue
      }
      let content: string
      let from: number
      if (this.first !== undefined) {
        content = this.first
        from = 0
        this.first = undefined
      } else {
        const i = this.next()
        if (i < 0 || this.indent < indent) {
          stack.pop()
          continue
        }
        if (this.indent > indent) throw UNSUPPORTED
        content = this.lines[i] as string
        from = indent
      }
      this.at++
      if (content.charCodeAt(from) === DASH) {
        const after = content.charCodeAt(from + 1)
        if (after === SPACE || Number.isNaN(after)) throw UNSUPPORTED
      }
      const colon = content.indexOf(':', from)
      if (colon <= from) throw UNSUPPORTED
      const key = content.slice(from, colon)
      if (!isPlainKey(content, from, colon) || key === '__proto__' || Object.hasOwn(out, key))
        throw UNSUPPORTED
      // `key:|` or `key:x` is one plain scalar to YAML (a colon ends a key only before a space or the line end).
      let start = colon + 1
      if (start < content.length && content.charCodeAt(start) !== SPACE) throw UNSUPPORTED
      let end = content.length
      while (start < end && content.charCodeAt(start) === SPACE) start++
      while (end > start && content.charCodeAt(end - 1) === SPACE) end--
      if (start === end) {
        // Nothing after the colon: a block below the key, or null.
        if (stack.length - 1 >= MAX_DEPTH) throw UNSUPPORTED
        const below = this.below(indent)
        if (below === null) out[key] = null
        else {
          stack.push(below)
          out[key] = below.map ?? below.list
        }
        continue
      }
      const value = content.slice(start, end)
      const chomp = content.charCodeAt(start) === PIPE ? LITERAL.get(value) : undefined
      if (chomp !== undefined) out[key] = this.literal(indent, chomp)
      else {
        out[key] = this.inline(value)
        this.noContinuation(indent)
      }
      continue
    }
    return root
  }

  /**
   * One item of the block sequence whose dashes sit at column `indent`, into `out`: false where the sequence ends.
   * An item that starts a mapping (`- name: x` then `  value: y`, keys where `name` is) is pushed on `stack`, its
   * first line in `first`.
   */
  private sequenceItem(out: unknown[], indent: number, stack: Level[]): boolean {
    const i = this.next()
    if (i < 0 || this.indent < indent) return false
    if (this.indent > indent) throw UNSUPPORTED
    const line = this.lines[i] as string
    if (!line.startsWith('- ', indent)) {
      // A sequence ends where its parent mapping's next key starts (at the same column for `key:\n- a`).
      if (line.startsWith('-', indent)) throw UNSUPPORTED
      return false
    }
    let gap = indent + 2
    while (line.charCodeAt(gap) === SPACE) gap++
    const item = trimSpaces(line.slice(gap))
    if (item === '' || item.startsWith('- ')) throw UNSUPPORTED
    if (isMappingStart(item)) {
      if (stack.length - 1 >= MAX_DEPTH) throw UNSUPPORTED
      const map: Record<string, unknown> = {}
      out.push(map)
      stack.push(new Level(gap, map, null))
      this.first = item
    } else {
      this.at++
      out.push(this.inline(item))
      this.noContinuation(indent)
    }
    return true
  }

  /**
   * A literal block scalar (`|`, `|-`, `|+`, as the writer puts a body's lines) below a key at `indent`: its
   * lines at the first one's indentation, blank lines kept, the end chomped as js-yaml chomps it. Leading blank
   * lines (which move the indentation in js-yaml) and an explicit indentation are left to js-yaml.
   */
  private literal(indent: number, chomp: Chomp): string {
    const lines = this.lines
    // split('\n') of a text ending in a line break gives a last '' that is no line of the file.
    const end = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length
    const first = this.at < end ? (lines[this.at] as string) : ''
    const textIndent = this.at < end ? leadingSpaces(first) : 0
    if (textIndent <= indent || textIndent === first.length) throw UNSUPPORTED
    let out = ''
    let empty = 0
    let read = false
    for (; this.at < end; this.at++) {
      const line = lines[this.at] as string
      let n = 0
      while (n < textIndent && line.charCodeAt(n) === 32) n++
      if (n === line.length) {
        empty++
        continue
      }
      if (n < textIndent) break
      out += '\n'.repeat(read ? 1 + empty : empty) + line.slice(textIndent)
      read = true
      empty = 0
    }
    if (chomp === 'keep') out += '\n'.repeat(1 + empty)
    else if (chomp === 'clip') out += '\n'
    return out
  }

  /**
   * What a key at column `indent` with nothing after its colon holds: the level below it (a sequence may sit at
   * the key's own column), or null.
   */
  private below(indent: number): Level | null {
    const i = this.next()
    if (i < 0) return null
    const child = this.indent
    const line = this.lines[i] as string
    const dash = line.startsWith('- ', child) || line.length === child + 1
    if (child === indent && line.startsWith('-', child)) return dash ? new Level(child, null, []) : null
    if (child <= indent) return null
    if (line.startsWith('-', child)) {
      if (!dash) throw UNSUPPORTED
      return new Level(child, null, [])
    }
    return new Level(child, {}, null)
  }

  /** After a scalar on its own line, the next line may not be more indented (a multi-line scalar). */
  private noContinuation(indent: number): void {
    if (this.next() >= 0 && this.indent > indent) throw UNSUPPORTED
  }

  /** A value written on the key's (or dash's) line. */
  private inline(v: string): unknown {
    const c = v.charAt(0)
    if (c === '"') return doubleQuoted(v)
    if (c === "'") return singleQuoted(v)
    if (INDICATOR.has(c) || (c === '-' && (v.length === 1 || v.charAt(1) === ' '))) throw UNSUPPORTED
    if (v.includes(': ') || v.endsWith(':')) throw UNSUPPORTED
    return this.scalar(v)
  }
}

/**
 * `s` without its leading and trailing spaces. Not String.trim, which also takes a no-break space, U+3000 or
 * U+FEFF that YAML keeps as content (a header value pasted with a trailing no-break space keeps it).
 */
function trimSpaces(s: string): string {
  let from = 0
  let to = s.length
  while (from < to && s.charCodeAt(from) === 32) from++
  while (to > from && s.charCodeAt(to - 1) === 32) to--
  return from === 0 && to === s.length ? s : s.slice(from, to)
}

function leadingSpaces(line: string): number {
  // Bounded by the length: reading past the end (an all-space line) made the engine drop its compiled code.
  let n = 0
  while (n < line.length && line.charCodeAt(n) === SPACE) n++
  return n
}

function isMappingStart(item: string): boolean {
  // A quoted item is a scalar here; one followed by `: …` (a quoted key) is refused when it is read.
  if (item.startsWith('"') || item.startsWith("'")) return false
  const colon = item.indexOf(':')
  if (colon <= 0) return false
  if (colon === item.length - 1 || item.charCodeAt(colon + 1) === 32) {
    if (!isKeyText(item, 0, colon)) throw UNSUPPORTED
    return true
  }
  return false
}
