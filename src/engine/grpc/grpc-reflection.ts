import * as grpc from '@grpc/grpc-js'
import protobuf from 'protobufjs'
import { grpcStatusText } from '../../shared/grpc'
import { fail, ok, type Result } from '../../shared/result'
import { rootFromDescriptorFiles } from './grpc-descriptor-set'
import { GrpcSchema, MAX_SERVICES } from './grpc-schema'
import { SchemaLimitError } from './grpc-schema-budget'
import { cleanDetails } from './grpc-status'

/**
 * A server reflection client that speaks both versions: `grpc.reflection.v1` first, and `v1alpha` when the
 * server answers v1 with UNIMPLEMENTED (older servers, and grpc-go before 1.57, only have v1alpha). The
 * request's metadata goes on the reflection call too, so a server that wants a token for reflection gets it.
 *
 * One bidirectional call per version: list the services, ask for the file that defines each one, then for
 * every dependency not yet sent (by file name), and build the schema from those FileDescriptorProtos.
 */

const VERSIONS = ['v1', 'v1alpha'] as const
type Version = (typeof VERSIONS)[number]

/** Descriptor files and bytes one reflection may fetch: past them it stops, loudly. */
export const MAX_REFLECTED_FILES = 1000
export const MAX_REFLECTED_BYTES = 64 * 1024 * 1024

// The two versions' messages are the same; only the package differs. Field numbers from reflection.proto.
const MESSAGES: protobuf.INamespace = {
  nested: {
    ServerReflectionRequest: {
      oneofs: {
        messageRequest: { oneof: ['file_by_filename', 'file_containing_symbol', 'list_services'] },
      },
      fields: {
        host: { type: 'string', id: 1 },
        file_by_filename: { type: 'string', id: 3 },
        file_containing_symbol: { type: 'string', id: 4 },
        list_services: { type: 'string', id: 7 },
      },
    },
    ServerReflectionResponse: {
      fields: {
        valid_host: { type: 'string', id: 1 },
        file_descriptor_response: { type: 'FileDescriptorResponse', id: 4 },
        list_services_response: { type: 'ListServiceResponse', id: 6 },
        error_response: { type: 'ErrorResponse', id: 7 },
      },
    },
    FileDescriptorResponse: { fields: { file_descriptor_proto: { rule: 'repeated', type: 'bytes', id: 1 } } },
    ListServiceResponse: { fields: { service: { rule: 'repeated', type: 'ServiceResponse', id: 1 } } },
    ServiceResponse: { fields: { name: { type: 'string', id: 1 } } },
    ErrorResponse: {
      fields: { error_code: { type: 'int32', id: 1 }, error_message: { type: 'string', id: 2 } },
    },
  },
}
const root = protobuf.Root.fromJSON(MESSAGES)
const RequestType = root.lookupType('ServerReflectionRequest')
const ResponseType = root.lookupType('ServerReflectionResponse')

interface Answer {
  file_descriptor_response?: { file_descriptor_proto?: Uint8Array[] }
  list_services_response?: { service?: { name?: string }[] }
  error_response?: { error_code?: number; error_message?: string }
}

export interface ReflectOptions {
  metadata: grpc.Metadata
  /** Deadline for the whole reflection, from now. */
  timeoutMs: number
}

/** The server's schema through reflection, or why not (in plain words, with the status). */
export async function reflectSchema(client: grpc.Client, o: ReflectOptions): Promise<Result<GrpcSchema>> {
  const deadline = Date.now() + o.timeoutMs
  let first: Result<GrpcSchema> | null = null
  for (const version of VERSIONS) {
    const r = await reflectWith(client, version, o.metadata, deadline)
    if (r.ok) return r
    first ??= r
    if (r.error.code !== 'unsupported') return r
  }
  return fail(
    'unsupported',
    'The server does not offer server reflection (neither grpc.reflection.v1 nor v1alpha); give its .proto files instead',
    first && !first.ok ? first.error.detail : undefined,
  )
}

class ReflectionCall {
  private readonly waiting: ((r: Result<Answer>) => void)[] = []
  private ended: Result<never> | null = null
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>

  constructor(client: grpc.Client, version: Version, metadata: grpc.Metadata, deadline: number) {
    const path = `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`
    this.call = client.makeBidiStreamRequest<Buffer, Buffer>(
      path,
      (b) => b,
      (b) => b,
      metadata.clone(),
      { deadline },
    )
    this.call.on('data', (b: Buffer) => {
      const next = this.waiting.shift()
      if (!next) return
      try {
        next(ok(ResponseType.toObject(ResponseType.decode(b), { defaults: false }) as Answer))
      } catch (e) {
        next(fail('protocol', 'The reflection answer could not be read', (e as Error).message))
      }
    })
    this.call.on('error', (e: grpc.ServiceError) => this.end(e))
    this.call.on('status', (s: grpc.StatusObject) => {
      if (s.code !== grpc.status.OK) this.end(s)
      else this.end({ code: grpc.status.UNAVAILABLE, details: 'The reflection call ended before answering' })
    })
  }

