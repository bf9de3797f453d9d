import { ensureSyntaxTree, syntaxTree } from '@codemirror/language'
import type { Diagnostic } from '@codemirror/lint'
import type { EditorState } from '@codemirror/state'
import type { SyntaxNode } from '@lezer/common'
import type { GrpcFieldInfo } from '../../shared/grpc'
import {
  INT,
  LONG,
  message,
  slotOf,
  text,
  unquote,
  VALUE_KINDS,
  WRAPPED,
  type MessageTypes,
} from './grpc-json-assist'

/**
 * The gRPC message editor's lint: a field the request type lacks, a value of the wrong JSON type, two fields of
 * one `oneof`, and text that is not JSON. Well-known types are checked in their JSON forms (a Timestamp is a
 * string); a `{{variable}}` is left alone (it is resolved before sending).
 */

/** Objects checked at most per lint pass (a huge pasted message is checked in part, never hangs the editor). */
const MAX_CHECKED_NODES = 20_000

/** Fields the type lacks, values of the wrong JSON type, two fields of one oneof; JSON syntax. */
export function grpcDiagnostics(state: EditorState, m: MessageTypes | null): Diagnostic[] {
  const out: Diagnostic[] = []
  // The whole tree: a state's own may stop short on a busy machine, and the text past it is not an error.
  const tree = ensureSyntaxTree(state, state.doc.length, 200) ?? syntaxTree(state)
  const whole = tree.length >= state.doc.length
  const hasVariables = state.doc.toString().includes('{{')
  let budget = MAX_CHECKED_NODES
  tree.iterate({
    enter: (n) => {
      if (--budget < 0) return false
      if (n.type.isError && !hasVariables && whole) {
        out.push({
          from: n.from,
          to: Math.min(Math.max(n.to, n.from + 1), state.doc.length),
          severity: 'error',
          message: 'Not JSON here',
        })
      }
      if (!m || n.name !== 'Object') return undefined
      // `{{variable}}` parses as objects: it is text resolved before sending, not part of the message.
      if (hasVariables && state.sliceDoc(Math.max(0, n.from - 1), n.from + 2).includes('{{')) return false
      const slot = slotOf(state, n.node, m)
      if (slot.kind === 'message') checkObject(state, n.node, slot.type, m, out)
      return undefined
    },
  })
  return out.slice(0, 200)
}

function checkObject(
  state: EditorState,
  obj: SyntaxNode,
  type: string,
  m: MessageTypes,
  out: Diagnostic[],
): void {
  const t = message(m.types, type)
  if (!t) return
  const seenOneof = new Map<string, string>()
  for (let c = obj.firstChild; c; c = c.nextSibling) {
    if (c.name !== 'Property') continue
    const pn = c.getChild('PropertyName')
    if (!pn) continue
    const key = unquote(text(state, pn))
    if (t.wellKnown === 'google.protobuf.Any' && key === '@type') continue
    const f = t.fields.find((x) => x.name === key || x.json === key)
    if (!f) {
      if (t.wellKnown === 'google.protobuf.Any') continue
      const names = t.fields.map((x) => x.name).join(', ')
      out.push({
        from: pn.from,
        to: pn.to,
        severity: 'error',
        message: `${type} has no field "${key}"; its fields: ${names || 'none'}`,
      })
      continue
    }
    const last = c.lastChild
    const value = last && VALUE_KINDS.has(last.name) && last !== pn ? last : null
    if (f.oneof && value && value.name !== 'Null') {
      const other = seenOneof.get(f.oneof)
      if (other)
        out.push({
          from: pn.from,
          to: pn.to,
          severity: 'error',
          message: `"${key}" and "${other}" are both in oneof ${f.oneof}: set only one`,
        })
      else seenOneof.set(f.oneof, key)
    }
    if (!value || text(state, value).includes('{{')) continue
    const wrong = checkValue(state, f, value, m, false)
    if (wrong) out.push({ from: value.from, to: value.to, severity: 'error', message: `${key}: ${wrong}` })
  }
}

