import protobuf from 'protobufjs'
import type { SchemaBudget } from './grpc-schema-budget'

/**
 * A FileDescriptorProto counted into the schema's budget from its wire bytes, before it is decoded: decoding
 * builds an object for every field, value and type, so a hostile 4 MB descriptor cost up to a second before its
 * count refused it. The walk reads tags and lengths only (names, which the refusal's words need, are the only
 * values read), each byte at most twice, nesting through an explicit stack.
 *
 * It counts what grpc-descriptor-set.ts's count of the decoded file counts, in the same order, so a refusal
 * reads the same. A descriptor has no groups; bytes that are not a descriptor throw an Error (not a limit).
 */

/** Messages nested deeper than this are refused (protoc allows about as many; protobufjs recurses per level). */
export const MAX_DESCRIPTOR_NESTING = 100

interface Span {
  start: number
  end: number
}

/** The length-delimited fields of `span` by number; a name read as text. Throws on a group or a bad length. */
function scan(bytes: Uint8Array, span: Span, on: (field: number, value: Span) => void): void {
  const r = protobuf.Reader.create(bytes.subarray(span.start, span.end))
  while (r.pos < r.len) {
    const tag = r.uint32()
    const wireType = tag & 7
    if (wireType === 3 || wireType === 4)
      throw new Error('the descriptor holds a group, which no descriptor has')
    if (wireType !== 2) {
      r.skipType(wireType)
      continue
    }
    const length = r.uint32()
    const start = r.pos
    r.skip(length)
    on(tag >>> 3, { start: span.start + start, end: span.start + start + length })
  }
}

function text(bytes: Uint8Array, s: Span): string {
  return protobuf.util.utf8.read(bytes, s.start, s.end)
}

/** Whether a FieldDescriptorProto sets oneof_index (field 9, a varint). */
function inOneof(bytes: Uint8Array, s: Span): boolean {
  const r = protobuf.Reader.create(bytes.subarray(s.start, s.end))
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag === ((9 << 3) | 0)) return true
    const wireType = tag & 7
    if (wireType === 3 || wireType === 4)
      throw new Error('the descriptor holds a group, which no descriptor has')
    r.skipType(wireType)
  }
  return false
}

/** Counts the encoded FileDescriptorProto into `budget`; throws the budget's SchemaLimitError past a limit. */
export function countDescriptorBytes(bytes: Uint8Array, budget: SchemaBudget): void {
  let fileName = '?'
  let pkg = ''
  const messages: Span[] = []
  const enums: Span[] = []
  const services: Span[] = []
  let extensions = 0
  scan(bytes, { start: 0, end: bytes.length }, (field, s) => {
    if (field === 1) fileName = text(bytes, s)
    else if (field === 2) pkg = text(bytes, s)
    else if (field === 4) messages.push(s)
    else if (field === 5) enums.push(s)
    else if (field === 6) services.push(s)
    else if (field === 7) extensions++
  })
  const prefix = pkg ? `${pkg}.` : ''
  for (const top of messages) {
    let begun = false
    const stack: { s: Span; outer: string; depth: number }[] = [{ s: top, outer: pkg, depth: 0 }]
    while (stack.length > 0) {
      const { s, outer, depth } = stack.pop()!
      if (depth > MAX_DESCRIPTOR_NESTING)
        throw new Error(`its messages nest more than ${MAX_DESCRIPTOR_NESTING} deep`)
      let name = '?'
      const c = { fields: 0, oneofFields: 0, oneofs: 0, reserved: 0, extensions: 0 }
      const nested: Span[] = []
      const nestedEnums: Span[] = []
      scan(bytes, s, (field, v) => {
        if (field === 1) name = text(bytes, v)
        else if (field === 2) {
          c.fields++
          if (inOneof(bytes, v)) c.oneofFields++
        } else if (field === 6) c.extensions++
        else if (field === 3) nested.push(v)
        else if (field === 4) nestedEnums.push(v)
        else if (field === 8) c.oneofs++
        else if (field === 9 || field === 10) c.reserved++
      })
      const full = outer ? `${outer}.${name}` : name
      if (!begun) {
        budget.begin(`the message ${prefix}${name}`)
        begun = true
      }
      budget.message(full, c)
      for (const e of nestedEnums) countEnum(bytes, e, full, budget)
      for (const n of nested) stack.push({ s: n, outer: full, depth: depth + 1 })
    }
  }
  for (const e of enums) countEnum(bytes, e, pkg, budget, true)
  for (const s of services) {
    let name = '?'
    let methods = 0
    scan(bytes, s, (field, v) => {
      if (field === 1) name = text(bytes, v)
      else if (field === 2) methods++
    })
    budget.begin(`the service ${prefix}${name}`)
    budget.service(methods)
  }
  budget.begin(`the file ${fileName}`)
  budget.extensions(extensions)
}

function countEnum(bytes: Uint8Array, s: Span, outer: string, budget: SchemaBudget, top = false): void {
  let name = '?'
  let values = 0
  let reserved = 0
  scan(bytes, s, (field, v) => {
    if (field === 1) name = text(bytes, v)
    else if (field === 2) values++
    else if (field === 4 || field === 5) reserved++
  })
  const full = outer ? `${outer}.${name}` : name
  if (top) budget.begin(`the enum ${full}`)
  budget.enum(full, values, reserved)
}
