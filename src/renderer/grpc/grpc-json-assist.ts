import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete'
import { ensureSyntaxTree, syntaxTree } from '@codemirror/language'
import type { EditorState } from '@codemirror/state'
import type { SyntaxNode } from '@lezer/common'
import type { GrpcFieldInfo, GrpcTypeInfo } from '../../shared/grpc'

/**
 * The gRPC message editor's completion, from the request type the schema described (GrpcSchemaInfo.types): field
 * names (JSON names accepted, the .proto's offered) with their types, enum values and booleans; the lint is
 * grpc-json-lint.ts. Works on the JSON syntax tree, so a message being typed (not yet valid JSON) still gets
 * completion for the object the cursor is in.
 */

export interface MessageTypes {
  /** The method's request type (a key of `types`). */
  root: string
  types: Readonly<Record<string, GrpcTypeInfo>>
  /** A client or bidi stream: the text is several messages (one per line, or a JSON array of them). */
  many: boolean
}

type Slot =
  | { kind: 'message'; type: string }
  | { kind: 'field'; field: GrpcFieldInfo; element: boolean }
  | { kind: 'json' }
  | { kind: 'unknown' }

export const VALUE_KINDS = new Set(['Object', 'Array', 'String', 'Number', 'True', 'False', 'Null'])
export const INT = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32'])
export const LONG = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'])
export const WRAPPED: Record<string, string> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
}

export function text(state: EditorState, n: SyntaxNode): string {
  return state.sliceDoc(n.from, n.to)
}

export function unquote(raw: string): string {
  try {
    return JSON.parse(raw) as string
  } catch {
    return raw.replace(/^"|"$/g, '')
  }
}

export function message(types: MessageTypes['types'], name: string) {
  const t = types[name]
  return t?.kind === 'message' ? t : null
}

function findField(types: MessageTypes['types'], type: string, key: string): GrpcFieldInfo | null {
  const t = message(types, type)
  return t?.fields.find((f) => f.name === key || f.json === key) ?? null
}

/** What a value inside `slot` is: a message's field value becomes the field's element slot, and so on. */
function inner(types: MessageTypes['types'], slot: Slot, step: 'item' | { key: string }): Slot {
  if (slot.kind === 'message') {
    if (step === 'item') return { kind: 'unknown' }
    const wk = message(types, slot.type)?.wellKnown
    if (wk === 'google.protobuf.Struct' || wk === 'google.protobuf.Value') return { kind: 'json' }
    const f = findField(types, slot.type, step.key)
    return f ? { kind: 'field', field: f, element: false } : { kind: 'unknown' }
  }
  if (slot.kind === 'field') {
    const f = slot.field
    if (!slot.element && f.repeated && step === 'item') return { kind: 'field', field: f, element: true }
    if (!slot.element && f.mapKey && step !== 'item') return { kind: 'field', field: f, element: true }
    if (!slot.element && (f.repeated || f.mapKey)) return { kind: 'unknown' }
    return messageSlot(types, f.type, step)
  }
  return slot
}

function messageSlot(types: MessageTypes['types'], type: string, step: 'item' | { key: string }): Slot {
  const t = message(types, type)
  if (!t) return { kind: 'unknown' }
  if (t.wellKnown === 'google.protobuf.Any' && step !== 'item' && step.key === '@type')
    return { kind: 'unknown' }
  if (t.wellKnown && t.wellKnown !== 'google.protobuf.Any') return { kind: 'json' }
  return inner(types, { kind: 'message', type }, step)
}

/** The slot an Object/Array node is in: walks up to the top, then back down through property names. */
export function slotOf(state: EditorState, node: SyntaxNode, m: MessageTypes): Slot {
  const steps: ('item' | { key: string })[] = []
  let n: SyntaxNode | null = node
  let top: SyntaxNode = node
  for (let guard = 0; n && guard < 256; guard++) {
    const parent: SyntaxNode | null = n.parent
    if (!parent || parent.name === 'JsonText') {
      top = n
      break
    }
    if (parent.name === 'Property') {
      const name = parent.getChild('PropertyName')
      steps.push({ key: name ? unquote(text(state, name)) : '' })
      n = parent.parent
      continue
    }
    if (parent.name === 'Array') steps.push('item')
    n = parent
  }
  steps.reverse()
  // With several messages, a top-level array is the list of them: its items are the messages.
  if (m.many && top.name === 'Array') {
    if (top === node) return { kind: 'unknown' }
    steps.shift()
  }
  let slot: Slot = { kind: 'message', type: m.root }
  for (const s of steps) slot = inner(m.types, slot, s)
  // An object in a field's value position is the field's message.
  if (slot.kind === 'field' && (slot.element || (!slot.field.repeated && !slot.field.mapKey))) {
    const t = message(m.types, slot.field.type)
    if (t && !t.wellKnown) return { kind: 'message', type: slot.field.type }
    if (t?.wellKnown === 'google.protobuf.Any') return { kind: 'message', type: slot.field.type }
    if (t?.wellKnown) return { kind: 'json' }
  }
  return slot
}

/** `int64`, `repeated string`, `map<string, Tick>`, `Mood (enum)`: the type as the completion shows it. */
export function typeLabel(f: GrpcFieldInfo, types: MessageTypes['types']): string {
  const short = f.type.split('.').pop() ?? f.type
  const t = types[f.type]
  const base = t?.kind === 'enum' ? `${short} (enum)` : short
  if (f.mapKey) return `map<${f.mapKey}, ${base}>`
  return f.repeated ? `repeated ${base}` : base
}

