import protobuf from 'protobufjs'

/**
 * Protobuf's JSON forms of Google's well-known types (the proto3 JSON mapping), both ways: Timestamp as RFC 3339
 * text, Duration as `"1.5s"`, Struct / Value / ListValue as plain JSON, the wrappers as their plain value,
 * FieldMask as `"a.b,c"` (lowerCamelCase paths), Any as `{"@type": …, …fields}` when the schema has the type.
 * Fields are found by number, not name: a .proto-built type (snake_case), protobufjs' built-in copy
 * (camelCase) and a reflected descriptor all number them alike.
 */

/** A conversion's outcome: the value for protobufjs' `fromObject`, or what is wrong, naming the field. */
export type Conv = { ok: true; value: unknown } | { ok: false; error: string }

/** Converts a plain message (not a well-known type); the well-known converters call it for Any's content. */
export type MessageIn = (type: protobuf.Type, value: unknown, at: string, depth: number) => Conv

const WRAPPERS: Record<string, string> = {
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

const SPECIAL = new Set([
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.FieldMask',
  'google.protobuf.Any',
  ...Object.keys(WRAPPERS),
])

/** The well-known type `type` is (`google.protobuf.Timestamp`), or null for any other message. */
export function wellKnown(type: protobuf.Type): string | null {
  let known = KNOWN.get(type)
  if (known === undefined) {
    const name = fullName(type)
    known = SPECIAL.has(name) ? name : null
    KNOWN.set(type, known)
  }
  return known
}

/** Asked per message (and per nested message) on every call: worked out once per type. */
const KNOWN = new WeakMap<protobuf.Type, string | null>()

/** The scalar type a wrapper holds (`int32` for Int32Value). */
export function wrappedScalar(name: string): string | null {
  return WRAPPERS[name] ?? null
}

const ok = (value: unknown): Conv => ({ ok: true, value })
const bad = (error: string): Conv => ({ ok: false, error })

function nameOf(type: protobuf.Type, id: number): string {
  const f = type.fieldsById[id]
  if (!f) throw new Error(`${fullName(type)} has no field number ${id}`)
  return f.name
}

const MAX_SECONDS = 315576000000n

/**
 * `value` (a JSON value) as the `fromObject` input of the well-known `type`. `scalar` checks a wrapper's value
 * as the scalar field it holds.
 */
export function wellKnownIn(
  type: protobuf.Type,
  name: string,
  value: unknown,
  at: string,
  depth: number,
  messageIn: MessageIn,
  scalar: (f: protobuf.Field, v: unknown, at: string) => string | null,
): Conv {
  if (depth > 64) return bad(`${at} is nested more than 64 deep`)
  switch (name) {
    case 'google.protobuf.Timestamp': {
      const t = typeof value === 'string' ? parseTimestamp(value) : null
      if (!t)
        return bad(`${at} must be an RFC 3339 timestamp ("2026-12-05T10:00:00Z"), not ${describe(value)}`)
      return ok({ [nameOf(type, 1)]: t.seconds, [nameOf(type, 2)]: t.nanos })
    }
    case 'google.protobuf.Duration': {
      const d = typeof value === 'string' ? parseDuration(value) : null
      if (!d) return bad(`${at} must be a duration in seconds ("1.5s", "-0.010s"), not ${describe(value)}`)
      return ok({ [nameOf(type, 1)]: d.seconds, [nameOf(type, 2)]: d.nanos })
    }
    case 'google.protobuf.FieldMask': {
      if (typeof value !== 'string')
        return bad(`${at} must be a field mask ("a.b,c"), not ${describe(value)}`)
      const paths = value
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
      return ok({ [nameOf(type, 1)]: paths.map(snakePath) })
    }
    case 'google.protobuf.Struct':
    case 'google.protobuf.ListValue':
    case 'google.protobuf.Value':
      return jsonIn(type, name, value, at, depth)
    case 'google.protobuf.Any':
      return anyIn(type, value, at, depth, messageIn, scalar)
    default: {
      const inner = type.fieldsById[1]
      if (!inner) return bad(`${fullName(type)} has no value field`)
      inner.resolve()
      const wrong = scalar(inner, value, at)
      return wrong ? bad(wrong) : ok({ [inner.name]: value })
    }
  }
}

const JSON_TYPES = new WeakMap<
  protobuf.Root,
  { structT: protobuf.Type; valueT: protobuf.Type; listT: protobuf.Type }
>()

/** A schema's Struct, Value and ListValue, looked up once (a Struct's every value is a Value). */
function jsonTypes(root: protobuf.Root): {
  structT: protobuf.Type
  valueT: protobuf.Type
  listT: protobuf.Type
} {
  let t = JSON_TYPES.get(root)
  if (!t) {
    t = {
      structT: root.lookupType('google.protobuf.Struct'),
      valueT: root.lookupType('google.protobuf.Value'),
      listT: root.lookupType('google.protobuf.ListValue'),
    }
    JSON_TYPES.set(root, t)
  }
  return t
}

/** Struct, Value and ListValue from any JSON (a Struct needs an object, a ListValue an array). */
function jsonIn(type: protobuf.Type, name: string, value: unknown, at: string, depth: number): Conv {
  if (depth > 64) return bad(`${at} is nested more than 64 deep`)
  const { structT, valueT, listT } = jsonTypes(type.root)
  if (name === 'google.protobuf.Struct') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return bad(`${at} is a Struct and must be a JSON object, not ${describe(value)}`)
    }
    const fields: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const c = jsonIn(valueT, 'google.protobuf.Value', v, `${at}.${k}`, depth + 1)
      if (!c.ok) return c
      fields[k] = c.value
    }
    return ok({ [nameOf(structT, 1)]: fields })
  }
  if (name === 'google.protobuf.ListValue') {
    if (!Array.isArray(value))
      return bad(`${at} is a ListValue and must be a JSON array, not ${describe(value)}`)
    const values: unknown[] = []
    for (let i = 0; i < value.length; i++) {
      const c = jsonIn(valueT, 'google.protobuf.Value', value[i], `${at}[${i}]`, depth + 1)
      if (!c.ok) return c
      values.push(c.value)
    }
    return ok({ [nameOf(listT, 1)]: values })
  }
  if (value === null) return ok({ [nameOf(valueT, 1)]: 0 })
  if (typeof value === 'number') return ok({ [nameOf(valueT, 2)]: value })
  if (typeof value === 'string') return ok({ [nameOf(valueT, 3)]: value })
  if (typeof value === 'boolean') return ok({ [nameOf(valueT, 4)]: value })
  const kind = Array.isArray(value) ? 'google.protobuf.ListValue' : 'google.protobuf.Struct'
  const c = jsonIn(kind === 'google.protobuf.Struct' ? structT : listT, kind, value, at, depth + 1)
  if (!c.ok) return c
  return ok({ [nameOf(valueT, kind === 'google.protobuf.Struct' ? 5 : 6)]: c.value })
}

