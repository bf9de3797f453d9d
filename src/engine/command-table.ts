import type {
  AppInfo,
  HostCapabilities,
  CommandName,
  CommandRequest,
  CommandResponse,
} from '../shared/contract'
import { ok, type Result } from '../shared/result'
import { BodyViews } from './body-view/body-views'
import { createCollectionHandlers } from './collections/handlers'
import { createDraftHandlers } from './drafts/draft-handlers'
import type { EngineParts } from './engine-parts'
import { createGraphqlHandlers } from './graphql/graphql-handlers'
import { createGrpcHandlers } from './grpc/grpc-handlers'
import { createHarHandlers } from './har/har-handlers'
import { SendScripts } from './scripts/send-scripts'
import type { EngineServiceOptions } from './service-types'
import { messagingResolver } from './mqtt/messaging-resolve'
import { createMqttHandlers } from './mqtt/mqtt-handlers'
import { createTimelineHandlers } from './sessions/timeline-handlers'
import { createSocketIoHandlers } from './socketio/socketio-handlers'
import { createStreamOpenHandlers } from './streams/stream-open'
import { VERSION } from './version'
import { createWorkspaceHandlers } from './workspace/workspace-handlers'
import { openExternal } from './hosts/open-external'

/** One handler per command of the contract: the compiler refuses a table that misses one. */
export type CommandTable = {
  [K in CommandName]: (payload: CommandRequest<K>) => Promise<Result<CommandResponse<K>>>
}

/** The contract's commands, each bound to the engine part that does the work. */
export function createCommandTable(parts: EngineParts, options: EngineServiceOptions): CommandTable {
  const { clock, http, streams, collections, collectionsReady: ready, auth, jobs, runs } = parts
  const har = createHarHandlers({
    records: parts.records,
    bodies: http.bodies,
    clock,
    emit: parts.emitHttp,
    secretValues: () => collections.revealedSecrets(),
  })
  const capabilities: HostCapabilities = {
    nativeDialogs: Boolean(options.pickFolder && options.pickFile && options.pickSavePath),
    downloads: options.capabilities?.downloads ?? false,
    keychain: options.capabilities?.keychain ?? false,
    lastSessionOffer: parts.keepsLastSession,
    openExternal: options.openExternal !== undefined,
  }
  const resolveTarget = messagingResolver(collections, ready)
  const info = (): AppInfo => ({
    capabilities,
    version: VERSION,
    host: options.host,
    clockOrigin: clock.origin,
    now: clock.now(),
  })
  return {
    'app.info': async () => ok(info()),
    'app.openExternal': (p) => openExternal(options.openExternal, p.url),
    'http.send': async (p) => http.send(p.request, p.count ?? 1, p.trace ? { trace: {} } : undefined),
    'session.cancel': async (p) =>
      ok({ cancelled: jobs.cancel(p.sid) || http.cancel(p.sid) || streams.close(p.sid) }),
    'body.read': async (p) => http.bodies.read(p.bodyId, p.offset, p.length, p.encoding),
    'settings.get': async () => ok(http.getSettings()),
    'settings.set': async (p) => ok(http.setSettings(p)),
    ...createCollectionHandlers({
      manager: collections,
      auth,
      ready,
      webhookValues: () => jobs.webhookValues(),
      traces: parts.traces,
      scripts: new SendScripts({ http, clock, emit: parts.emit }),
      ...(options.pickFolder ? { pickFolder: options.pickFolder } : {}),
      ...(options.importer ? { importer: options.importer } : {}),
      ...(options.exporter ? { exporter: options.exporter } : {}),
    }),
    ...createDraftHandlers(collections, ready, options.pickFile ? { pickFile: options.pickFile } : {}),
    ...createWorkspaceHandlers({
      configDir: parts.configDir,
      journal: parts.journal,
      importHar: async (text, name) => {
        const r = await har['har.import']({ text, name })
        return r.ok ? ok({ sids: r.value.sids, skipped: r.value.skipped.length }) : r
      },
    }),
    // Stream opens resolve variables and auth as request.send does; ws.send resolves a saved message's.
    ...createStreamOpenHandlers({ manager: collections, auth, streams, ready }),
    'ws.ping': async (p) => streams.ping(p),
    'ws.close': async (p) => streams.closeWs(p),
    'stream.read': (p) => streams.readSliced(p),
    'stream.data': async (p) => streams.data(p),
    ...createMqttHandlers(streams, resolveTarget),
    ...createGrpcHandlers({ streams, manager: collections, ready }),
    ...createSocketIoHandlers(streams, resolveTarget),
    ...createTimelineHandlers({
      bodies: http.bodies,
      views: new BodyViews(http.bodies),
      ...(options.pickSavePath ? { pickSavePath: options.pickSavePath } : {}),
      har,
    }),
    'run.start': async (p) => {
      await ready
      return runs.start(p)
    },
    'run.cancel': async (p) => ok(runs.cancel(p.runId)),
    'run.get': async (p) => runs.get(p.runId),
    ...createGraphqlHandlers({ manager: collections, auth, http, streams, emit: parts.emit, ready }),
    ...jobs.handlers,
  }
}
