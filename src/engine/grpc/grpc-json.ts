import protobuf from 'protobufjs'
import { fail, ok, type Result } from '../../shared/result'
import { fullName } from './grpc-schema'
import { wellKnown, wellKnownDefault, wellKnownIn, wellKnownOut, type Conv } from './grpc-wkt'

/**
 * Messages as JSON, both ways. Fields are named as in the .proto (snake_case); lowerCamelCase names (protobuf's
 * JSON names) are accepted on the way in. A field the type does not have, or a value of the wrong type, is an
 * error naming the field's path, never silently dropped (protobufjs' fromObject would drop or zero it).
 * 64-bit integers come out as strings, bytes as base64, enums by name; fields left unset show their defaults.
 */

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: true,
  arrays: true,
  objects: true,
  json: true,
}

/** Nesting a message's JSON may have: deeper is refused (a message is not a place for unbounded recursion). */
const MAX_DEPTH = 64

/** `text` (one JSON object) as the bytes of a `type` message. `which` names it in errors ("Message 2"). */
export function encodeJson(type: protobuf.Type, text: string, which: string): Result<Buffer> {
  let value: unknown
  try {
    value = text.trim() === '' ? {} : JSON.parse(text)
  } catch (e) {
    return fail('bad_payload', `${which} is not JSON: ${(e as Error).message}`)
  }
  const converted = messageIn(type, value, '', 0)
  if (!converted.ok) return fail('bad_payload', `${which} does not fit ${fullName(type)}: ${converted.error}`)
  try {
    const message = type.fromObject(converted.value as Record<string, unknown>)
    return ok(Buffer.from(type.encode(message).finish()))
  } catch (e) {
    return fail('bad_payload', `${which} does not fit ${fullName(type)}: ${(e as Error).message}`)
  }
}

/** A received message as JSON text, or an error in plain words when its bytes are not a `type`. */
export function decodeToJson(type: protobuf.Type, bytes: Uint8Array): Result<string> {
  try {
    return ok(JSON.stringify(messageOut(type, type.toObject(type.decode(bytes), TO_OBJECT))))
  } catch (e) {
    return fail('protocol', `A message could not be read as ${fullName(type)}: ${(e as Error).message}`)
  }
}

/** `toObject` output as JSON: well-known types in their JSON forms, fields in the .proto's order. */
function messageOut(type: protobuf.Type, o: Record<string, unknown>): unknown {
  if (isPlain(type)) return inFieldOrder(type, o)
  const special = wellKnown(type)
  if (special) return wellKnownOut(type, special, o, messageOut)
  for (const f of type.fieldsArray) {
    const t = f.resolvedType
    const v = o[f.name]
    if (!(t instanceof protobuf.Type) || v === null || v === undefined || isPlain(t)) continue
    const one = (x: unknown): unknown => (x === null ? null : messageOut(t, x as Record<string, unknown>))
    if (f.map) {
      o[f.name] = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, one(x)]),
      )
    } else if (f.repeated) o[f.name] = (v as unknown[]).map(one)
    else o[f.name] = one(v)
  }
  return inFieldOrder(type, o)
}

/** No well-known type anywhere inside: read at protobufjs' speed, for one lookup per message. */
function isPlain(type: protobuf.Type): boolean {
  let plain = PLAIN.get(type)
  if (plain === undefined) {
    plain = !hasWellKnown(type, new Set())
    PLAIN.set(type, plain)
  }
  return plain
}

const PLAIN = new WeakMap<protobuf.Type, boolean>()
const WKT_INSIDE = new WeakMap<protobuf.Type, boolean>()

/**
 * Whether a `type` message holds a well-known type (or an Any) anywhere: worked out once per type, so a message
 * without any is read at protobufjs' speed.
 */