function anyIn(
  type: protobuf.Type,
  value: unknown,
  at: string,
  depth: number,
  messageIn: MessageIn,
  scalar: (f: protobuf.Field, v: unknown, at: string) => string | null,
): Conv {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad(`${at} is an Any and must be a JSON object with "@type", not ${describe(value)}`)
  }
  const { '@type': url, ...rest } = value as Record<string, unknown>
  if (typeof url !== 'string' || url === '') {
    return bad(`${at} must name its type in "@type" ("type.googleapis.com/package.Message")`)
  }
  const typeName = url.slice(url.lastIndexOf('/') + 1)
  const inner = type.root.lookup(typeName)
  if (!(inner instanceof protobuf.Type)) {
    return bad(`${at}: "@type" names ${typeName}, which the schema does not have`)
  }
  const special = wellKnown(inner)
  const c = special
    ? wellKnownIn(inner, special, rest.value, `${at}.value`, depth + 1, messageIn, scalar)
    : messageIn(inner, rest, at, depth + 1)
  if (!c.ok) return c
  let bytes: Uint8Array
  try {
    bytes = inner.encode(inner.fromObject(c.value as Record<string, unknown>)).finish()
  } catch (e) {
    return bad(`${at} does not fit ${typeName}: ${(e as Error).message}`)
  }
  const typeUrl = url.includes('/') ? url : `type.googleapis.com/${typeName}`
  return ok({ [nameOf(type, 1)]: typeUrl, [nameOf(type, 2)]: Buffer.from(bytes).toString('base64') })
}

/** `toObject` output of the well-known `type` (longs and bytes as strings, enums by name) in its JSON form. */
export function wellKnownOut(
  type: protobuf.Type,
  name: string,
  o: Record<string, unknown>,
  messageOut: (type: protobuf.Type, o: Record<string, unknown>) => unknown,
): unknown {
  const get = (t: protobuf.Type, id: number): unknown => o[nameOf(t, id)]
  switch (name) {
    case 'google.protobuf.Timestamp':
      return formatTimestamp(BigInt(String(get(type, 1) ?? 0)), Number(get(type, 2) ?? 0))
    case 'google.protobuf.Duration':
      return formatDuration(BigInt(String(get(type, 1) ?? 0)), Number(get(type, 2) ?? 0))
    case 'google.protobuf.FieldMask':
      return ((get(type, 1) as string[] | undefined) ?? []).map(camelPath).join(',')
    case 'google.protobuf.Struct':
    case 'google.protobuf.ListValue':
    case 'google.protobuf.Value':
      return jsonOut(type, name, o, 0)
    case 'google.protobuf.Any': {
      const url = o['@type']
      if (typeof url !== 'string') return o
      const inner = type.root.lookup(url.slice(url.lastIndexOf('/') + 1))
      if (!(inner instanceof protobuf.Type)) return o
      const { '@type': _drop, ...rest } = o
      const special = wellKnown(inner)
      if (special) return { '@type': url, value: wellKnownOut(inner, special, rest, messageOut) }
      return { '@type': url, ...(messageOut(inner, rest) as Record<string, unknown>) }
    }
    default:
      return o[nameOf(type, 1)] ?? null
  }
}

