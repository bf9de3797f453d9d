/**
 * Bruno's `.bru` files: top-level blocks, each `name {` ... `}` (or `name [` ... `]` for a list, as in
 * `vars:secret [ a, b ]`), the closing brace alone at the start of a line. A block is either pairs
 * (`  key: value`, `~key` switched off, `'''` fences for a value over several lines) or text (bodies,
 * scripts, tests, docs: its lines indented two spaces). A small strict reader of our own: it reads line by
 * line once (linear in the file), and a line outside any block is an error that names the line.
 */

export interface BruPair {
  name: string
  value: string
  enabled: boolean
}

export type BruBlock =
  | { kind: 'pairs'; name: string; pairs: BruPair[]; line: number; annotations: number }
  | { kind: 'text'; name: string; text: string; line: number }
  | { kind: 'list'; name: string; items: string[]; line: number }

export class BruParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`)
  }
}

/** Blocks whose content is text, not pairs. */
const TEXT_BLOCK = /^(body(:(json|text|xml|sparql|graphql|graphql:vars))?|script:[\w-]+|tests|docs)$/
const MAX_BLOCKS = 200
const MAX_PAIRS = 10_000

function dedent(lines: string[]): string {
  return lines.map((l) => (l.startsWith('  ') ? l.slice(2) : l.trimStart())).join('\n')
}

/** A `'''` value's closing line, which may carry Bruno's `@contentType(…)` (a multipart part's type). */
const FENCE_END = /^'''\s*(@contentType\(.*\))?$/

/** A pair's annotation line (`@description('…')`, `@number`), written on the lines before the pair. */
const ANNOTATION = /^@[^\s():]+(\((.*)\))?$/

/** The line after an annotation whose argument runs over several lines (`@description('''` … `''')`). */
function annotationEnd(lines: string[], i: number, first: number): number {
  const open = (lines[i] ?? '').trim()
  if (!/\('''$/.test(open)) return i
  for (let j = i + 1; j < lines.length; j++) if ((lines[j] ?? '').trim() === "''')") return j
  throw new BruParseError(first + i, `the annotation ${open.slice(0, 40)} is not closed`)
}

/**
 * The pairs of a block's lines; `'''` starts a value over several lines, ended by a line `'''`. Annotation
 * lines before a pair (Bruno's row descriptions) are passed over, counted in `annotations`.
 */
function pairs(lines: string[], first: number, annotations: { count: number }): BruPair[] {
  const out: BruPair[] = []
  for (let i = 0; i < lines.length && out.length < MAX_PAIRS; i++) {
    const raw = lines[i] ?? ''
    if (raw.trim() === '') continue
    if (ANNOTATION.test(raw.trim()) || /^@[^\s():]+\('''$/.test(raw.trim())) {
      annotations.count++
      i = annotationEnd(lines, i, first)
      continue
    }
    const at = raw.indexOf(':')
    if (at < 0) throw new BruParseError(first + i, `"${raw.trim().slice(0, 60)}" is not "name: value"`)
    let name = raw.slice(0, at).trim()
    let value = raw.slice(at + 1).trim()
    const enabled = !name.startsWith('~')
    if (!enabled) name = name.slice(1)
    if (/^".*"$/.test(name)) name = name.slice(1, -1)
    if (value === '[') {
      // A list over several lines (`tags: [` … `]` in meta): its items, one a line, joined by commas.
      const items: string[] = []
      let j = i + 1
      for (; j < lines.length && (lines[j] ?? '').trim() !== ']'; j++) items.push((lines[j] ?? '').trim())
      if (j >= lines.length) throw new BruParseError(first + i, `the [ list of "${name}" is not closed`)
      value = items
        .map((x) => x.replace(/,$/, ''))
        .filter((x) => x !== '')
        .join(', ')
      i = j
    } else if (value === "'''") {
      const body: string[] = []
      let j = i + 1
      for (; j < lines.length && !FENCE_END.test((lines[j] ?? '').trim()); j++) body.push(lines[j] ?? '')
      if (j >= lines.length) throw new BruParseError(first + i, `the ''' value of "${name}" is not closed`)
      value = dedent(body.map((l) => (l.startsWith('  ') ? l.slice(2) : l)))
      const type = FENCE_END.exec((lines[j] ?? '').trim())?.[1]
      if (type) value = `${value} ${type}`
      i = j
    }
    out.push({ name, value, enabled })
  }
  return out
}

export function parseBru(text: string): BruBlock[] {
  // Only CRLF and LF end a line, as in Bruno's grammar: a lone CR read as a line end let a value hold a
  // "}" that closed its block here but not in Bruno (a header value opening a script block).
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const blocks: BruBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line.trim() === '') continue
    // Trimmed first: a `\s*` on each side of the optional closer backtracked quadratically on trailing spaces.
    const open = /^([A-Za-z][\w:-]*)\s*([{[])\s*(\]|\})?$/.exec(line.trimEnd())
    if (!open)
      throw new BruParseError(i + 1, `expected a block ("name {"), found "${line.trim().slice(0, 60)}"`)
    if (blocks.length >= MAX_BLOCKS) throw new BruParseError(i + 1, `more than ${MAX_BLOCKS} blocks`)
    const name = open[1] ?? ''
    const list = open[2] === '['
    const close = list ? ']' : '}'
    const start = i + 1
    const body: string[] = []
    if (open[3] === undefined) {
      i++
      for (; i < lines.length && (lines[i] ?? '').trimEnd() !== close; i++) body.push(lines[i] ?? '')
      if (i >= lines.length) throw new BruParseError(start, `block "${name}" is not closed with "${close}"`)
    }
    if (list) {
      const items = body
        .join('\n')
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter((s) => s !== '')
      blocks.push({ kind: 'list', name, items, line: start })
    } else if (TEXT_BLOCK.test(name)) {
      blocks.push({ kind: 'text', name, text: dedent(body), line: start })
    } else {
      const annotations = { count: 0 }
      const found = pairs(body, start + 1, annotations)
      blocks.push({ kind: 'pairs', name, pairs: found, line: start, annotations: annotations.count })
    }
  }
  return blocks
}

/**
 * Blocks by name (the last wins, as in Bruno). Each is also kept as `name#1`, `name#2`, … in order, for blocks
 * a file repeats (a gRPC request has one `body:grpc` per message).
 */
export function blockMap(blocks: readonly BruBlock[]): Map<string, BruBlock> {
  const m = new Map(blocks.map((b) => [b.name, b]))
  const count = new Map<string, number>()
  for (const b of blocks) {
    const n = (count.get(b.name) ?? 0) + 1
    count.set(b.name, n)
    m.set(`${b.name}#${n}`, b)
  }
  return m
}

export function pairsOf(m: Map<string, BruBlock>, name: string): BruPair[] {
  const b = m.get(name)
  return b?.kind === 'pairs' ? b.pairs : []
}

export function textOf(m: Map<string, BruBlock>, name: string): string | undefined {
  const b = m.get(name)
  return b?.kind === 'text' ? b.text : undefined
}

export function valueOf(m: Map<string, BruBlock>, block: string, key: string): string | undefined {
  return pairsOf(m, block).find((p) => p.name === key)?.value
}
