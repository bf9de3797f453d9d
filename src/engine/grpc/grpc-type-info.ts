import protobuf from 'protobufjs'
import type { GrpcFieldInfo, GrpcTypeInfo } from '../../shared/grpc'
import { wellKnown } from './grpc-wkt'

/**
 * The messages and enums a schema's request types use, described for the message editor (completion and lint
 * in the renderer, which has no protobufjs). Walked breadth-first from the request types, bounded in count.
 */

/** Types described at most; a schema with more is cut (the editor then completes what it has). */
export const MAX_TYPE_INFOS = 2000

export function requestTypeInfos(roots: protobuf.Type[]): Record<string, GrpcTypeInfo> {
  const out: Record<string, GrpcTypeInfo> = {}
  const queue: (protobuf.Type | protobuf.Enum)[] = [...roots]
  for (let i = 0; i < queue.length && Object.keys(out).length < MAX_TYPE_INFOS; i++) {
    const t = queue[i] as protobuf.Type | protobuf.Enum
    const name = fullName(t)
    if (out[name]) continue
    if (t instanceof protobuf.Enum) {
      out[name] = { kind: 'enum', values: Object.keys(t.values) }
      continue
    }
    const special = wellKnown(t)
    const fields: GrpcFieldInfo[] = []
    for (const f of t.fieldsArray) {
      f.resolve()
      const r = f.resolvedType
      const field: GrpcFieldInfo = {
        name: f.name,
        json: f.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
        type: r ? fullName(r) : f.type,
      }
      if (f.repeated && !f.map) field.repeated = true
      if (f instanceof protobuf.MapField) field.mapKey = f.keyType
      if (f.partOf && !f.partOf.name.startsWith('_')) field.oneof = f.partOf.name
      fields.push(field)
      // A well-known type's insides are not written by the user (its JSON form is), so not described.
      if (r && !special && !out[fullName(r)]) queue.push(r)
    }
    out[name] = special ? { kind: 'message', fields, wellKnown: special } : { kind: 'message', fields }
  }
  return out
}

/** `pkg.Msg` without protobufjs' leading dot (as grpc-schema.ts's, which imports this file). */
function fullName(o: protobuf.ReflectionObject): string {
  return o.fullName.replace(/^\./, '')
}
