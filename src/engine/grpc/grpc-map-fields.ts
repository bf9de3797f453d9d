import protobuf from 'protobufjs'

/**
 * protobufjs reads a descriptor's map field as what it is on the wire, a repeated `XEntry` message marked
 * map_entry: turned back into a map field, it reads and writes as a JSON object, as from a .proto.
 *
 * The new map field takes the old one's slot by hand (`replaceByHand`), doing what protobufjs' Type.add does
 * inside: Type.add re-indexes every field by id on each call, which made a message with thousands of map fields
 * cost seconds. That leans on protobufjs' insides, so it is checked by what it does (`handReplaceProblems`, once,
 * at first use; a source-text check would not survive the bundler's minifying): if a later protobufjs stores
 * fields differently, maps are restored through Type.add (slower, still right) and a process warning says so.
 */

/** The message and its nested messages, their map-entry fields turned back into map fields. */
export function restoreMapFields(top: protobuf.Type): void {
  const replace = handReplaceWorks() ? replaceByHand : replaceThroughAdd
  const stack: protobuf.Type[] = [top]
  while (stack.length > 0) {
    const type = stack.pop()!
    const declared = type.fieldsArray.map((f) => f.name)
    let replaced = false
    for (const f of [...type.fieldsArray]) {
      if (!f.repeated || f.map) continue
      // protoc nests a map's entry message in the message itself: looked up there, not through the root (the
      // build is under way, and a lookup that misses searches the whole tree).
      const short = f.type.slice(f.type.lastIndexOf('.') + 1)
      const entry = type.nested?.[short]
      if (f.type !== short && !f.type.endsWith(`${type.name}.${short}`)) continue
      if (!(entry instanceof protobuf.Type) || !entry.options?.map_entry) continue
      const key = entry.fields.key
      const value = entry.fields.value
      if (!key || !value) continue
      replace(type, f, new protobuf.MapField(f.name, f.id, key.type, value.type))
      replaced = true
    }
    if (replaced) keepDeclaredOrder(type, declared)
    for (const child of type.nestedArray) if (child instanceof protobuf.Type) stack.push(child)
  }
}

/**
 * A replaced field went to the end of the type's fields; the message template and `describe` list fields in that
 * order, so each goes back to the place the file (or the reflected descriptor) gave it. Done once a type, after
 * its replacements: remove() and add() left the type's cached field list empty, so it is rebuilt in this order.
 */
function keepDeclaredOrder(type: protobuf.Type, declared: string[]): void {
  for (const name of declared) {
    const field = type.fields[name]
    if (!field) continue
    delete type.fields[name]
    type.fields[name] = field
  }
}

/** Puts `next` where `old` was (same name, same id); remove() has dropped the type's caches. */
function replaceByHand(type: protobuf.Type, old: protobuf.Field, next: protobuf.MapField): void {
  type.remove(old)
  // protobufjs types `fields` as plain Fields; a MapField is one at run time (Type.add stores it there too).
  type.fields[next.name] = next as unknown as protobuf.Field
  next.message = type
  next.onAdd(type)
}

function replaceThroughAdd(type: protobuf.Type, old: protobuf.Field, next: protobuf.MapField): void {
  type.remove(old)
  type.add(next)
}

let checked: boolean | null = null

function handReplaceWorks(): boolean {
  if (checked !== null) return checked
  const problems = handReplaceProblems()
  checked = problems.length === 0
  if (!checked)
    process.emitWarning(
      `protobufjs' insides changed (${problems.join('; ')}): reflected map fields are restored through Type.add, slowly`,
      { code: 'FLIGHTDECK_PROTOBUFJS_INTERNALS' },
    )
  return checked
}

/**
 * What the hand replacement fails to do on the installed protobufjs, in words (empty: it works): the map field
 * is found by name and by id, listed among the fields in its declared place, resolved against the root, and a message with it
 * encodes and decodes as a map.
 */
export function handReplaceProblems(replace = replaceByHand): string[] {
  const root = protobuf.Root.fromJSON({
    nested: {
      M: {
        fields: {
          a: { type: 'string', id: 1 },
          m: { rule: 'repeated', type: 'E', id: 2 },
          z: { type: 'string', id: 3 },
        },
        nested: { E: { fields: { key: { type: 'string', id: 1 }, value: { type: 'int32', id: 2 } } } },
      },
    },
  })
  const type = root.lookupType('M')
  const old = type.fields.m
  if (!old) return ['the test message has no field m']
  const map = new protobuf.MapField('m', 2, 'string', 'int32')
  const next = map as unknown as protobuf.Field
  const problems: string[] = []
  try {
    const declared = type.fieldsArray.map((f) => f.name)
    replace(type, old, map)
    keepDeclaredOrder(type, declared)
    root.resolveAll()
    if (type.get('m') !== next) problems.push('the field is not found by name')
    if (type.fieldsById[2] !== next) problems.push('the field is not found by id')
    if (!type.fieldsArray.includes(next)) problems.push('the field is not listed')
    if (type.fieldsArray.indexOf(next) !== 1) problems.push('the field is not in its declared place')
    if (next.parent !== type) problems.push('the field has no parent')
    const back = type.toObject(
      type.decode(type.encode(type.fromObject({ a: 'x', m: { k: 7 } })).finish()),
    ) as {
      m?: Record<string, number>
    }
    if (back.m?.k !== 7) problems.push('a map value does not survive encoding')
  } catch (e) {
    problems.push((e as Error).message)
  }
  return problems
}
