import protobuf from 'protobufjs'
// Adds toDescriptor to Type/Enum/Field/Service and the descriptor messages themselves.
import descriptor from 'protobufjs/ext/descriptor/index.js'

/**
 * A Root parsed from `.proto` files (in a pool worker) as FileDescriptorProto bytes, for the engine's thread to
 * build a declaration at a time (grpc-descriptor-set.ts), as it builds a reflected schema.
 *
 * protobufjs' own Root.toDescriptor writes one file per package with one syntax for all; here each source file
 * keeps its own syntax (a proto2 file's required and packed fields stay as written). A file's declarations are
 * cut into parts of about `PART_ITEMS` fields and values, so that decoding one part on the engine's thread is a
 * short step. protobufjs writes an extension's copy inside the extended message as a field named by its full
 * name, and an extension declared in a message among its fields: both are put back where protoc writes them.
 */

/** Fields, values and types one part holds, about (a declaration is never split). */
export const PART_ITEMS = 2000

interface Desc {
  name?: string
  field?: Desc[]
  extension?: Desc[]
  nestedType?: Desc[]
  enumType?: Desc[]
  value?: unknown[]
  method?: unknown[]
  extendee?: string
  typeName?: string
  label?: number
  options?: { mapEntry?: boolean } | null
}

interface Part {
  name: string
  package: string
  edition: string
  messageType: Desc[]
  enumType: Desc[]
  service: Desc[]
  extension: Desc[]
  items: number
}

interface ToDescriptor {
  toDescriptor(edition?: string): Desc
}
interface Editioned {
  _edition?: string | null
  filename?: string | null
}

const ext = descriptor as unknown as protobuf.Namespace & { Edition: Record<string, number> }
const FileDescriptorProto = ext.lookupType('FileDescriptorProto')

/** The resolved root's declarations as encoded FileDescriptorProtos, a part of a file each. */
export function descriptorFilesOf(root: protobuf.Root): Uint8Array[] {
  const parts: Part[] = []
  const open = new Map<string, Part>()
  const stack: protobuf.NamespaceBase[] = [root]
  while (stack.length > 0) {
    const ns = stack.pop()!
    const pkg = ns === root ? '' : ns.fullName.replace(/^\./, '')
    for (const child of ns.nestedArray) {
      // Type and Service are namespaces too: told apart first.
      const kind =
        child instanceof protobuf.Type
          ? 'message'
          : child instanceof protobuf.Service
            ? 'service'
            : child instanceof protobuf.Enum
              ? 'enum'
              : child instanceof protobuf.Field
                ? 'extension'
                : child instanceof protobuf.Namespace
                  ? 'package'
                  : null
      if (kind === 'package') stack.push(child as protobuf.Namespace)
      if (kind === 'package' || kind === null) continue
      const meta = child as unknown as Editioned
      const edition = meta._edition ?? 'proto2'
      const file = meta.filename ?? 'built-in'
      const key = `${file}\u0000${pkg}\u0000${edition}`
      let part = open.get(key)
      if (!part || part.items >= PART_ITEMS) {
        part = {
          name: `${file}#${pkg}#${parts.length + 1}`,
          package: pkg,
          edition,
          messageType: [],
          enumType: [],
          service: [],
          extension: [],
          items: 0,
        }
        parts.push(part)
        open.set(key, part)
      }
      const d = (child as unknown as ToDescriptor).toDescriptor(edition)
      if (kind === 'message') {
        part.messageType.push(placeExtensions(d))
        part.items += countItems(d)
      } else if (kind === 'enum') {
        part.enumType.push(d)
        part.items += 1 + (d.value?.length ?? 0)
      } else if (kind === 'service') {
        part.service.push(d)
        part.items += 1 + (d.method?.length ?? 0)
      } else {
        part.extension.push(d)
        part.items += 1
      }
    }
  }
  return parts.map((p) => {
    const file: Record<string, unknown> = {
      name: p.name,
      messageType: p.messageType,
      enumType: p.enumType,
      service: p.service,
      extension: p.extension,
    }
    if (p.package) file.package = p.package
    if (p.edition === 'proto2' || p.edition === 'proto3') file.syntax = p.edition
    else {
      file.syntax = 'editions'
      file.edition = ext.Edition[`EDITION_${p.edition}`]
    }
    return FileDescriptorProto.encode(FileDescriptorProto.fromObject(file)).finish()
  })
}

/**
 * The message and its nested ones with extension copies (fields named `.full.name`) left out, and extensions
 * declared inside them moved from `field` to `extension`.
 */
function placeExtensions(top: Desc): Desc {
  const stack = [top]
  while (stack.length > 0) {
    const m = stack.pop()!
    const own: Desc[] = []
    const extensions: Desc[] = m.extension ?? []
    for (const f of m.field ?? []) {
      if (f.name?.startsWith('.')) continue
      if (f.extendee) extensions.push(f)
      else own.push(f)
    }
    m.field = own
    m.extension = extensions
    nameMapEntries(m)
    stack.push(...(m.nestedType ?? []))
  }
  return top
}

/**
 * protobufjs names a map field's entry message after the field (`labels`: `Labels`), which is also the name a
 * message nested beside it may have; protoc's name (`LabelsEntry`) is kept clear of that by the language.
 */
function nameMapEntries(m: Desc): void {
  for (const n of m.nestedType ?? []) {
    if (!n.options?.mapEntry) continue
    // The map field: the one repeated field protobufjs named the entry after (field names are unique).
    const f = m.field?.find(
      (x) => x.label === 3 && x.typeName === n.name && x.name !== undefined && ucFirst(x.name) === n.name,
    )
    if (!f?.name) continue
    const entry = `${f.name.replace(/(?:^|_)([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Entry`
    n.name = f.typeName = entry
  }
}

const ucFirst = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1)

/** The message's types, fields and enum values with all it nests. */
function countItems(top: Desc): number {
  let n = 0
  const stack = [top]
  while (stack.length > 0) {
    const m = stack.pop()!
    n += 1 + (m.field?.length ?? 0) + (m.extension?.length ?? 0)
    for (const e of m.enumType ?? []) n += 1 + (e.value?.length ?? 0)
    stack.push(...(m.nestedType ?? []))
  }
  return n
}
