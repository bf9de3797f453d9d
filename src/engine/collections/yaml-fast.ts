/**
 * A reader for the plain block YAML that Flightdeck writes and most people keep (mappings, sequences, plain and
 * one-line quoted scalars): about ten times faster than js-yaml on a request file, which a collection of
 * thousands reads on every open. It returns what js-yaml returns for the same text, or `undefined` as soon as
 * the text uses anything else (comments, flow collections, block scalars, anchors, tags, multi-line scalars,
 * quoted keys, duplicate keys, tabs, CR line ends, a document marker…), and the caller reads it with js-yaml,
 * which also words every error. Plain scalars are resolved by the same schema types js-yaml would use.
 */

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

class Unsupported {}
const UNSUPPORTED = new Unsupported()

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
    if (first < 0 || reader.indentOf(first) !== 0) return undefined
    const root = reader.mapping(0)
    // Whatever is left (a line the structure above did not take) is something this reader does not know.
    return reader.next() < 0 ? root : undefined
  } catch (e) {
    if (e === UNSUPPORTED) return undefined
    throw e
  }
}

class Reader {
  private at = 0
  private depth = 0

  constructor(
    private readonly lines: readonly string[],
    private readonly scalar: ScalarResolver,
  ) {}

  /** The index of the next line with content (blank lines between entries are allowed), or -1 at the end. */
  next(): number {
    while (this.at < this.lines.length) {
      const line = this.lines[this.at] as string
      if (!blank(line)) {
        if (line.startsWith('---') || line.startsWith('...') || line.startsWith('%')) throw UNSUPPORTED
        return this.at
      }
      this.at++
    }
    return -1
  }

  indentOf(i: number): number {
    const line = this.lines[i] as string
    let n = 0
    while (line.charCodeAt(n) === 32) n++
    return n
  }

  /**
   * A block mapping whose keys sit at column `indent`, starting at the current line (or at `first`, the text after
   * a sequence's dash). Each line is looked at by index, so the only strings made are its key and its value.
   */
  mapping(indent: number, first?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    let pending = first
    for (;;) {
      let content: string
      let from: number
      if (pending !== undefined) {
        content = pending
        from = 0
        pending = undefined
      } else {
        const i = this.next()
        if (i < 0) return out
        const at = this.indentOf(i)
        if (at < indent) return out
        if (at > indent) throw UNSUPPORTED
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
        out[key] = this.nested(indent, true)
        continue
      }
      const value = content.slice(start, end)
      const chomp = content.charCodeAt(start) === PIPE ? LITERAL.get(value) : undefined
      if (chomp !== undefined) out[key] = this.literal(indent, chomp)
      else {
        out[key] = this.inline(value)
        this.noContinuation(indent)
      }
    }
  }

  /** A block sequence whose dashes sit at column `indent`. */
  sequence(indent: number): unknown[] {
    const out: unknown[] = []
    for (;;) {
      const i = this.next()
      if (i < 0 || this.indentOf(i) < indent) return out
      if (this.indentOf(i) > indent) throw UNSUPPORTED
      const line = this.lines[i] as string
      if (!line.startsWith('- ', indent)) {
        // A sequence ends where its parent mapping's next key starts (at the same column for `key:\n- a`).
        if (line.startsWith('-', indent)) throw UNSUPPORTED
        return out
      }
      let gap = indent + 2
      while (line.charCodeAt(gap) === 32) gap++
      const item = trimSpaces(line.slice(gap))
      if (item === '' || item.startsWith('- ')) throw UNSUPPORTED
      if (isMappingStart(item)) {
        // `- name: x` then `  value: y`: one mapping whose keys sit where `name` does.
        if (this.depth >= MAX_DEPTH) throw UNSUPPORTED
        this.depth++
        out.push(this.mapping(gap, item))
        this.depth--
      } else {
        this.at++
        out.push(this.inline(item))
        this.noContinuation(indent)
      }
    }
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
    const textIndent = this.at < end ? this.indentOf(this.at) : 0
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

  /** A key with nothing after its colon: a block below it, or null. */
  private nested(indent: number, sameColumnSequence: boolean): unknown {
    if (this.depth >= MAX_DEPTH) throw UNSUPPORTED
    this.depth++
    const value = this.below(indent, sameColumnSequence)
    this.depth--
    return value
  }

  /** What `nested` reads, one level deeper. */
  private below(indent: number, sameColumnSequence: boolean): unknown {
    const i = this.next()
    if (i < 0) return null
    const child = this.indentOf(i)
    const line = this.lines[i] as string
    const dash = line.startsWith('- ', child) || line.length === child + 1
    if (child === indent && sameColumnSequence && line.startsWith('-', child)) {
      if (!dash) return null
      return this.sequence(child)
    }
    if (child <= indent) return null
    if (line.startsWith('-', child)) {
      if (!dash) throw UNSUPPORTED
      return this.sequence(child)
    }
    return this.mapping(child)
  }

  /** After a scalar on its own line, the next line may not be more indented (a multi-line scalar). */
  private noContinuation(indent: number): void {
    const i = this.next()
    if (i >= 0 && this.indentOf(i) > indent) throw UNSUPPORTED
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

/** Only spaces (what trimSpaces would make '' of), without making the trimmed text. */
function blank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 32) return false
  return true
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

const ESCAPES: Record<string, string> = {
  '\\': '\\',
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  b: '\b',
}

/** `"…"` closed on its own line, with the common escapes; anything else goes to js-yaml. */
function doubleQuoted(v: string): string {
  let out = ''
  let from = 1
  for (let i = 1; i < v.length; i++) {
    const ch = v.charAt(i)
    if (ch === '"') {
      if (i !== v.length - 1) throw UNSUPPORTED
      return out + v.slice(from, i)
    }
    if (ch !== '\\') continue
    out += v.slice(from, i)
    const e = v.charAt(i + 1)
    const simple = ESCAPES[e]
    if (simple !== undefined) {
      out += simple
      i++
    } else if (e === 'u' || e === 'x') {
      const len = e === 'u' ? 4 : 2
      const hex = v.slice(i + 2, i + 2 + len)
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) throw UNSUPPORTED
      out += String.fromCharCode(Number.parseInt(hex, 16))
      i += 1 + len
    } else throw UNSUPPORTED
    from = i + 1
  }
  throw UNSUPPORTED
}

/** `'…'` closed on its own line (`''` is a quote). */
function singleQuoted(v: string): string {
  let out = ''
  let from = 1
  for (let i = 1; i < v.length; i++) {
    if (v.charAt(i) !== "'") continue
    if (v.charAt(i + 1) === "'") {
      out += v.slice(from, i + 1)
      i++
      from = i + 1
      continue
    }
    if (i !== v.length - 1) throw UNSUPPORTED
    return out + v.slice(from, i)
  }
  throw UNSUPPORTED
}