  private end(s: { code: number; details: string }): void {
    if (!this.ended) {
      const text = grpcStatusText(s.code, cleanDetails(s.details))
      this.ended =
        s.code === grpc.status.UNIMPLEMENTED
          ? fail('unsupported', 'Reflection is not implemented', text)
          : fail('network', `Server reflection failed: ${text}`)
    }
    for (const w of this.waiting.splice(0)) w(this.ended)
  }

  ask(request: Record<string, string>): Promise<Result<Answer>> {
    if (this.ended) return Promise.resolve(this.ended)
    return new Promise((resolve) => {
      this.waiting.push(resolve)
      this.call.write(
        Buffer.from(RequestType.encode(RequestType.fromObject({ host: '', ...request })).finish()),
      )
    })
  }

  close(): void {
    this.call.end()
    this.call.cancel()
  }
}

async function reflectWith(
  client: grpc.Client,
  version: Version,
  metadata: grpc.Metadata,
  deadline: number,
): Promise<Result<GrpcSchema>> {
  const call = new ReflectionCall(client, version, metadata, deadline)
  try {
    const listed = await call.ask({ list_services: '' })
    if (!listed.ok) return listed
    const names = (listed.value.list_services_response?.service ?? [])
      .map((s) => s.name ?? '')
      .filter((n) => n !== '' && !n.startsWith('grpc.reflection.'))
    const notes: string[] = []
    if (names.length > MAX_SERVICES)
      notes.push(`The server lists ${names.length} services; the first ${MAX_SERVICES} are shown`)
    const files = new Map<string, Uint8Array>()
    const wanted: string[] = []
    let bytes = 0
    const take = (answer: Answer): Result<never> | null => {
      for (const proto of answer.file_descriptor_response?.file_descriptor_proto ?? []) {
        const head = fileHead(proto)
        if (head === null)
          return fail(
            'parse',
            'Server reflection stopped: the server sent a descriptor that is not a .proto file',
          )
        if (files.has(head.name)) continue
        if (files.size >= MAX_REFLECTED_FILES)
          return fail(
            'too_large',
            `Server reflection stopped: the server sent more than ${MAX_REFLECTED_FILES} descriptor files`,
          )
        bytes += proto.length
        if (bytes > MAX_REFLECTED_BYTES)
          return fail(
            'too_large',
            `Server reflection stopped: the server sent more than ${MAX_REFLECTED_BYTES / 1024 / 1024} MB of descriptors`,
          )
        files.set(head.name, proto)
        // One at a time: a file may name a million (a spread of them overflows the stack).
        for (const dep of head.dependencies) wanted.push(dep)
      }
      return null
    }
    for (const name of names.slice(0, MAX_SERVICES)) {
      const a = await call.ask({ file_containing_symbol: name })
      if (!a.ok) return a
      if (a.value.error_response) {
        notes.push(`${name}: ${a.value.error_response.error_message ?? 'not described'} (left out)`)
        continue
      }
      const cut = take(a.value)
      if (cut) return cut
    }
    // Dependencies the server did not send with the files that need them; a bounded worklist, each name asked once.
    const asked = new Set<string>()
    for (let i = 0; i < wanted.length && asked.size < MAX_REFLECTED_FILES * 4; i++) {
      const dep = wanted[i] as string
      if (files.has(dep) || asked.has(dep)) continue
      asked.add(dep)
      const a = await call.ask({ file_by_filename: dep })
      if (!a.ok) return a
      if (a.value.error_response) {
        return fail(
          'parse',
          `The server's reflection could not send ${dep}, which its schema imports`,
          a.value.error_response.error_message,
        )
      }
      const cut = take(a.value)
      if (cut) return cut
    }
    try {
      return ok(
        new GrpcSchema(
          await rootFromDescriptorFiles([...files.values()]),
          `reflection (grpc.reflection.${version})`,
          notes,
        ),
      )
    } catch (e) {
      if (e instanceof SchemaLimitError) return fail('too_large', `Server reflection stopped: ${e.message}`)
      return fail('parse', "The server's reflection descriptors do not resolve", (e as Error).message)
    }
  } finally {
    call.close()
  }
}

/**
 * A FileDescriptorProto's name (field 1) and dependencies (field 3), read without decoding the rest; null when the
 * bytes are not one. A descriptor has no groups (wire types 3 and 4): protobufjs skips a group by recursing into
 * it, so a million nested group starts (a megabyte) overflowed the stack.
 */
function fileHead(bytes: Uint8Array): { name: string; dependencies: string[] } | null {
  const r = protobuf.Reader.create(bytes)
  let name = ''
  const dependencies: string[] = []
  try {
    while (r.pos < r.len) {
      const tag = r.uint32()
      const field = tag >>> 3
      const wireType = tag & 7
      if (wireType === 3 || wireType === 4) return null
      if (field === 1 && wireType === 2) name = r.string()
      else if (field === 3 && wireType === 2) dependencies.push(r.string())
      else r.skipType(wireType)
    }
  } catch {
    // Cut short, or a wire type that does not exist.
    return null
  }
  return { name, dependencies }
}
