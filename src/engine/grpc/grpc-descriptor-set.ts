import protobuf from 'protobufjs'
// Adds Type/Enum/Field/Service.fromDescriptor and the descriptor messages themselves.
import descriptor from 'protobufjs/ext/descriptor/index.js'
import { restoreMapFields } from './grpc-map-fields'
import { countDescriptorBytes } from './grpc-descriptor-count'
import { SchemaBudget } from './grpc-schema-budget'
import { breather, type Breather } from './grpc-breather'

/**
 * Reflected FileDescriptorProtos to a protobufjs Root, counted before anything is built (grpc-schema-budget.ts)
 * and built one top-level declaration at a time, the engine's thread free between steps: Google Ads' schema
 * takes protobufjs seconds to build, and a call or a stream beside it must not wait for that.
 *
 * What protobufjs' own Root.fromDescriptor does, with three changes that keep the build linear: files go in
 * dependency order, so a type is there before anything refers to it; extension fields are added after every
 * type (protobufjs re-tries each extension it cannot place yet on every type added after it, searching the
 * whole tree each time); and an extension of a type no file defines is refused before the build, where
 * protobufjs would find out only at the end.
 */

interface FieldDescriptor {
  name?: string
  extendee?: string
  oneofIndex?: number
}
interface MessageDescriptor {
  name?: string
  field?: FieldDescriptor[]
  extension?: FieldDescriptor[]
  nestedType?: MessageDescriptor[]
  enumType?: EnumDescriptor[]
  oneofDecl?: unknown[]
  reservedRange?: unknown[]
  reservedName?: unknown[]
}
interface EnumDescriptor {
  name?: string
  value?: unknown[]
  reservedRange?: unknown[]
  reservedName?: unknown[]
}
interface ServiceDescriptor {
  name?: string
  method?: unknown[]
}
interface FileDescriptor {
  name?: string
  package?: string
  dependency?: string[]
  messageType?: MessageDescriptor[]
  enumType?: EnumDescriptor[]
  service?: ServiceDescriptor[]
  extension?: FieldDescriptor[]
  syntax?: string
  edition?: number
  sourceCodeInfo?: unknown
}

/** protobufjs' descriptor extension, typed as far as it is used here. */
type Built = protobuf.ReflectionObject
interface FromDescriptor {
  fromDescriptor(d: unknown, edition: string, nested?: boolean): Built
}
const ext = descriptor as unknown as protobuf.Namespace & { Edition: Record<string, number> }
const FileDescriptorProto = ext.lookupType('FileDescriptorProto')
const TypeD = protobuf.Type as unknown as FromDescriptor
const EnumD = protobuf.Enum as unknown as FromDescriptor
const ServiceD = protobuf.Service as unknown as FromDescriptor
const FieldD = protobuf.Field as unknown as FromDescriptor

/** An extension field waiting for every type to be built, with where it was declared. */
interface PendingExtension {
  field: FieldDescriptor
  /** The package (top-level `extend`) or the message (nested) it was declared in. */
  scope: string
  nested: boolean
  edition: string
}

/**
 * The Root the files describe; throws a SchemaLimitError naming the limit, or an Error when they do not fit
 * together. `counted`: the schema was counted already, from the .proto files these descriptors were made from
 * (a map field is one item there, an entry message and two fields here).
 */
export async function rootFromDescriptorFiles(
  files: Uint8Array[],
  pause: Breather = breather(),
  o: { counted?: boolean } = {},
): Promise<protobuf.Root> {
  const budget = o.counted ? null : new SchemaBudget()
  if (budget) {
    // Counted from the wire before anything is decoded: a file past a limit is refused without being built.
    for (const bytes of files) {
      countDescriptorBytes(bytes, budget)
      await pause()
    }
  }
  const decoded: FileDescriptor[] = []
  const messages = new Map<string, number>()
  for (const bytes of files) {
    const file = FileDescriptorProto.decode(bytes) as unknown as FileDescriptor
    // Comments and source positions: nothing here reads them.
    delete file.sourceCodeInfo
    noteMessages(file, messages)
    decoded.push(file)
    await pause()
  }
  checkExtensions(decoded, messages, budget)

  const root = new protobuf.Root()
  const extensions: PendingExtension[] = []
  for (const file of dependencyOrder(decoded)) {
    const pkg = file.package ?? ''
    const scope: protobuf.Namespace = pkg ? root.define(pkg) : root
    if (file.name) root.files.push((scope.filename = file.name))
    const edition = editionOf(file)
    for (const m of file.messageType ?? []) {
      const type = TypeD.fromDescriptor(
        withoutExtensions(m, `${pkg}.${m.name ?? ''}`, edition, extensions),
        edition,
      )
      scope.add(type)
      restoreMapFields(type as protobuf.Type)
      await pause()
    }
    for (const e of file.enumType ?? []) {
      scope.add(EnumD.fromDescriptor(e, edition))
      await pause()
    }
    for (const s of file.service ?? []) {
      scope.add(ServiceD.fromDescriptor(s, edition))
      await pause()
    }
    for (const f of file.extension ?? []) extensions.push({ field: f, scope: pkg, nested: false, edition })
  }
  for (const e of extensions) {
    const parent = e.scope ? root.lookup(e.scope) : root
    if (!(parent instanceof protobuf.Namespace))
      throw new Error(`the extension ${e.field.name} has no scope ${e.scope}`)
    parent.add(FieldD.fromDescriptor(e.field, e.edition, e.nested))
    await pause()
  }
  await resolveInSteps(root, pause)
  root.resolveAll()
  return root
}

