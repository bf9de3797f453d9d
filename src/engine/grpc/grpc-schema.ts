import protobuf from 'protobufjs'
import {
  grpcMethodKind,
  splitGrpcMethod,
  type GrpcMethodInfo,
  type GrpcMethodKind,
  type GrpcSchemaInfo,
  type GrpcServiceInfo,
} from '../../shared/grpc'
import { fail, ok, type Result } from '../../shared/result'
import { requestTypeInfos } from './grpc-type-info'

/**
 * A gRPC schema: a protobufjs Root built from `.proto` files (grpc-proto-files.ts) or from the descriptors a
 * server's reflection service sent (grpc-reflection.ts). It finds methods by name, lists and describes them,
 * and turns JSON into messages and back (grpc-json.ts).
 */

/** Services a schema lists at most (a server with more is cut, and says so). */
export const MAX_SERVICES = 2000

export interface ResolvedMethod {
  info: GrpcMethodInfo
  /** `/package.Service/Method`, the call's HTTP/2 path. */
  path: string
  requestType: protobuf.Type
  responseType: protobuf.Type
}

export class GrpcSchema {
  private readonly services: protobuf.Service[]

  constructor(
    readonly root: protobuf.Root,
    /** Where it came from, in plain words (`reflection (grpc.reflection.v1)`, `proto files`). */
    readonly source: string,
    /** Services the server named that are not listed (reflection's own, ones it could not describe). */
    readonly notes: string[] = [],
  ) {
    root.resolveAll()
    this.services = []
    collectServices(root, this.services)
  }

  /** Services and methods; with `types`, the request messages described for the message editor too. */
  info(o: { types?: boolean } = {}): GrpcSchemaInfo {
    const services: GrpcServiceInfo[] = this.services.map((s) => ({
      name: fullName(s),
      methods: s.methodsArray.map((m) => methodInfo(s, m)),
    }))
    services.sort((a, b) => a.name.localeCompare(b.name))
    if (!o.types) return { source: this.source, services }
    const requests: protobuf.Type[] = []
    for (const s of this.services) {
      for (const m of s.methodsArray) {
        m.resolve()
        if (m.resolvedRequestType) requests.push(m.resolvedRequestType)
      }
    }
    return { source: this.source, services, types: requestTypeInfos(requests) }
  }

  /** The method `text` names (`pkg.Svc/M`), or an error that lists what the schema has. */
  method(text: string): Result<ResolvedMethod> {
    const parts = splitGrpcMethod(text)
    if (!parts)
      return fail('invalid_request', `"${text}" is not a method name; write it as package.Service/Method`)
    const service = this.services.find((s) => fullName(s) === parts.service)
    if (!service) {
      const names = this.services.map(fullName).slice(0, 20).join(', ')
      return fail(
        'not_found',
        `The ${this.source} has no service ${parts.service}`,
        names ? `Services: ${names}` : 'It has no services at all',
      )
    }
    const m = service.methods[parts.method]
    if (!m) {
      return fail(
        'not_found',
        `The service ${parts.service} has no method ${parts.method}`,
        `Methods: ${Object.keys(service.methods).join(', ')}`,
      )
    }
    m.resolve()
    const requestType = m.resolvedRequestType
    const responseType = m.resolvedResponseType
    if (!requestType || !responseType) {
      return fail('parse', `The types of ${parts.service}/${parts.method} could not be resolved`)
    }
    return ok({
      info: methodInfo(service, m),
      path: `/${parts.service}/${parts.method}`,
      requestType,
      responseType,
    })
  }

  /** What `grpcurl describe` prints: a service with its methods, or a message with its fields, as proto text. */
  describe(symbol: string): Result<string> {
    const name = symbol.trim().replace(/^\./, '')
    const method = splitGrpcMethod(name)
    const found =
      this.root.lookup(name) ?? (method ? this.root.lookup(`${method.service}.${method.method}`) : null)
    if (!found) return fail('not_found', `The ${this.source} has no symbol ${name}`)
    if (found instanceof protobuf.Service) return ok(describeService(found))
    if (found instanceof protobuf.Method) return ok(describeMethod(found))
    if (found instanceof protobuf.Type) return ok(describeType(found))
    if (found instanceof protobuf.Enum) return ok(describeEnum(found))
    return ok(`${fullName(found)} is a package`)
  }
}

function collectServices(ns: protobuf.NamespaceBase, out: protobuf.Service[]): void {
  for (const child of ns.nestedArray) {
    if (out.length >= MAX_SERVICES) return
    if (child instanceof protobuf.Service) out.push(child)
    else if (child instanceof protobuf.Namespace) collectServices(child, out)
  }
}

/** `pkg.Svc` without protobufjs' leading dot. */
export function fullName(o: protobuf.ReflectionObject): string {
  return o.fullName.replace(/^\./, '')
}

function methodInfo(service: protobuf.Service, m: protobuf.Method): GrpcMethodInfo {
  m.resolve()
  const svc = fullName(service)
  const kind: GrpcMethodKind = grpcMethodKind(Boolean(m.requestStream), Boolean(m.responseStream))
  return {
    service: svc,
    name: m.name,
    full: `${svc}/${m.name}`,
    kind,
    requestType: m.resolvedRequestType ? fullName(m.resolvedRequestType) : m.requestType,
    responseType: m.resolvedResponseType ? fullName(m.resolvedResponseType) : m.responseType,
  }
}

function describeMethod(m: protobuf.Method): string {
  m.resolve()
  const req = m.resolvedRequestType ? `.${fullName(m.resolvedRequestType)}` : m.requestType
  const res = m.resolvedResponseType ? `.${fullName(m.resolvedResponseType)}` : m.responseType
  return `rpc ${m.name} ( ${m.requestStream ? 'stream ' : ''}${req} ) returns ( ${m.responseStream ? 'stream ' : ''}${res} );`
}

function describeService(s: protobuf.Service): string {
  const lines = [`${fullName(s)} is a service:`, `service ${s.name} {`]
  for (const m of s.methodsArray) lines.push(`  ${describeMethod(m)}`)
  lines.push('}')
  return lines.join('\n')
}

function describeType(t: protobuf.Type): string {
  const lines = [`${fullName(t)} is a message:`, `message ${t.name} {`]
  for (const f of t.fieldsArray) {
    f.resolve()
    const type = f.resolvedType ? `.${fullName(f.resolvedType)}` : f.type
    const label =
      f instanceof protobuf.MapField
        ? `map<${f.keyType}, ${type}>`
        : `${f.repeated ? 'repeated ' : ''}${type}`
    lines.push(`  ${label} ${f.name} = ${f.id};`)
  }
  lines.push('}')
  return lines.join('\n')
}

function describeEnum(e: protobuf.Enum): string {
  const lines = [`${fullName(e)} is an enum:`, `enum ${e.name} {`]
  for (const [k, v] of Object.entries(e.values)) lines.push(`  ${k} = ${v};`)
  lines.push('}')
  return lines.join('\n')
}
