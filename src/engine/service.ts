import {
  commandSchemas,
  describeCommandName,
  isCommandName,
  type AppInfo,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type CommandResponses,
  type EngineSettings,
  type TimelineBatch,
} from '../shared/contract'
import { fail, ok, type Result } from '../shared/result'
import { createClock, type Clock } from './clock'
import { EventSink } from './event-sink'
import { HttpEngine } from './http/http-engine'
import { BodyViews } from './body-view/body-views'
import { createHarHandlers } from './har/har-handlers'
import { SessionRecords } from './sessions/session-records'
import type { TimelineEvent } from '../shared/timeline'
import { createTimelineHandlers, openBodySource, type BodySource } from './sessions/timeline-handlers'
import { StreamEngine } from './streams/stream-engine'
import { createStreamOpenHandlers } from './streams/stream-open'
import { VERSION } from './version'
import { join } from 'node:path'
import type { EventName } from '../shared/contract'
import { AuthRunner } from './auth/auth-runner'
import { createCollectionHandlers, type CollectionHandlerDeps } from './collections/handlers'
import { CollectionManager } from './collections/manager'
import { userConfigDir } from './config-dir'
import { FileSecretStore, type SecretStore } from './secrets/secret-store'
import { createAsyncService } from './jobs/async-handlers'
import { WebhookInbox } from './webhooks/webhook-inbox'
import { prepareRequest, savedRequestName } from './collections/handlers'
import { RunManager } from './runner/run-manager'
import { createDraftHandlers } from './drafts/draft-handlers'
import { TimelineJournal } from './sessions/timeline-journal'
import { createWorkspaceHandlers } from './workspace/workspace-handlers'
import { keepLastSession } from './workspace/last-session'

export interface EngineServiceOptions {
  host: AppInfo['host']
  /** How often the timeline sink flushes a batch to subscribers. */
  flushEveryMs?: number
  settings?: Partial<EngineSettings>
  /** Where bodies too large for memory spill to. Defaults to the OS temp dir. */
  tempDir?: string
  /** Bodies up to this many bytes stay in memory; larger ones spill to a temp file. */
  memoryBodyLimit?: number
  /** The user's config folder: recent collections, globals, the file secret store (default: per OS). */
  configDir?: string
  /** Where secret variables live (default: a 0600 file in the config folder; the desktop app passes safeStorage). */
  secrets?: SecretStore
  /** A native folder picker for `collection.pick` (desktop app only). */
  pickFolder?: () => Promise<string | null>
  /** A native "open file" dialog for a body file (`draft.pickFile`; desktop app only). */
  pickFile?: () => Promise<string | null>
  /** A native save dialog for `body.save` without a path (desktop app only). */
  pickSavePath?: (suggestedName: string) => Promise<string | null>
  /** Collection folders to open at start, besides those open last time. */
  collections?: readonly string[]
  /** Watch collection folders for outside edits (default true). */
  watchCollections?: boolean
  /**
   * Remember open/recent collections across launches (default true); in the desktop app and the browser host
   * it also keeps the last session's timeline as a HAR in the config dir when the engine stops.
   */
  persistWorkspace?: boolean
  /** Import and export (wired by the hosts that offer them). */
  importer?: CollectionHandlerDeps['importer']
  exporter?: CollectionHandlerDeps['exporter']
}

/**
 * The transport-free service that implements the contract's commands. Electron IPC, the browser host's
 * WebSocket and tests all call `call()` (untrusted payloads, validated here) or `invoke()` (typed).
 */