/** Each message and service resolved on its own, the engine's thread free between them; packages last. */
export async function resolveInSteps(ns: protobuf.NamespaceBase, pause: Breather): Promise<void> {
  const stack: protobuf.ReflectionObject[] = [...ns.nestedArray]
  while (stack.length > 0) {
    const next = stack.pop()!
    if (next instanceof protobuf.Type || next instanceof protobuf.Service) {
      next.resolveAll()
      await pause()
    } else if (next instanceof protobuf.Namespace) stack.push(...next.nestedArray)
  }
}

/**
 * The message descriptor with its extension fields (and its nested messages') taken out and queued, to be
 * added once every type is built. `name` is its full name without the leading dot.
 */
function withoutExtensions(
  m: MessageDescriptor,
  name: string,
  edition: string,
  out: PendingExtension[],
): MessageDescriptor {
  const stack = [{ m, name: name.replace(/^\./, '') }]
  while (stack.length > 0) {
    const { m: next, name: full } = stack.pop()!
    for (const f of next.extension ?? []) out.push({ field: f, scope: full, nested: true, edition })
    next.extension = []
    for (const n of next.nestedType ?? []) stack.push({ m: n, name: `${full}.${n.name ?? ''}` })
  }
  return m
}

function editionOf(file: FileDescriptor): string {
  if (file.syntax === 'editions') {
    if (file.edition === ext.Edition.EDITION_2023) return '2023'
    throw new Error(`the file ${file.name} uses an edition protobufjs does not read (${file.edition})`)
  }
  return file.syntax === 'proto3' ? 'proto3' : 'proto2'
}

/** The file's messages (nested ones too) by full name, with their field counts. */
function noteMessages(file: FileDescriptor, messages: Map<string, number>): void {
  const pkg = file.package ? `.${file.package}` : ''
  // A stack, not recursion: a hostile set may nest messages deeply.
  const stack = (file.messageType ?? []).map((m) => ({ m, name: `${pkg}.${m.name ?? '?'}` }))
  while (stack.length > 0) {
    const { m, name } = stack.pop()!
    messages.set(name, m.field?.length ?? 0)
    for (const nested of m.nestedType ?? []) stack.push({ m: nested, name: `${name}.${nested.name ?? '?'}` })
  }
}

/**
 * Every extension extends a message some file defines (protoc writes the extendee's full name); each extended
 * message weighs its extensions times its fields and extensions, as each sister field protobufjs adds to it
 * re-indexes them all.
 */
function checkExtensions(
  files: FileDescriptor[],
  messages: Map<string, number>,
  budget: SchemaBudget | null,
): void {
  const perExtendee = new Map<string, number>()
  const check = (f: FieldDescriptor): void => {
    const extendee = f.extendee ?? ''
    if (!messages.has(extendee))
      throw new Error(
        `the extension ${f.name ?? '?'} extends ${extendee || 'nothing'}, which no descriptor defines`,
      )
    perExtendee.set(extendee, (perExtendee.get(extendee) ?? 0) + 1)
  }
  for (const file of files) {
    for (const f of file.extension ?? []) check(f)
    const stack = [...(file.messageType ?? [])]
    while (stack.length > 0) {
      const m = stack.pop()!
      for (const f of m.extension ?? []) check(f)
      stack.push(...(m.nestedType ?? []))
    }
  }
  for (const [extendee, k] of perExtendee) budget?.extended(extendee.slice(1), k, messages.get(extendee) ?? 0)
}

/** The files with each one's dependencies before it (as protoc writes a set); a cycle or a missing file is left as sent. */
function dependencyOrder(files: FileDescriptor[]): FileDescriptor[] {
  const byName = new Map(files.map((f) => [f.name ?? '', f]))
  const done = new Set<FileDescriptor>()
  const out: FileDescriptor[] = []
  for (const start of files) {
    // Depth-first with an explicit stack: `next` is the index of the dependency to visit next.
    const stack: { f: FileDescriptor; next: number }[] = [{ f: start, next: 0 }]
    const onStack = new Set<FileDescriptor>()
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      if (top.next === 0) {
        if (done.has(top.f) || onStack.has(top.f)) {
          stack.pop()
          continue
        }
        onStack.add(top.f)
      }
      const deps = top.f.dependency ?? []
      if (top.next < deps.length) {
        const dep = byName.get(deps[top.next++] ?? '')
        if (dep && !done.has(dep) && !onStack.has(dep)) stack.push({ f: dep, next: 0 })
        continue
      }
      stack.pop()
      done.add(top.f)
      out.push(top.f)
    }
  }
  return out
}