function hasWellKnown(type: protobuf.Type, open: Set<protobuf.Type>): boolean {
  const known = WKT_INSIDE.get(type)
  if (known !== undefined) return known
  if (wellKnown(type)) {
    WKT_INSIDE.set(type, true)
    return true
  }
  // A recursive type is answered for the cycle's members by the type that started it.
  if (open.has(type) || open.size >= MAX_DEPTH) return false
  open.add(type)
  let found = false
  for (const f of type.fieldsArray) {
    f.resolve()
    if (f.resolvedType instanceof protobuf.Type && hasWellKnown(f.resolvedType, open)) found = true
  }
  open.delete(type)
  if (open.size === 0 || found) WKT_INSIDE.set(type, found)
  return found
}

const ORDER = new WeakMap<protobuf.Type, string[] | null>()

/**
 * protobufjs puts repeated and map fields first; JSON reads best in the .proto's order. Only types that have
 * such fields are rebuilt (the order is worked out once per type), so a plain message costs nothing more.
 */
function inFieldOrder(type: protobuf.Type, o: Record<string, unknown>): Record<string, unknown> {
  let order = ORDER.get(type)
  if (order === undefined) {
    const fields = type.fieldsArray
    order = fields.some((f) => f.repeated || f.map)
      ? [...fields].sort((a, b) => a.id - b.id).map((f) => f.name)
      : null
    ORDER.set(type, order)
  }
  if (!order) return o
  const out: Record<string, unknown> = {}
  for (const k of order) if (k in o) out[k] = o[k]
  for (const k in o) if (!(k in out)) out[k] = o[k]
  return out
}

/** Decoded, as an object (status details, reflection answers). */
export function decodeToObject(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), TO_OBJECT)
}

/** The "fill with defaults" template: every field with its default value, nested messages filled in once. */
export function defaultsTemplate(type: protobuf.Type): string {
  const special = wellKnown(type)
  if (special) return JSON.stringify(wellKnownDefault(special), null, 2)
  return JSON.stringify(templateOf(type, new Set()), null, 2)
}

function templateOf(type: protobuf.Type, open: Set<protobuf.Type>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  // A recursive message (a tree node) is filled in once on the way down, then left empty.
  if (open.has(type) || open.size >= MAX_DEPTH) return out
  open.add(type)
  for (const f of type.fieldsArray) {
    f.resolve()
    if (f.partOf && f.partOf.fieldsArray[0] !== f) continue
    if (f.map) out[f.name] = {}
    else if (f.repeated) out[f.name] = []
    else out[f.name] = scalarDefault(f, open)
  }
  open.delete(type)
  return out
}

