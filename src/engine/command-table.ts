import type {
  AppInfo,
  HostCapabilities,
  CommandName,
  CommandRequest,
  CommandResponse,
} from '../shared/contract'
import { ok, type Result } from '../shared/result'
import type { EngineParts } from './engine-parts'
import { onFirstCall } from './command-groups'
import type { EngineServiceOptions } from './service-types'
import { VERSION } from './version'
import { webhookValues } from './webhooks/webhook-values'
import { openExternal } from './hosts/open-external'

/** One handler per command of the contract: the compiler refuses a table that misses one. */
export type CommandTable = {
  [K in CommandName]: (payload: CommandRequest<K>) => Promise<Result<CommandResponse<K>>>
}

/**
 * The contract's commands, each bound to the engine part that does the work. The app's, sending and reading
 * bodies are bound here; every other domain's handlers (collections, streams, each protocol, HAR, jobs, the
 * runner) are imported and built on the first call of one of their commands (`onFirstCall`), with the parts
 * they need: a one-request `send` loads none of them. The names each group answers are listed with it, and
 * the compiler checks the list against both the contract and what the group's module builds.
 */
export function createCommandTable(parts: EngineParts, options: EngineServiceOptions): CommandTable {
  const { clock, http, streams, collections, jobs, runs } = parts
  // The auth runner and the webhook inbox are parts built on first need, as every handler using them is.
  const { auth, inbox } = parts
  const capabilities: HostCapabilities = {
    nativeDialogs: Boolean(options.pickFolder && options.pickFile && options.pickSavePath),
    downloads: options.capabilities?.downloads ?? false,
    keychain: options.capabilities?.keychain ?? false,
    lastSessionOffer: parts.keepsLastSession,
    openExternal: options.openExternal !== undefined,
  }
  const info = (): AppInfo => ({
    capabilities,
    version: VERSION,
    host: options.host,
    clockOrigin: clock.origin,
    now: clock.now(),
  })
  // HAR is both its own commands and the workspace's "open the last session".
  const har = onFirstCall(['har.export', 'har.import', 'session.request', 'session.snippet'], async () => {
    const { createHarHandlers } = await import('./har/har-handlers')
    return createHarHandlers({
      records: parts.records,
      bodies: http.bodies,
      clock,
      emit: parts.emitHttp,
      secretValues: () => collections.peek()?.manager.revealedSecrets() ?? [],
    })
  })
  // Variables in an MQTT or Socket.IO URL and headers resolve as a request's do.
  const messaging = async () => {
    const [{ messagingResolver }, { messagingTokens }, { manager, ready }, engine, runner] =
      await Promise.all([
        import('./mqtt/messaging-resolve'),
        import('./mqtt/messaging-token'),
        collections.get(),
        streams.get(),
        auth.get(),
      ])
    return {
      resolve: messagingResolver(manager, ready),
      tokens: messagingTokens(manager, runner, ready),
      engine,
    }
  }
  return {
    'app.info': async () => ok(info()),
    'app.openExternal': (p) => openExternal(options.openExternal, p.url),
    'http.send': async (p) => http.send(p.request, p.count ?? 1, p.trace ? { trace: {} } : undefined),
    // A part not yet built has no session to cancel.
    'session.cancel': async (p) =>
      ok({
        cancelled:
          jobs.peek()?.cancel(p.sid) === true || http.cancel(p.sid) || streams.peek()?.close(p.sid) === true,
      }),
    'body.read': async (p) => http.bodies.read(p.bodyId, p.offset, p.length, p.encoding),
    'settings.get': async () => ok(http.getSettings()),
    'settings.set': async (p) => ok(http.setSettings(p)),
    ...onFirstCall(
      [
        'collection.list',
        'collection.open',
        'collection.close',
        'collection.pick',
        'collection.read',
        'collection.save',
        'collection.createRequest',
        'collection.createFolder',
        'collection.rename',
        'collection.duplicate',
        'collection.move',
        'collection.delete',
        'collection.saveFolder',
        'environment.save',
        'environment.delete',
        'environment.select',
        'globals.get',
        'globals.save',
        'files.allowed',
        'files.allow',
        'files.forget',
        'variables.list',
        'request.send',
        'import.run',
        'export.collection',
        'export.request',
      ],
      async () => {
        const [{ createCollectionHandlers }, { SendScripts }, { manager, ready }, runner, webhooks] =
          await Promise.all([
            import('./collections/handlers'),
            import('./scripts/send-scripts'),
            collections.get(),
            auth.get(),
            inbox.get(),
          ])
        return createCollectionHandlers({
          manager,
          auth: runner,
          ready,
          webhookValues: () => webhookValues(webhooks),
          traces: parts.traces,
          scripts: new SendScripts({
            http,
            clock,
            emit: parts.emit,
          }),
          ...(options.pickFolder ? { pickFolder: options.pickFolder } : {}),
          ...(options.importer ? { importer: options.importer } : {}),
          ...(options.exporter ? { exporter: options.exporter } : {}),
        })
      },
    ),
    ...onFirstCall(['oauth2.token', 'oauth2.cancelSignIn'], async () => {
      const [{ createOAuth2TokenHandler }, { manager, ready }, runner] = await Promise.all([
        import('./auth/oauth2-token-command'),
        collections.get(),
        auth.get(),
      ])
      return createOAuth2TokenHandler({ manager, auth: runner, ready })
    }),
    ...onFirstCall(['draft.fromCurl', 'draft.snippet', 'draft.completePath', 'draft.pickFile'], async () => {
      const [{ createDraftHandlers }, { manager, ready }] = await Promise.all([
        import('./drafts/draft-handlers'),
        collections.get(),
      ])
      return createDraftHandlers(manager, ready, options.pickFile ? { pickFile: options.pickFile } : {})
    }),
    ...onFirstCall(
      ['workspace.get', 'workspace.save', 'workspace.openLastSession', 'timeline.replay', 'timeline.forget'],
      async () => {
        const { createWorkspaceHandlers } = await import('./workspace/workspace-handlers')
        return createWorkspaceHandlers({
          configDir: parts.configDir,
          journal: parts.journal,
          importHar: async (text, name) => {
            const r = await har['har.import']({ text, name })
            return r.ok ? ok({ sids: r.value.sids, skipped: r.value.skipped.length }) : r
          },
        })
      },
    ),
    // Stream opens resolve variables and auth as request.send does; ws.send resolves a saved message's.
    ...onFirstCall(['sse.open', 'ws.open', 'ws.send'], async () => {
      const [{ createStreamOpenHandlers }, { manager, ready }, engine, runner] = await Promise.all([
        import('./streams/stream-open'),
        collections.get(),
        streams.get(),
        auth.get(),
      ])
      return createStreamOpenHandlers({ manager, auth: runner, streams: engine, ready })
    }),
    ...onFirstCall(['ws.ping', 'ws.close', 'stream.read', 'stream.data'], async () => {
      const engine = await streams.get()
      return {
        'ws.ping': async (p) => engine.ping(p),
        'ws.close': async (p) => engine.closeWs(p),
        'stream.read': (p) => engine.readSliced(p),
        'stream.data': async (p) => engine.data(p),
      }
    }),
    ...onFirstCall(['mqtt.open', 'mqtt.publish', 'mqtt.subscribe', 'mqtt.unsubscribe'], async () => {
      const [{ createMqttHandlers }, { resolve, tokens, engine }] = await Promise.all([
        import('./mqtt/mqtt-handlers'),
        messaging(),
      ])
      return createMqttHandlers(engine, resolve, tokens)
    }),
    ...onFirstCall(['grpc.describe', 'grpc.open', 'grpc.grpcurl', 'grpc.send', 'grpc.end'], async () => {
      const [{ createGrpcHandlers }, { manager, ready }, engine, runner] = await Promise.all([
        import('./grpc/grpc-handlers'),
        collections.get(),
        streams.get(),
        auth.get(),
      ])
      return createGrpcHandlers({
        streams: engine,
        manager,
        ready,
        authorize: (s, a, k) => runner.authorize(s, a, k),
      })
    }),
    ...onFirstCall(['socketio.open', 'socketio.emit'], async () => {
      const [{ createSocketIoHandlers }, { resolve, tokens, engine }] = await Promise.all([
        import('./socketio/socketio-handlers'),
        messaging(),
      ])
      return createSocketIoHandlers(engine, resolve, tokens)
    }),
    ...onFirstCall(
      [
        'body.lines',
        'body.search',
        'body.save',
        'har.export',
        'har.import',
        'session.request',
        'session.snippet',
      ],
      async () => {
        const [{ createTimelineHandlers }, { BodyViews }] = await Promise.all([
          import('./sessions/timeline-handlers'),
          import('./body-view/body-views'),
        ])
        return createTimelineHandlers({
          bodies: http.bodies,
          views: new BodyViews(http.bodies),
          ...(options.pickSavePath ? { pickSavePath: options.pickSavePath } : {}),
          har,
        })
      },
    ),
    ...onFirstCall(['run.start', 'run.cancel', 'run.get'], async () => {
      const [manager, { ready }] = await Promise.all([runs.get(), collections.get()])
      return {
        'run.start': async (p) => {
          await ready
          return manager.start(p)
        },
        'run.cancel': async (p) => ok(manager.cancel(p.runId)),
        'run.get': async (p) => manager.get(p.runId),
      }
    }),
    ...onFirstCall(['graphql.send', 'graphql.schemaFile'], async () => {
      const [{ createGraphqlHandlers }, { manager, ready }, engine, runner] = await Promise.all([
        import('./graphql/graphql-handlers'),
        collections.get(),
        streams.get(),
        auth.get(),
      ])
      return createGraphqlHandlers({ manager, auth: runner, http, streams: engine, emit: parts.emit, ready })
    }),
    ...onFirstCall(
      ['webhook.start', 'webhook.stop', 'webhook.status', 'job.follow', 'request.longPoll'],
      async () => (await jobs.get()).handlers,
    ),
  }
}