/** What is wrong with `value` for `f`, or null (nested objects are checked on their own). */
function checkValue(
  state: EditorState,
  f: GrpcFieldInfo,
  value: SyntaxNode,
  m: MessageTypes,
  element: boolean,
): string | null {
  const kind = value.name
  if (kind === 'Null') return null
  if (!element && f.repeated) {
    if (kind !== 'Array') return `a repeated field takes a JSON array, not ${jsonKind(kind)}`
    for (let c = value.firstChild; c; c = c.nextSibling) {
      if (!VALUE_KINDS.has(c.name)) continue
      const bad = checkValue(state, f, c, m, true)
      if (bad) return `item: ${bad}`
    }
    return null
  }
  if (!element && f.mapKey)
    return kind === 'Object' ? null : `a map takes a JSON object, not ${jsonKind(kind)}`
  const t = m.types[f.type]
  if (t?.kind === 'enum') {
    if (kind === 'Number') return null
    if (kind === 'String' && t.values.includes(unquote(text(state, value)))) return null
    return `must be one of ${t.values.slice(0, 12).join(', ')}${t.values.length > 12 ? ', …' : ''}`
  }
  if (t?.kind === 'message') {
    const wk = t.wellKnown
    if (wk && WRAPPED[wk]) return scalarCheck(state, WRAPPED[wk] as string, value)
    switch (wk) {
      case 'google.protobuf.Timestamp':
        return kind === 'String' ? null : 'a Timestamp is RFC 3339 text ("2026-12-05T10:00:00Z")'
      case 'google.protobuf.Duration':
        return kind === 'String' && /^"-?\d+(\.\d{1,9})?s"$/.test(text(state, value))
          ? null
          : 'a Duration is text in seconds ("1.5s")'
      case 'google.protobuf.FieldMask':
        return kind === 'String' ? null : 'a FieldMask is text ("a.b,c")'
      case 'google.protobuf.Struct':
        return kind === 'Object' ? null : `a Struct is a JSON object, not ${jsonKind(kind)}`
      case 'google.protobuf.ListValue':
        return kind === 'Array' ? null : `a ListValue is a JSON array, not ${jsonKind(kind)}`
      case 'google.protobuf.Value':
        return null
      default:
        return kind === 'Object' ? null : `${f.type} is a message: a JSON object, not ${jsonKind(kind)}`
    }
  }
  return scalarCheck(state, f.type, value)
}

function scalarCheck(state: EditorState, type: string, value: SyntaxNode): string | null {
  const kind = value.name
  const raw = text(state, value)
  if (type === 'string' || type === 'bytes')
    return kind === 'String' ? null : `${type} takes a JSON string, not ${jsonKind(kind)}`
  if (type === 'bool') return kind === 'True' || kind === 'False' ? null : `bool takes true or false`
  if (INT.has(type) || LONG.has(type)) {
    if (kind === 'Number' && /^-?\d+$/.test(raw)) return null
    if (kind === 'String' && /^"-?\d+"$/.test(raw)) return null
    return `${type} takes an integer${LONG.has(type) ? ' (as a string past 2^53)' : ''}, not ${jsonKind(kind, raw)}`
  }
  if (type === 'double' || type === 'float') {
    if (kind === 'Number') return null
    if (kind === 'String' && /^"(-?\d+(\.\d+)?([eE][-+]?\d+)?|NaN|-?Infinity)"$/.test(raw)) return null
    return `${type} takes a number, not ${jsonKind(kind, raw)}`
  }
  return null
}

function jsonKind(kind: string, raw = ''): string {
  switch (kind) {
    case 'String':
      return raw ? `the text ${raw.length > 30 ? `${raw.slice(0, 30)}…"` : raw}` : 'text'
    case 'Number':
      return raw ? `the number ${raw}` : 'a number'
    case 'True':
    case 'False':
      return 'true/false'
    case 'Object':
      return 'an object'
    case 'Array':
      return 'an array'
    default:
      return 'that'
  }
}