function skeleton(f: GrpcFieldInfo, types: MessageTypes['types']): string {
  if (f.repeated) return '[]'
  if (f.mapKey) return '{}'
  const t = types[f.type]
  if (t?.kind === 'enum') return JSON.stringify(t.values[0] ?? '')
  if (t?.kind === 'message') {
    switch (t.wellKnown) {
      case 'google.protobuf.Timestamp':
        return '"1970-01-01T00:00:00Z"'
      case 'google.protobuf.Duration':
        return '"0s"'
      case 'google.protobuf.FieldMask':
        return '""'
      case 'google.protobuf.ListValue':
        return '[]'
      case 'google.protobuf.Value':
        return 'null'
      default:
        if (t.wellKnown && WRAPPED[t.wellKnown]) return scalarSkeleton(WRAPPED[t.wellKnown] as string)
        return '{}'
    }
  }
  return scalarSkeleton(f.type)
}

function scalarSkeleton(type: string): string {
  if (type === 'string' || type === 'bytes') return '""'
  if (type === 'bool') return 'false'
  if (LONG.has(type)) return '"0"'
  return '0'
}

/** Completion: field names where a name goes, enum values and booleans where a value goes. */
export function grpcCompletion(m: MessageTypes | null) {
  return (ctx: CompletionContext): CompletionResult | null => {
    if (!m) return null
    // The tree as far as the cursor (a state's own tree may stop short of it on a busy machine).
    const tree = ensureSyntaxTree(ctx.state, ctx.pos, 100) ?? syntaxTree(ctx.state)
    const node = tree.resolveInner(ctx.pos, -1)
    // A property name being typed, or the place for one (after `{` or `,`).
    const nameNode =
      node.name === 'PropertyName' ? node : node.parent?.name === 'PropertyName' ? node.parent : null
    let object: SyntaxNode | null = null
    let from = ctx.pos
    if (nameNode) {
      object = nameNode.parent?.parent ?? null
      from = nameNode.from
    } else if (
      node.name === 'Object' ||
      node.name === '{' ||
      node.name === ',' ||
      // A name still open (`"me` with no closing quote yet) parses as an error inside the object.
      (node.type.isError && node.parent?.name === 'Object')
    ) {
      object = node.name === 'Object' ? node : node.parent
      const before = ctx.state.sliceDoc(Math.max(0, ctx.pos - 200), ctx.pos)
      const word = /"?[\w@]*$/.exec(before)?.[0] ?? ''
      from = ctx.pos - word.length
      // Between a name's colon and its value is a value's place, not a name's.
      if (/:\s*"?[\w@]*$/.test(before)) object = null
    }
    if (object?.name === 'Object') {
      const slot = slotOf(ctx.state, object, m)
      if (slot.kind !== 'message') return null
      const t = message(m.types, slot.type)
      if (!t) return null
      const present = new Set<string>()
      for (let c = object.firstChild; c; c = c.nextSibling) {
        const pn = c.name === 'Property' ? c.getChild('PropertyName') : null
        if (pn && pn !== nameNode) present.add(unquote(text(ctx.state, pn)))
      }
      const oneofsTaken = new Set(
        t.fields.filter((f) => f.oneof && (present.has(f.name) || present.has(f.json))).map((f) => f.oneof),
      )
      // CodeMirror matches the typed text (from `from`) against the label: with a quote typed, quote the label.
      const quoted = ctx.state.sliceDoc(from, ctx.pos).startsWith('"')
      const options: Completion[] = t.fields
        .filter((f) => !present.has(f.name) && !present.has(f.json))
        .map((f) => ({
          label: quoted ? `"${f.name}"` : f.name,
          displayLabel: f.name,
          detail: typeLabel(f, m.types),
          ...(f.oneof ? { info: `oneof ${f.oneof}: set one of its fields` } : {}),
          type: 'property',
          boost: f.oneof && oneofsTaken.has(f.oneof) ? -10 : 0,
          apply: `"${f.name}": ${skeleton(f, m.types)}`,
        }))
      if (t.wellKnown === 'google.protobuf.Any' && !present.has('@type'))
        options.unshift({
          label: quoted ? '"@type"' : '@type',
          displayLabel: '@type',
          detail: 'type URL',
          type: 'property',
          apply: '"@type": ""',
        })
      return { from, ...(nameNode ? { to: nameNode.to } : {}), options, validFor: /^"?[\w@]*"?$/ }
    }
    return valueCompletion(ctx, m, node)
  }
}

function valueCompletion(ctx: CompletionContext, m: MessageTypes, node: SyntaxNode): CompletionResult | null {
  // The value of a property: the cursor after its colon, or inside its string.
  let prop: SyntaxNode | null = node.name === 'Property' ? node : node.parent
  if (prop?.name !== 'Property') prop = node.name === 'String' ? (node.parent ?? null) : null
  if (prop?.name !== 'Property' || !prop.parent) return null
  const slot = slotOf(ctx.state, prop.parent, m)
  if (slot.kind !== 'message') return null
  const pn = prop.getChild('PropertyName')
  const f = pn ? findField(m.types, slot.type, unquote(text(ctx.state, pn))) : null
  if (!f || f.repeated || f.mapKey) return null
  const t = m.types[f.type]
  const before = ctx.state.sliceDoc(Math.max(0, ctx.pos - 200), ctx.pos)
  const word = /"?\w*$/.exec(before)?.[0] ?? ''
  if (!/:\s*"?\w*$/.test(before)) return null
  const from = ctx.pos - word.length
  if (t?.kind === 'enum')
    return {
      from,
      options: t.values.map((v) => ({ label: `"${v}"`, detail: 'enum value', type: 'enum' })),
      validFor: /^"?\w*$/,
    }
  if (f.type === 'bool' || (t?.kind === 'message' && t.wellKnown === 'google.protobuf.BoolValue'))
    return { from, options: ['true', 'false'].map((label) => ({ label, type: 'keyword' })) }
  return null
}