function scalarDefault(f: protobuf.Field, open: Set<protobuf.Type>): unknown {
  if (f.resolvedType instanceof protobuf.Type) {
    const special = wellKnown(f.resolvedType)
    return special ? wellKnownDefault(special) : templateOf(f.resolvedType, open)
  }
  if (f.resolvedType instanceof protobuf.Enum) return Object.keys(f.resolvedType.values)[0] ?? 0
  switch (f.type) {
    case 'string':
    case 'bytes':
      return ''
    case 'bool':
      return false
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return '0'
    default:
      return 0
  }
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

function fieldFor(type: protobuf.Type, key: string): protobuf.Field | null {
  const direct = type.fields[key]
  if (direct) return direct
  for (const f of type.fieldsArray) if (camel(f.name) === key) return f
  return null
}

/**
 * `value` (JSON) as the `fromObject` input of a `type` message: fields renamed to the type's own names,
 * well-known types from their JSON forms (grpc-wkt.ts), and every value checked, so that a field the type does
 * not have or a value of the wrong type is an error naming its path.
 */
function messageIn(type: protobuf.Type, value: unknown, path: string, depth: number): Conv {
  const special = wellKnown(type)
  if (special) return wellKnownIn(type, special, value, path || 'the message', depth, messageIn, checkScalar)
  if (depth > MAX_DEPTH)
    return { ok: false, error: `${path || 'the message'} is nested more than ${MAX_DEPTH} deep` }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `${path || 'the message'} must be a JSON object, not ${describe(value)}` }
  }
  const out: Record<string, unknown> = {}
  // protobufjs would keep one of two fields set in one oneof and drop the other without a word.
  const oneofs = new Map<string, string>()
  for (const [key, v] of Object.entries(value)) {
    const f = fieldFor(type, key)
    const at = path ? `${path}.${key}` : key
    if (!f) {
      const names = type.fieldsArray.map((x) => x.name).join(', ')
      return {
        ok: false,
        error: `${fullName(type)} has no field "${key}"${path ? ` (at ${at})` : ''}; its fields: ${names || 'none'}`,
      }
    }
    f.resolve()
    // JSON null is the field's default (unset), except for a Value, where it is the null value.
    const isValue =
      f.resolvedType instanceof protobuf.Type && wellKnown(f.resolvedType) === 'google.protobuf.Value'
    if (v === null && !(isValue && !f.repeated && !f.map)) continue
    const group = f.partOf && !f.partOf.name.startsWith('_') ? f.partOf.name : null
    if (group) {
      const other = oneofs.get(group)
      if (other) {
        return {
          ok: false,
          error: `${other} and ${f.name} are both in oneof ${group}${path ? ` (at ${path})` : ''}: set only one`,
        }
      }
      oneofs.set(group, f.name)
    }
    if (f.map) {
      if (typeof v !== 'object' || Array.isArray(v))
        return { ok: false, error: `${at} is a map and must be a JSON object` }
      const entries: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const c = valueIn(f, x, `${at}.${k}`, depth)
        if (!c.ok) return c
        entries[k] = c.value
      }
      out[f.name] = entries
    } else if (f.repeated) {
      if (!Array.isArray(v))
        return { ok: false, error: `${at} is repeated and must be a JSON array, not ${describe(v)}` }
      const items: unknown[] = []
      for (let i = 0; i < v.length; i++) {
        const c = valueIn(f, v[i], `${at}[${i}]`, depth)
        if (!c.ok) return c
        items.push(c.value)
      }
      out[f.name] = items
    } else {
      const c = valueIn(f, v, at, depth)
      if (!c.ok) return c
      out[f.name] = c.value
    }
  }
  return { ok: true, value: out }
}

function valueIn(f: protobuf.Field, v: unknown, at: string, depth: number): Conv {
  const t = f.resolvedType
  if (t instanceof protobuf.Type) return messageIn(t, v, at, depth + 1)
  const wrong = checkScalar(f, v, at)
  return wrong ? { ok: false, error: wrong } : { ok: true, value: v }
}

function checkScalar(f: protobuf.Field, v: unknown, at: string): string | null {
  const t = f.resolvedType
  if (t instanceof protobuf.Enum) {
    if (typeof v === 'number' && Number.isInteger(v)) return null
    if (typeof v === 'string' && v in t.values) return null
    return `${at} must be one of ${Object.keys(t.values).join(', ')}, not ${describe(v)}`
  }
  switch (f.type) {
    case 'string':
      return typeof v === 'string' ? null : `${at} must be a string, not ${describe(v)}`
    case 'bytes':
      return typeof v === 'string' ? null : `${at} must be base64 text, not ${describe(v)}`
    case 'bool':
      return typeof v === 'boolean' ? null : `${at} must be true or false, not ${describe(v)}`
    case 'double':
    case 'float':
      return typeof v === 'number' ||
        (typeof v === 'string' && /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|NaN|-?Infinity)$/.test(v))
        ? null
        : `${at} must be a number, not ${describe(v)}`
    default:
      // Integer types: a JSON number, or a string of digits (64-bit values do not fit a JSON number).
      return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v))
        ? null
        : `${at} must be an integer (${f.type}), not ${describe(v)}`
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`
  if (typeof v === 'object') return 'an object'
  return String(v)
}
