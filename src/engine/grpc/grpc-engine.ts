import {
  DEFAULT_GRPC_MAX_MESSAGE_BYTES,
  grpcSendsMany,
  grpcStatusText,
  type GrpcCallSpec,
  type GrpcMethodInfo,
  type GrpcSchemaSource,
  type GrpcTls,
} from '../../shared/grpc'
import type { KeyValue } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import type { StreamEngine } from '../streams/stream-engine'
import { ChannelPool, metadataOf, parseGrpcTarget, userAgentOf } from './grpc-channel'
import { defaultsTemplate, encodeJson } from './grpc-json'
import { loadProtoFiles } from './grpc-proto-files'
import { GRPC_CONNECT_TIMEOUT_MS, waitForChannel } from './grpc-connect-wait'
import { reflectSchema } from './grpc-reflection'
import type { GrpcSchema } from './grpc-schema'
import { GrpcSession, type GrpcCallOutcome } from './grpc-session'
import { groupDigits } from '../../shared/group-digits'

/**
 * The engine's gRPC part: schemas (reflection or .proto files, kept a short while so picking a method and then
 * invoking it reflects once), a pool of channels, and the calls, which are stream sessions (sids `rpc1`, `rpc2`, …)
 * in the stream engine, so the timeline, the stream log, `stream.read` and `session.cancel` serve them as any.
 */

/** How long a schema is reused for the same target and source. */
const SCHEMA_TTL_MS = 30_000
const MAX_CACHED_SCHEMAS = 32
const REFLECTION_TIMEOUT_MS = 15_000
/** Calls whose outcome is kept for the CLI and the runner (the oldest are let go). */
const KEEP_OUTCOMES = 256

export interface SchemaRequest {
  target: string
  tls: GrpcTls
  metadata: KeyValue[]
  schema: GrpcSchemaSource
  /** Relative proto paths resolve against this folder. */
  base: string
  /** Checks a proto path before it is read (a collection's confinement). */
  confine?: (abs: string, what: string) => Promise<Result<string>>
  /** How long reflection waits for the channel to come up (a saved request's `options.connectTimeoutMs`). */
  connectTimeoutMs?: number
}

export interface GrpcOpenOptions {
  base: string
  confine?: SchemaRequest['confine']
  /** The row's name (a saved request's). */
  name?: string
}

export class GrpcEngine {
  private readonly pool = new ChannelPool()
  private readonly schemas = new Map<string, { at: number; schema: Promise<Result<GrpcSchema>> }>()
  private readonly calls = new Map<string, GrpcSession>()

  constructor(private readonly streams: StreamEngine) {}

  /** The schema for a target: its reflection, or the .proto files. */
  async schema(r: SchemaRequest): Promise<Result<GrpcSchema>> {
    const target = parseGrpcTarget(r.target, r.tls.plaintext)
    if (!target.ok) return target
    const key = JSON.stringify([
      target.value,
      r.tls,
      r.schema,
      r.base,
      r.schema.kind === 'reflection' ? r.metadata : [],
    ])
    const now = Date.now()
    const cached = this.schemas.get(key)
    if (cached && now - cached.at < SCHEMA_TTL_MS) return cached.schema
    const schema = this.load(r)
    this.schemas.set(key, { at: now, schema })
    while (this.schemas.size > MAX_CACHED_SCHEMAS)
      this.schemas.delete(this.schemas.keys().next().value as string)
    const result = await schema
    // A failure is not kept: the next try asks again (the server may be up by then).
    if (!result.ok) this.schemas.delete(key)
    return result
  }

  private async load(r: SchemaRequest): Promise<Result<GrpcSchema>> {
    if (r.schema.kind === 'proto') {
      return loadProtoFiles({
        files: r.schema.files,
        importPaths: r.schema.importPaths,
        base: r.base,
        ...(r.confine ? { confine: r.confine } : {}),
      })
    }
    const target = parseGrpcTarget(r.target, r.tls.plaintext)
    if (!target.ok) return target
    const md = metadataOf(r.metadata)
    if (!md.ok) return md
    const client = await this.pool.client(target.value, r.tls, undefined, userAgentOf(r.metadata))
    if (!client.ok) return client
    const up = await waitForChannel(
      client.value.client,
      target.value,
      r.connectTimeoutMs ?? GRPC_CONNECT_TIMEOUT_MS,
    )
    if (!up.ok) return up
    return reflectSchema(client.value.client, { metadata: md.value, timeoutMs: REFLECTION_TIMEOUT_MS })
  }