export interface EngineService {
  readonly clock: Clock
  call(name: unknown, payload: unknown): Promise<Result<unknown>>
  invoke<K extends CommandName>(name: K, payload: CommandRequest<K>): Promise<Result<CommandResponse<K>>>
  subscribe(listener: (batch: TimelineBatch) => void): () => void
  /** Flush the pending timeline batch now (tests and the CLI use this before reading results). */
  flush(): void
  readonly http: HttpEngine
  readonly collections: CollectionManager
  readonly auth: AuthRunner
  /** Events other than timeline batches (`collection.changed`), for the transports to forward. */
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void
  /** SSE and WebSocket sessions and their logs. */
  readonly streams: StreamEngine
  /** Collection runs (`run.*`); the CLI waits on a run's full report here. */
  readonly runs: RunManager
  /** A finished body by id, for hosts that stream it out (the browser host's download route). */
  openBody(bodyId: string): BodySource | null
  dispose(): Promise<void>
}

type Handlers = { [K in CommandName]: (payload: CommandRequest<K>) => Promise<Result<CommandResponses[K]>> }

export function createEngineService(options: EngineServiceOptions): EngineService {
  const clock = createClock()
  const sink = new EventSink(options.flushEveryMs ?? 25)
  // HTTP sessions are remembered (bounded) for HAR export and "edit as new request"; see session-records.ts.
  const records = new SessionRecords()
  // Every session's rows, to draw the timeline again after the page reloads (see timeline-journal.ts).
  const journal = new TimelineJournal()
  const emit = (e: TimelineEvent): void => {
    journal.record(e)
    sink.emit(e)
  }
  const emitHttp = (e: TimelineEvent): void => {
    records.record(e)
    emit(e)
  }
  const http = new HttpEngine({
    clock,
    emit: emitHttp,
    onHopBody: (sid, body) => records.recordRequestBody(sid, body),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.tempDir ? { tempDir: options.tempDir } : {}),
    ...(options.memoryBodyLimit !== undefined ? { memoryBodyLimit: options.memoryBodyLimit } : {}),
  })

  const streams = new StreamEngine({ clock, emit, bodies: http.bodies })

  const configDir = options.configDir ?? userConfigDir()
  const collections = new CollectionManager({
    configDir,
    secrets: options.secrets ?? new FileSecretStore(join(configDir, 'secrets.json')),
    ...(options.watchCollections !== undefined ? { watch: options.watchCollections } : {}),
    ...(options.persistWorkspace !== undefined ? { persist: options.persistWorkspace } : {}),
    fileHost: options.host === 'cli' ? 'cli' : 'app',
  })
  const collectionsReady = collections.restore(options.collections ?? [])
  const auth = new AuthRunner(http)
  // Following jobs, long polls and the webhook inbox (issue 6); runs use the same inbox.
  const inbox = new WebhookInbox({ clock, bodies: http.bodies })
  const asyncService = createAsyncService({
    http,
    auth,
    clock,
    inbox,
    emit,
    prepare: async (request, a, context, dyn) => {
      await collectionsReady
      const prepared = await prepareRequest(collections, request, a, context, [], dyn)
      return prepared.ok ? ok({ ...prepared.value, name: savedRequestName(collections, context) }) : prepared
    },
  })
  const collectionHandlers = createCollectionHandlers({
    manager: collections,
    auth,
    ready: collectionsReady,
    webhookValues: () => asyncService.webhookValues(),
    ...(options.pickFolder ? { pickFolder: options.pickFolder } : {}),
    ...(options.importer ? { importer: options.importer } : {}),
    ...(options.exporter ? { exporter: options.exporter } : {}),
  })
  const bodyViews = new BodyViews(http.bodies)
  const harHandlers = createHarHandlers({
    records,
    bodies: http.bodies,
    clock,
    emit: emitHttp,
    secretValues: () => collections.revealedSecrets(),
  })
  const timelineHandlers = createTimelineHandlers({
    bodies: http.bodies,
    views: bodyViews,
    ...(options.pickSavePath ? { pickSavePath: options.pickSavePath } : {}),
    har: harHandlers,
  })
  const workspaceHandlers = createWorkspaceHandlers({
    configDir,
    journal,
    importHar: async (text, name) => {
      const r = await harHandlers['har.import']({ text, name })
      return r.ok ? ok({ sids: r.value.sids, skipped: r.value.skipped.length }) : r
    },
  })
  // Only the hosts a person looks at keep it (not the CLI, not tests that did not ask for it).
  const keepsLastSession =
    (options.host === 'electron' || options.host === 'web') && options.persistWorkspace !== false
  const eventListeners = new Set<(name: EventName, payload: unknown) => void>()
  collections.onChange((change) => {
    for (const l of eventListeners) l('collection.changed', change)
  })
  const runs = new RunManager({
    http,
    auth,
    collections,
    streams: { streams, subscribe: (l) => sink.subscribe(l) },
    webhooks: inbox,
    emit: (progress) => {
      for (const l of eventListeners) l('run.progress', progress)
    },
  })

  const handlers: Handlers = {
    'app.info': async () =>
      ok({ version: VERSION, host: options.host, clockOrigin: clock.origin, now: clock.now() }),
    'http.send': async (p) => http.send(p.request, p.count ?? 1),
    'session.cancel': async (p) =>
      ok({ cancelled: asyncService.cancel(p.sid) || http.cancel(p.sid) || streams.close(p.sid) }),
    'body.read': async (p) => http.bodies.read(p.bodyId, p.offset, p.length, p.encoding),
    'settings.get': async () => ok(http.getSettings()),
    'settings.set': async (p) => ok(http.setSettings(p)),
    ...collectionHandlers,
    ...createDraftHandlers(
      collections,
      collectionsReady,
      options.pickFile ? { pickFile: options.pickFile } : {},
    ),
    ...workspaceHandlers,
    // Stream opens resolve variables and auth as request.send does; ws.send resolves a saved message's.
    ...createStreamOpenHandlers({ manager: collections, auth, streams, ready: collectionsReady }),
    'ws.ping': async (p) => streams.ping(p),
    'ws.close': async (p) => streams.closeWs(p),
    'stream.read': async (p) => streams.read(p),
    'stream.data': async (p) => streams.data(p),
    ...timelineHandlers,
    'run.start': async (p) => {
      await collectionsReady
      return runs.start(p)
    },
    'run.cancel': async (p) => ok(runs.cancel(p.runId)),
    'run.get': async (p) => runs.get(p.runId),
    ...asyncService.handlers,
  }

  async function invoke<K extends CommandName>(
    name: K,
    payload: CommandRequest<K>,
  ): Promise<Result<CommandResponse<K>>> {
    return call(name, payload) as Promise<Result<CommandResponse<K>>>
  }

  async function call(name: unknown, payload: unknown): Promise<Result<unknown>> {
    if (!isCommandName(name)) return fail('unknown_command', `Unknown command: ${describeCommandName(name)}`)
    const parsed = commandSchemas[name].safeParse(payload)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
      return fail('bad_payload', `Invalid ${name} payload${where}: ${issue?.message ?? 'malformed'}`)
    }
    try {
      const handler = handlers[name] as (p: unknown) => Promise<Result<unknown>>
      return await handler(parsed.data)
    } catch (e) {
      return fail('internal', `Internal error in ${name}`, e instanceof Error ? e.message : String(e))
    }
  }

  return {
    clock,
    call,
    invoke,
    subscribe: (l) => sink.subscribe(l),
    collections,
    auth,
    onEvent: (l) => {
      eventListeners.add(l)
      return () => eventListeners.delete(l)
    },
    flush: () => sink.flush(),
    http,
    openBody: (bodyId) => openBodySource(http.bodies, bodyId),
    streams,
    runs,
    dispose: async () => {
      await runs.dispose()
      collections.dispose()
      eventListeners.clear()
      // Closing streams emits their last events; deliver those before the sink goes.
      streams.dispose()
      await asyncService.dispose()
      // After the closes above, so the kept timeline ends as the window last showed it.
      if (keepsLastSession)
        await keepLastSession(configDir, records, http.bodies, collections.revealedSecrets()).catch(
          (e: unknown) => console.error('[flightdeck] could not keep the last session', e),
        )
      sink.flush()
      sink.dispose()
      await http.dispose()
    },
  }
}