function jsonOut(type: protobuf.Type, name: string, o: Record<string, unknown>, depth: number): unknown {
  // Said in place, not null: a null here would read as the server's own null.
  if (depth > 64) return `(nested more than 64 Struct and Value levels deep: not shown)`
  const { structT, valueT, listT } = jsonTypes(type.root)
  if (name === 'google.protobuf.Struct') {
    const fields = (o[nameOf(structT, 1)] ?? {}) as Record<string, Record<string, unknown>>
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(fields))
      out[k] = jsonOut(valueT, 'google.protobuf.Value', v, depth + 1)
    return out
  }
  if (name === 'google.protobuf.ListValue') {
    const values = (o[nameOf(listT, 1)] ?? []) as Record<string, unknown>[]
    return values.map((v) => jsonOut(valueT, 'google.protobuf.Value', v, depth + 1))
  }
  for (const id of [2, 3, 4]) {
    const v = o[nameOf(valueT, id)]
    if (v !== undefined && v !== null) return v
  }
  const s = o[nameOf(valueT, 5)]
  if (s) return jsonOut(structT, 'google.protobuf.Struct', s as Record<string, unknown>, depth + 1)
  const l = o[nameOf(valueT, 6)]
  if (l) return jsonOut(listT, 'google.protobuf.ListValue', l as Record<string, unknown>, depth + 1)
  return null
}

/** What "Fill with defaults" writes for a well-known type. */
export function wellKnownDefault(name: string): unknown {
  switch (name) {
    case 'google.protobuf.Timestamp':
      return '1970-01-01T00:00:00Z'
    case 'google.protobuf.Duration':
      return '0s'
    case 'google.protobuf.FieldMask':
      return ''
    case 'google.protobuf.Struct':
      return {}
    case 'google.protobuf.ListValue':
      return []
    default:
      // Value, Any and the wrappers: unset (null), which is their default.
      return null
  }
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

function parseTimestamp(text: string): { seconds: string; nanos: number } | null {
  const m = TIMESTAMP.exec(text)
  if (!m) return null
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null
  const date = new Date(0)
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  date.setUTCFullYear(y, mo - 1, d)
  date.setUTCHours(h, mi, s, 0)
  if (date.getUTCDate() !== d) return null
  let seconds = BigInt(Math.floor(date.getTime() / 1000))
  if (m[9]) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60
    seconds += BigInt(m[9] === '+' ? -offset : offset)
  }
  if (y < 1) return null
  return { seconds: seconds.toString(), nanos: Number((m[7] ?? '').padEnd(9, '0')) }
}

function parseDuration(text: string): { seconds: string; nanos: number } | null {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(text)
  if (!m) return null
  const seconds = BigInt(m[2] as string)
  if (seconds > MAX_SECONDS) return null
  const nanos = Number((m[3] ?? '').padEnd(9, '0'))
  const sign = m[1] ? -1 : 1
  return { seconds: (seconds * BigInt(sign)).toString(), nanos: nanos === 0 ? 0 : nanos * sign }
}

/** Nanoseconds as 0, 3, 6 or 9 fractional digits, as protobuf's JSON printers write them. */
function fraction(nanos: number): string {
  if (nanos === 0) return ''
  const digits = String(nanos).padStart(9, '0')
  if (nanos % 1_000_000 === 0) return `.${digits.slice(0, 3)}`
  if (nanos % 1000 === 0) return `.${digits.slice(0, 6)}`
  return `.${digits}`
}

function formatTimestamp(seconds: bigint, nanos: number): string {
  const date = new Date(Number(seconds) * 1000)
  if (Number.isNaN(date.getTime())) return `${seconds}s since 1970`
  const iso = date.toISOString()
  // toISOString writes years past 9999 with a sign; protobuf's range stops at 9999 anyway.
  return `${iso.slice(0, 19)}${fraction(nanos)}Z`
}

function formatDuration(seconds: bigint, nanos: number): string {
  const negative = seconds < 0n || nanos < 0
  const s = seconds < 0n ? -seconds : seconds
  return `${negative ? '-' : ''}${s}${fraction(Math.abs(nanos))}s`
}

function snakePath(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

function camelPath(path: string): string {
  return path.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (v === undefined) return 'nothing'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`
  if (typeof v === 'object') return 'an object'
  return String(v)
}

/** `pkg.Msg` without protobufjs' leading dot (as grpc-schema.ts's, which imports this file). */
function fullName(o: protobuf.ReflectionObject): string {
  return o.fullName.replace(/^\./, '')
}