  /** Start a call. Everything that can be checked before sending is (method, messages, sizes, metadata). */
  async open(
    spec: GrpcCallSpec,
    o: GrpcOpenOptions,
  ): Promise<Result<{ sid: string; method: GrpcMethodInfo }>> {
    const target = parseGrpcTarget(spec.target, spec.tls.plaintext)
    if (!target.ok) return target
    const metadata = metadataOf(spec.metadata)
    if (!metadata.ok) return metadata
    const schema = await this.schema({
      target: spec.target,
      tls: spec.tls,
      metadata: spec.metadata,
      schema: spec.schema,
      base: o.base,
      ...(o.confine ? { confine: o.confine } : {}),
      ...(spec.connectTimeoutMs !== undefined ? { connectTimeoutMs: spec.connectTimeoutMs } : {}),
    })
    if (!schema.ok) return schema
    const method = schema.value.method(spec.method)
    if (!method.ok) return method
    const kind = method.value.info.kind
    const halfClose = spec.halfClose ?? true
    if (!grpcSendsMany(kind) && spec.messages.length !== 1) {
      return fail(
        'invalid_request',
        `${method.value.info.full} is a ${kind === 'unary' ? 'unary' : 'server-streaming'} method: it takes exactly one message, not ${spec.messages.length}`,
      )
    }
    const max = spec.maxMessageBytes ?? DEFAULT_GRPC_MAX_MESSAGE_BYTES
    for (let i = 0; i < spec.messages.length; i++) {
      const bytes = encodeJson(method.value.requestType, spec.messages[i] as string, `Message ${i + 1}`)
      if (!bytes.ok) return bytes
      if (bytes.value.length > max) {
        return fail(
          'message_too_large',
          grpcStatusText(
            8,
            `Message ${i + 1} is ${groupDigits(bytes.value.length)} bytes, past the ${groupDigits(max)}-byte limit on a message; nothing was sent`,
          ),
        )
      }
    }
    const client = await this.pool.client(
      target.value,
      spec.tls,
      spec.maxMessageBytes,
      userAgentOf(spec.metadata),
    )
    if (!client.ok) return client
    const session = this.streams.openSession('rpc', (init) => {
      return new GrpcSession({
        ...init,
        onEnd: (sid) => {
          init.onEnd(sid)
          this.ended(sid)
        },
        target: target.value,
        method: method.value,
        client: client.value.client,
        reused: client.value.reused,
        connectionId: client.value.connectionId,
        metadata: metadata.value,
        messages: spec.messages,
        halfClose,
        ...(spec.deadlineMs !== undefined ? { deadlineMs: spec.deadlineMs } : {}),
        ...(spec.connectTimeoutMs !== undefined ? { connectTimeoutMs: spec.connectTimeoutMs } : {}),
        maxMessageBytes: max,
        schema: schema.value.root,
        ...(o.name ? { name: o.name } : {}),
      })
    })
    this.calls.set(session.sid, session)
    session.start()
    return ok({ sid: session.sid, method: method.value.info })
  }

  /** The "fill with defaults" template of a method's request message. */
  template(schema: GrpcSchema, method: string): Result<string> {
    const m = schema.method(method)
    return m.ok ? ok(defaultsTemplate(m.value.requestType)) : m
  }

  send(sid: string, message: string): Result<{ seq: number; size: number }> {
    const s = this.calls.get(sid)
    if (!s || s.isEnded) return fail('not_found', `No open gRPC call ${sid}`)
    return s.send(message)
  }

  /** Null when the call takes more messages now, else when to send the next (grpc-session.ts `writable`). */
  writable(sid: string): Promise<void> | null {
    return this.calls.get(sid)?.writable() ?? null
  }

  end(sid: string): Result<{ halfClosed: boolean }> {
    const s = this.calls.get(sid)
    if (!s || s.isEnded) return fail('not_found', `No open gRPC call ${sid}`)
    return s.end()
  }

  /** Status, headers and trailers of a call (kept for the latest KEEP_OUTCOMES calls). */
  outcome(sid: string): GrpcCallOutcome | null {
    return this.calls.get(sid)?.result ?? null
  }

  private ended(sid: string): void {
    void sid
    if (this.calls.size <= KEEP_OUTCOMES) return
    for (const [old, s] of this.calls) {
      if (this.calls.size <= KEEP_OUTCOMES) break
      if (s.isEnded) this.calls.delete(old)
    }
  }

  dispose(): void {
    this.pool.close()
    this.schemas.clear()
  }
}
