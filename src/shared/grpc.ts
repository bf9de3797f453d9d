import type { KeyValue } from './request'

/**
 * gRPC calls as every layer sees them: what a call is made of, what a schema offers, and gRPC status codes in
 * plain words. Pure: the engine speaks the protocol (src/engine/grpc), the renderer and the CLI show it.
 */

/** The four kinds of call, as a method's descriptor says (client streaming, server streaming or both). */
export type GrpcMethodKind = 'unary' | 'server_streaming' | 'client_streaming' | 'bidi_streaming'

/** Where the schema comes from: the server's reflection service, or `.proto` files with import paths. */
export type GrpcSchemaSource =
  | { kind: 'reflection' }
  | {
      kind: 'proto'
      /** The `.proto` files to load (absolute, or relative to the collection folder). */
      files: string[]
      /** Folders `import` statements are resolved against, in order. */
      importPaths: string[]
    }

export interface GrpcTls {
  /** No TLS at all (h2c), as grpcurl's -plaintext. */
  plaintext: boolean
  /** TLS without verifying the server's certificate (self-signed test servers). */
  insecure?: boolean | undefined
  /** A CA bundle (PEM) trusted in place of the system's CAs. */
  caFile?: string | undefined
  /** A client certificate and its key (PEM), for servers that ask for one. */
  certFile?: string | undefined
  keyFile?: string | undefined
}

export interface GrpcCallSpec {
  /** `host:port` (a `grpc://` or `grpcs://` prefix is accepted and says plaintext or TLS). */
  target: string
  /** `package.Service/Method` (a leading `/` and a `.` before the method are accepted too). */
  method: string
  /** The messages to send, JSON text each; a unary or server-streaming call takes exactly one. */
  messages: string[]
  metadata: KeyValue[]
  schema: GrpcSchemaSource
  tls: GrpcTls
  /** The call's deadline from its start; absent: none. */
  deadlineMs?: number | undefined
  /** How long a new channel may take to come up (TCP, TLS, HTTP/2 settings); absent: 10 s. */
  connectTimeoutMs?: number | undefined
  /** Largest message sent or received; past it the call fails with RESOURCE_EXHAUSTED. Default 4 MB. */
  maxMessageBytes?: number | undefined
  /**
   * Half-close after `messages` (the default). False keeps the sending side open for client and bidi streams:
   * messages are sent with `grpc.send` and the stream half-closed with `grpc.end`.
   */
  halfClose?: boolean | undefined
}

export interface GrpcMethodInfo {
  /** `package.Service`. */
  service: string
  name: string
  /** `package.Service/Method`, as the CLI and the collection files name it. */
  full: string
  kind: GrpcMethodKind
  requestType: string
  responseType: string
}

export interface GrpcServiceInfo {
  name: string
  methods: GrpcMethodInfo[]
}

/** What Copy as grpcurl writes of a call beside its schema's files and flags. */
export interface GrpcurlCall {
  target: string
  /** The enabled metadata, with the auth's as the call sends it (a row set by hand of the same name wins). */
  metadata: KeyValue[]
  message: string
  /**
   * Basic auth's `user:password` when it still holds a `{{variable}}` (a secret, or one no environment defines):
   * written as a shell substitution that encodes it where the command runs, never as the base64 of the braces.
   */
  basic?: string
  /**
   * Said above the command, as a `#` line: auth a gRPC call cannot send, left out, or an OAuth 2.0 token, which
   * Flightdeck fetches when it calls and a copy has none of.
   */
  note?: string
}

export interface GrpcSchemaInfo {
  /** `reflection (grpc.reflection.v1)`, `reflection (grpc.reflection.v1alpha)`, or `proto files`. */
  source: string
  services: GrpcServiceInfo[]
  /**
   * The .proto files and import paths the schema came from, as grpcurl's `-proto` / `-import-path` would name
   * them run from the collection folder (each file found in one of the import paths); absent for reflection.
   */
  protos?: { files: string[]; importPaths: string[] }
  /** The messages and enums the methods' requests use, by full name: the message editor's completion and lint. */
  types?: Record<string, GrpcTypeInfo>
}

/** A request message's field, as the message editor completes and checks it. */
export interface GrpcFieldInfo {
  /** As in the .proto (`delay_ms`). */
  name: string
  /** Protobuf's JSON name (`delayMs`), also accepted. */
  json: string
  /** A scalar (`int64`, `string`, …) or the full name of a message or enum (a key of `types`). */
  type: string
  repeated?: boolean
  /** A map field's key type (`string`); its values are `type`. */
  mapKey?: string
  /** The `oneof` group the field belongs to. */
  oneof?: string
}

export type GrpcTypeInfo =
  | {
      kind: 'message'
      fields: GrpcFieldInfo[]
      /** A well-known type written in its JSON form: `Timestamp` is a string, `Struct` any JSON object, … */
      wellKnown?: string
    }
  | { kind: 'enum'; values: string[] }

/** One gRPC status, as the call ended with it. */
export interface GrpcStatusInfo {
  code: number
  /** `OK`, `UNAVAILABLE`, … */
  name: string
  message: string
  /** `google.rpc.Status` details from `grpc-status-details-bin`, decoded to JSON where their type is known. */
  details?: unknown[]
}

export const DEFAULT_GRPC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024

export const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const
export type GrpcStatusName = (typeof STATUS_NAMES)[number]

/** `UNAVAILABLE`, or `CODE_42` for a code gRPC does not define. */
export function grpcStatusName(code: number): string {
  return STATUS_NAMES[code] ?? `CODE_${code}`
}

/** `UNAVAILABLE (14): No connection established`, `OK (0)`. */
export function grpcStatusText(code: number, message = ''): string {
  const head = `${grpcStatusName(code)} (${code})`
  return message ? `${head}: ${message}` : head
}

/** The method's kind from its descriptor's streaming flags. */
export function grpcMethodKind(clientStreaming: boolean, serverStreaming: boolean): GrpcMethodKind {
  if (clientStreaming && serverStreaming) return 'bidi_streaming'
  if (clientStreaming) return 'client_streaming'
  if (serverStreaming) return 'server_streaming'
  return 'unary'
}

/** Client and bidi streams send any number of messages; unary and server-streaming calls exactly one. */
export function grpcSendsMany(kind: GrpcMethodKind): boolean {
  return kind === 'client_streaming' || kind === 'bidi_streaming'
}

/** `pkg.Svc/M`, `/pkg.Svc/M` and `pkg.Svc.M` as `{ service, method }`; null when it is none of them. */
export function splitGrpcMethod(text: string): { service: string; method: string } | null {
  const s = text.trim().replace(/^\//, '')
  const slash = s.lastIndexOf('/')
  const cut = slash >= 0 ? slash : s.lastIndexOf('.')
  if (cut <= 0 || cut === s.length - 1) return null
  const service = s.slice(0, cut)
  const method = s.slice(cut + 1)
  if (!/^[A-Za-z_][\w.]*$/.test(service) || !/^[A-Za-z_]\w*$/.test(method)) return null
  return { service, method }
}
