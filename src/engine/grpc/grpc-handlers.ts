import type { CommandRequest, CommandResponse } from '../../shared/contract'
import type { RequestContext } from '../../shared/collection'
import { withCollectionProtos } from '../../shared/grpc-request'
import type { GrpcSchemaSource } from '../../shared/grpc'
import type { AuthSpec } from '../../shared/collection'
import type { KeyValue, RequestSpec } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import { collectionFileScope, prepareRequest } from '../collections/handlers'
import type { CollectionManager } from '../collections/manager'
import { confinePath, NOTHING_SENT, SCHEMA_NOT_LOADED } from '../files/confine'
import { confineGrpcTls } from '../files/confine-tls'
import type { StreamEngine } from '../streams/stream-engine'
import type { GrpcEngine } from './grpc-engine'
import { grpcCallMetadata, type GrpcCallAuth } from './grpc-auth'
import type { Authorize } from '../mqtt/messaging-token'
import { grpcurlCall, grpcurlProtoArgs } from './grpc-grpcurl'
import { effectiveAuth } from '../send-rules/auth-chain'
import { authChainFor } from '../collections/handlers'
import { snippetValues } from '../exporters/snippet-values'
import { grpcEngineFor, grpcEngineIfAny } from './grpc-registry'

/**
 * The gRPC commands. The engine part (and grpc-js and protobufjs with it) is loaded on the first command, so an
 * engine that never speaks gRPC never pays for them. `{{variables}}` resolve in the target, the metadata and
 * the messages as in a request; proto paths and TLS files resolve against the request's collection folder and
 * may not leave it (as body files). The request's auth (its own or inherited) goes as metadata, as a run sends it;
 * an OAuth 2.0 token is fetched first (`authorize`: the engine's AuthRunner, whose cache HTTP sends share), and
 * dropped when the server answers UNAUTHENTICATED, so the next call fetches a fresh one (as after an HTTP 401).
 */

type Handler<K extends 'grpc.describe' | 'grpc.open' | 'grpc.grpcurl' | 'grpc.send' | 'grpc.end'> = (
  p: CommandRequest<K>,
) => Promise<Result<CommandResponse<K>>>

export interface GrpcHandlers {
  'grpc.describe': Handler<'grpc.describe'>
  'grpc.open': Handler<'grpc.open'>
  'grpc.grpcurl': Handler<'grpc.grpcurl'>
  'grpc.send': Handler<'grpc.send'>
  'grpc.end': Handler<'grpc.end'>
}

export interface GrpcHandlerDeps {
  streams: StreamEngine
  manager: CollectionManager
  ready?: Promise<void>
  /** Fetches OAuth 2.0 tokens; without it a call whose auth is OAuth 2.0 is refused. */
  authorize?: Authorize
}

/** A refusal's words for a status UNAUTHENTICATED (grpcStatusText's). */
const UNAUTHENTICATED_CODE = 16
const UNAUTHENTICATED = /\bUNAUTHENTICATED \(16\)/

