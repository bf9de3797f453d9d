import { createRequire } from 'node:module'
import type * as YamlLibrary from 'yaml'
import type { Document, LineCounter, Node, Pair, Scalar, Tags, YAMLMap } from 'yaml'

/**
 * yaml (about 70 files) is loaded with the first collection file written, or the first wrong one read (its line
 * is found from yaml's positions): a right file is read with js-yaml, and a start that opened no collection,
 * as the browser host's, loaded it for nothing. A synchronous require, since reading a file is synchronous.
 */
let library: typeof YamlLibrary | null = null
function yaml(): typeof YamlLibrary {
  library ??= createRequire(import.meta.url)('yaml') as typeof YamlLibrary
  return library
}

/**
 * YAML in and out, shaped for review in git:
 * - keys are written in the order the caller gives (the format's canonical order), so files look alike;
 * - multi-line strings (bodies) are block literals (`|`), one line per line, never folded;
 * - saving over an existing file edits that file's document in place: unchanged values keep their exact
 *   text, comments stay where they were, keys the format does not know are left alone, so changing one field
 *   changes one line.
 */

export type Plain = string | number | boolean | null | Plain[] | PlainMap
export interface PlainMap {
  [key: string]: Plain
}

const STRING_OPTIONS = { lineWidth: 0, minContentWidth: 0 } as const

export interface ParsedYaml {
  doc: Document.Parsed
  lines: LineCounter
}

export interface YamlProblem {
  line: number
  column: number
  message: string
}

const NUMBER_TAGS = new Set(['tag:yaml.org,2002:int', 'tag:yaml.org,2002:float'])

/**
 * A number in a file is written back as it was written (`01234`, `0x1F`, `12345678901234567890`, `1.10`) while it
 * still means the same number; yaml would otherwise print the parsed number (`1234`, `31`, `12345678901234567000`)
 * on every save of the file, even one that changed another line.
 */
function keepNumberText(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== 'object' || !NUMBER_TAGS.has(tag.tag) || !('stringify' in tag) || !tag.stringify)
      return tag
    const stringify = tag.stringify
    const keep: typeof stringify = (item, ctx, onComment, onChompKeep) => {
      const source = (item as Scalar).source
      return typeof source === 'string' && source !== '' && Number(source) === Number(item.value)
        ? source
        : stringify(item, ctx, onComment, onChompKeep)
    }
    return { ...tag, stringify: keep }
  })
}

/** Parse; a syntax error comes back with its 1-based line and column. */
export function parseYaml(
  text: string,
): { ok: true; value: ParsedYaml } | { ok: false; problem: YamlProblem } {
  const { LineCounter, parseDocument } = yaml()
  const lines = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    customTags: keepNumberText,
  })
  const error = doc.errors[0]
  if (error) {
    const pos = error.linePos?.[0] ?? lines.linePos(error.pos[0])
    const message = error.message.split('\n')[0] ?? 'YAML syntax error'
    return { ok: false, problem: { line: pos.line, column: pos.col, message } }
  }
  return { ok: true, value: { doc, lines } }
}

/** The 1-based line of the node at `path`, or of its nearest ancestor that exists. */
export function lineOf(parsed: ParsedYaml, path: readonly PropertyKey[]): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = parsed.doc.getIn(path.slice(0, n) as (string | number)[], true) as Node | undefined
    const start = node?.range?.[0]
    if (start !== undefined) {
      const pos = parsed.lines.linePos(start)
      return { line: pos.line, column: pos.col }
    }
  }
  return { line: 1, column: 1 }
}

function styleStrings(doc: Document, node: Node): void {
  const { BLOCK_LITERAL } = yaml().Scalar
  yaml().visit(node, {
    Scalar(_key, scalar) {
      if (typeof scalar.value === 'string' && scalar.value.includes('\n')) scalar.type = BLOCK_LITERAL
    },
  })
  void doc
}

function create(doc: Document, value: Plain): Node {
  const node = doc.createNode(value) as Node
  styleStrings(doc, node)
  return node
}

function keyOf(pair: Pair): string {
  return yaml().isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
}

function isPlainMap(v: Plain): v is PlainMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Make `node` hold `value`, touching as little as possible. At the top level (`known` given) only keys the
 * format knows are removed when absent from `value`; deeper down, the value is the whole truth.
 */
function update(doc: Document, node: unknown, value: Plain, known?: ReadonlySet<string>): Node {
  const { isMap, isScalar, isSeq, Pair, Scalar } = yaml()
  if (isPlainMap(value)) {
    if (!isMap(node)) return create(doc, value)
    const map = node as YAMLMap
    const wanted = Object.keys(value)
    for (const pair of [...map.items]) {
      const k = keyOf(pair)
      if (!wanted.includes(k) && (!known || known.has(k))) map.delete(pair.key)
    }
    let previousIndex = -1
    for (const k of wanted) {
      const v = value[k] as Plain
      const index = map.items.findIndex((p) => keyOf(p) === k)
      if (index !== -1) {
        const pair = map.items[index] as Pair
        pair.value = update(doc, pair.value, v)
        previousIndex = index
      } else {
        // A new key goes right after the key that precedes it in canonical order.
        const pair = new Pair(new Scalar(k), create(doc, v))
        map.items.splice(previousIndex + 1, 0, pair)
        previousIndex += 1
      }
    }
    return map
  }
  if (Array.isArray(value)) {
    if (!isSeq(node)) return create(doc, value)
    const seq = node
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as Plain
      if (i < seq.items.length) seq.items[i] = update(doc, seq.items[i], v)
      else seq.items.push(create(doc, v))
    }
    seq.items.splice(value.length)
    return seq
  }
  // A bare number in the file that the format read as text (`zip: 01234`, `id: 12345678901234567890`) stays
  // as it was written while the text is unchanged.
  if (isScalar(node) && typeof value === 'string' && typeof node.value === 'number' && node.source === value)
    return node
  if (isScalar(node) && typeof node.value === typeof value) {
    if (node.value !== value) {
      node.value = value
      if (typeof value === 'string' && value.includes('\n')) node.type = Scalar.BLOCK_LITERAL
      else if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) delete node.type
    }
    return node
  }
  return create(doc, value)
}

/**
 * The text to write for `value`. With `previous` (the file's current text, which must parse), its document
 * is edited in place; otherwise a fresh document is made.
 */
export function renderYaml(value: PlainMap, previous: string | null, known: ReadonlySet<string>): string {
  if (previous !== null) {
    const parsed = parseYaml(previous)
    if (parsed.ok && yaml().isMap(parsed.value.doc.contents)) {
      const doc = parsed.value.doc
      doc.contents = update(doc, doc.contents, value, known) as typeof doc.contents
      return doc.toString(STRING_OPTIONS)
    }
  }
  const doc = new (yaml().Document)()
  doc.contents = create(doc, value) as typeof doc.contents
  return doc.toString(STRING_OPTIONS)
}