export function createGrpcHandlers(deps: GrpcHandlerDeps): GrpcHandlers {
  const grpc = (): Promise<GrpcEngine> => grpcEngineFor(deps.streams)
  /**
   * Texts resolved in the request's scope (variables, `{{$uuid}}`); an unknown variable refuses, naming it. The
   * request's auth comes back as it applies: its own, else its folder's or its collection's, values resolved.
   */
  const resolve = async (
    texts: string[],
    context: RequestContext | undefined,
    auth: AuthSpec = { type: 'none' },
  ): Promise<Result<{ texts: string[]; auth: AuthSpec }>> => {
    if (auth.type === 'none' && !texts.some((t) => t.includes('{{'))) return ok({ texts, auth })
    if (deps.ready) await deps.ready
    const carrier: RequestSpec = { method: 'GET', url: '', headers: [], body: { kind: 'none' }, options: {} }
    const r = await prepareRequest(deps.manager, carrier, auth, context, texts)
    return r.ok ? ok({ texts: r.value.extra, auth: r.value.auth }) : r
  }
  /** The metadata resolved (`values` in its order), with the auth a run's gRPC step would add (grpc-auth.ts). */
  const withAuth = (metadata: KeyValue[], values: string[], auth: AuthSpec): Promise<Result<GrpcCallAuth>> =>
    grpcCallMetadata(
      metadata.map((m, i) => ({ ...m, value: values[i] ?? m.value })),
      auth,
      deps.authorize,
    )
  /** Where the request's proto paths resolve and how they are confined; `outcome` says what a refusal stops. */
  const place = (
    context: RequestContext | undefined,
    outcome: string = NOTHING_SENT,
  ): { base: string; confine?: (abs: string, what: string) => Promise<Result<string>> } => {
    const scope = collectionFileScope(deps.manager, context)
    const dir = context ? (deps.manager.get(context.dir)?.dir ?? context.dir) : process.cwd()
    return scope
      ? { base: dir, confine: (abs, what) => confinePath(abs, scope, what, outcome) }
      : { base: dir }
  }
  /** The request's schema source with its collection's `grpc:` protos filled in (its own come first). */
  const sourceIn = (schema: GrpcSchemaSource, context: RequestContext | undefined): GrpcSchemaSource => {
    const col = context ? deps.manager.get(context.dir)?.loaded.settings.grpc : undefined
    if (!col) return schema
    const own = schema.kind === 'proto' ? { proto: schema.files, importPaths: schema.importPaths } : {}
    const merged = withCollectionProtos({ method: '', ...own }, col)
    return merged.proto?.length
      ? { kind: 'proto', files: merged.proto, importPaths: merged.importPaths ?? [] }
      : schema
  }
  return {
    'grpc.describe': async (p) => {
      const texts = await resolve([p.target, ...p.metadata.map((m) => m.value)], p.context, p.auth)
      if (!texts.ok) return texts
      const [target, ...values] = texts.value.texts
      const metadata = await withAuth(p.metadata, values, texts.value.auth)
      if (!metadata.ok) return metadata
      const tls = await confineGrpcTls(p.tls, collectionFileScope(deps.manager, p.context))
      if (!tls.ok) return tls
      const g = await grpc()
      const source = sourceIn(p.schema, p.context)
      const schema = await g.schema({
        target: target ?? p.target,
        tls: tls.value,
        metadata: metadata.value.metadata,
        schema: source,
        ...place(p.context, SCHEMA_NOT_LOADED),
      })
      if (!schema.ok) {
        if (UNAUTHENTICATED.test(schema.error.message)) metadata.value.refused?.()
        return schema
      }
      // The composer says where the schema came from: here not the reflection it asked for.
      const info =
        p.schema.kind === 'reflection' && source.kind === 'proto'
          ? {
              ...schema.value.info({ types: true }),
              source: "the collection's .proto files (collection.yaml)",
            }
          : schema.value.info({ types: true })
      if (source.kind === 'proto') {
        info.protos = await grpcurlProtoArgs(source.files, source.importPaths, place(p.context).base)
      }
      if (!p.method) return ok({ ...info, notes: schema.value.notes })
      const template = g.template(schema.value, p.method)
      if (!template.ok) return template
      return ok({ ...info, notes: schema.value.notes, template: template.value })
    },
    'grpc.open': async (p) => {
      const { context, name, auth, ...spec } = p
      const n = spec.messages.length
      const texts = await resolve(
        [spec.target, ...spec.messages, ...spec.metadata.map((m) => m.value)],
        context,
        auth,
      )
      if (!texts.ok) return texts
      const t = texts.value.texts
      const metadata = await withAuth(spec.metadata, t.slice(1 + n), texts.value.auth)
      if (!metadata.ok) return metadata
      const tls = await confineGrpcTls(spec.tls, collectionFileScope(deps.manager, context))
      if (!tls.ok) return tls
      const g = await grpc()
      const opened = await g.open(
        {
          ...spec,
          tls: tls.value,
          schema: sourceIn(spec.schema, context),
          target: t[0] ?? spec.target,
          messages: t.slice(1, 1 + n),
          metadata: metadata.value.metadata,
        },
        { ...place(context), ...(name ? { name } : {}) },
      )
      const refused = metadata.value.refused
      if (!opened.ok) {
        if (refused && UNAUTHENTICATED.test(opened.error.message)) refused()
        return opened
      }
      if (refused) {
        const sid = opened.value.sid
        void deps.streams.wait(sid).then(
          () => {
            if (g.outcome(sid)?.status?.code === UNAUTHENTICATED_CODE) refused()
          },
          () => undefined,
        )
      }
      return opened
    },
    'grpc.grpcurl': async (p) => {
      if (deps.ready) await deps.ready
      // As Copy as curl: the scope's values with secrets left as their names, the auth its own or inherited.
      const vars = await deps.manager.scope(p.context, false)
      if (!vars.ok) return vars
      const auth = effectiveAuth(authChainFor(deps.manager, p.context, p.auth ?? { type: 'none' }))
      return ok(grpcurlCall(p, auth, snippetValues(vars.value)))
    },
    'grpc.send': async (p) => {
      const texts = await resolve([p.message], p.context)
      if (!texts.ok) return texts
      const engine = grpcEngineIfAny(deps.streams)
      if (!engine) return fail('not_found', `No open gRPC call ${p.sid}`)
      return engine.send(p.sid, texts.value.texts[0] ?? p.message)
    },
    'grpc.end': async (p) => {
      const engine = grpcEngineIfAny(deps.streams)
      if (!engine) return fail('not_found', `No open gRPC call ${p.sid}`)
      return engine.end(p.sid)
    },
  }
}
