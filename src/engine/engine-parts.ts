import { join } from 'node:path'
import type { HostEvent } from '../shared/contract'
import { ok } from '../shared/result'
import type { RequestBody } from '../shared/request'
import type { TimelineEvent } from '../shared/timeline'
import type * as EngineAuthModule from './auth/engine-auth'
import { createClock } from './clock'
import type * as CollectionHandlersModule from './collections/handlers'
import type * as CollectionManagerModule from './collections/manager'
import { testConfigDir, userConfigDir } from './config-dir'
import { EventSink } from './event-sink'
import { HttpEngine } from './http/http-engine'
import type * as AsyncHandlersModule from './jobs/async-handlers'
import { chain, OnDemand, type Maybe } from './on-demand'
import type * as RunManagerModule from './runner/run-manager'
import type * as SecretStoreModule from './secrets/secret-store'
import type { EngineServiceOptions } from './service-types'
import { SessionEnds } from './sessions/session-bodies'
import { forgetSessions, SessionRecords } from './sessions/session-records'
import { TimelineJournal } from './sessions/timeline-journal'
import type * as StreamEngineModule from './streams/stream-engine'
import type * as WebhookInboxModule from './webhooks/webhook-inbox'
import { TraceIndex } from './trace/trace-index'
import { withSentTrace } from './trace/trace-headers'

/** The modules of the parts built on demand (see `PartModuleLoaders`). */
export interface PartModules {
  streams: typeof StreamEngineModule
  collections: typeof CollectionManagerModule
  collectionHandlers: typeof CollectionHandlersModule
  secrets: typeof SecretStoreModule
  jobs: typeof AsyncHandlersModule
  runs: typeof RunManagerModule
  auth: typeof EngineAuthModule
  webhooks: typeof WebhookInboxModule
}

/**
 * How each of those modules is had: already imported (service.ts: the hosts that build every part at start, and
 * hand tests the parts themselves) or imported when its part is first needed (service-on-demand.ts: the CLI's
 * one-request `send`, which needs none of them: a plain URL is sent with no auth runner and no webhook inbox).
 */
export type PartModuleLoaders = { [K in keyof PartModules]: () => Maybe<PartModules[K]> }

/**
 * The engine's long-lived parts and how they feed each other, built once per service. Commands reach them
 * through the command table (command-table.ts); events leave through `events`, the one path every host forwards.
 * The HTTP engine and what every request uses are built at once; the collections, the stream engine, jobs and
 * the runner when first needed (`OnDemand`), which is at once when their modules are already imported.
 */
export type EngineParts = ReturnType<typeof createEngineParts>

export function createEngineParts(options: EngineServiceOptions, modules: PartModuleLoaders) {
  const clock = createClock()
  const sink = new EventSink(options.flushEveryMs ?? 25)
  const listeners = new Set<(event: HostEvent) => void>()
  let disposing = false
  const publish = (event: HostEvent): void => {
    // While the engine stops, only the timeline's last batches still go out (the closes they record).
    if (disposing && event.name !== 'timeline.batch') return
    for (const l of listeners) l(event)
  }
  sink.subscribe((payload) => publish({ name: 'timeline.batch', payload }))
  // HTTP sessions are remembered (bounded) for HAR export and "edit as new request"; see session-records.ts.
  // Without records, a run that lets its steps go as they end (table only) holds each session's end till then.
  const records = new SessionRecords()
  const keepRecords = options.httpRecords !== false
  const ends = !keepRecords && options.runResults === 'failures' ? new SessionEnds() : null
  // Every session's rows, to draw the timeline again after the page reloads (see timeline-journal.ts); the CLI
  // draws no timeline, so its journal keeps nothing. Pending live events go out before a page is taken.
  const journal = new TimelineJournal(options.host === 'cli' ? 0 : undefined, () => sink.flush())
  const emit = (e: TimelineEvent): void => {
    journal.record(e)
    sink.emit(e)
  }
  // Which request sent which trace: a webhook call carrying a trace id joins that request's lane.
  const traces = new TraceIndex()
  const httpTimeline = options.httpTimeline !== false
  const emitHttp = (e: TimelineEvent): void => {
    if (e.type === 'request-sent') traces.record(e)
    if (keepRecords) records.record(e)
    else ends?.record(e)
    if (httpTimeline) emit(e)
  }
  const http = new HttpEngine({
    clock,
    emit: emitHttp,
    // emitHttp then reads only hops' ends (ends) and traced sends (traces): a run's plain steps send lean.
    unwatched: !keepRecords && !httpTimeline,
    ...(keepRecords
      ? { onHopBody: (sid: string, body: RequestBody) => records.recordRequestBody(sid, body) }
      : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.tempDir ? { tempDir: options.tempDir } : {}),
    ...(options.memoryBodyLimit !== undefined ? { memoryBodyLimit: options.memoryBodyLimit } : {}),
  })
  // A stream's handshake names its trace as an HTTP request's does (read from the headers it went out with).
  const emitStream = (e: TimelineEvent): void => {
    if (e.type !== 'request-sent') return emit(e)
    const traced = withSentTrace(e)
    traces.record(traced)
    emit(traced)
  }
  const streams = new OnDemand(() =>
    chain(
      modules.streams(),
      (m) =>
        new m.StreamEngine({
          clock,
          emit: emitStream,
          bodies: http.bodies,
          ...(options.streamLogs ? { logs: options.streamLogs } : {}),
        }),
    ),
  )

  const configDir = options.configDir ?? (options.host === 'test' ? testConfigDir() : userConfigDir())
  // The collections and the restore of those open last time (`ready`), which commands on them wait for.
  const collections = new OnDemand(() =>
    chain(modules.collections(), (m) =>
      chain(modules.secrets(), (s) => {
        const manager = new m.CollectionManager({
          configDir,
          secrets: options.secrets ?? new s.FileSecretStore(join(configDir, 'secrets.json')),
          ...(options.watchCollections !== undefined ? { watch: options.watchCollections } : {}),
          ...(options.persistWorkspace !== undefined ? { persist: options.persistWorkspace } : {}),
          fileHost: options.host === 'cli' ? 'cli' : 'app',
        })
        const ready = manager.restore(options.collections ?? [])
        manager.onChange((payload) => publish({ name: 'collection.changed', payload }))
        return { manager, ready }
      }),
    ),
  )
  // Every part that authorizes (a saved request, a stream, a job, the runner) shares the one runner: its tokens.
  const auth = new OnDemand(() => chain(modules.auth(), (m) => m.createEngineAuth(http, options)))
  // Following jobs, long polls and the webhook inbox; runs use the same inbox (it listens only once started).
  const inbox = new OnDemand(() =>
    chain(modules.webhooks(), (m) => new m.WebhookInbox({ clock, bodies: http.bodies })),
  )
  const jobs = new OnDemand(() =>
    chain(modules.jobs(), (m) =>
      chain(modules.collectionHandlers(), (h) =>
        chain(auth.use(), (authRunner) =>
          chain(inbox.use(), (webhooks) =>
            m.createAsyncService({
              http,
              auth: authRunner,
              clock,
              inbox: webhooks,
              emit,
              traces,
              prepare: async (request, a, context, dyn, adHocTrace) => {
                const { manager, ready } = await collections.get()
                await ready
                const prepared = await h.prepareRequest(manager, request, a, context, [], dyn)
                if (!prepared.ok) return prepared
                const trace = h.tracePlanOf(manager, context, adHocTrace, traces)
                return ok({
                  ...prepared.value,
                  name: h.savedRequestName(manager, context),
                  ...(trace ? { trace } : {}),
                })
              },
            }),
          ),
        ),
      ),
    ),
  )
  const runs = new OnDemand(() =>
    chain(modules.runs(), (m) =>
      chain(collections.use(), ({ manager }) =>
        chain(streams.use(), (engine) =>
          chain(auth.use(), (authRunner) =>
            chain(
              inbox.use(),
              (webhooks) =>
                new m.RunManager({
                  http,
                  auth: authRunner,
                  collections: manager,
                  streams: { streams: engine, subscribe: (l) => sink.subscribe(l) },
                  webhooks,
                  traces,
                  emit: (payload) => publish({ name: 'run.progress', payload }),
                  scripts: { http, clock, emit },
                  ...(options.runResults ? { keep: options.runResults } : {}),
                  ...(options.runResults === 'failures'
                    ? {
                        release: (sids) =>
                          ends ? ends.forget(http.bodies, sids) : forgetSessions(records, http.bodies, sids),
                      }
                    : {}),
                }),
            ),
          ),
        ),
      ),
    ),
  )
  // Only the hosts a person looks at keep the last session (not the CLI, not tests that did not ask for it).
  const keepsLastSession =
    (options.host === 'electron' || options.host === 'web') && options.persistWorkspace !== false

  return {
    clock,
    sink,
    records,
    ends,
    journal,
    emit,
    emitHttp,
    http,
    streams,
    configDir,
    collections,
    auth,
    inbox,
    jobs,
    runs,
    traces,
    keepsLastSession,
    /** Every part at once, in the order they depend on each other (their modules must be imported already). */
    buildAll(): void {
      auth.now()
      inbox.now()
      streams.now()
      collections.now()
      jobs.now()
      runs.now()
    },
    onEvent(listener: (event: HostEvent) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async dispose(): Promise<void> {
      // A part still being built is disposed once it is, with the others; none is built after this.
      const built = [auth, inbox, streams, collections, jobs, runs]
      for (const p of built) p.close()
      // A sign-in still awaited ends now (its loopback listener closes), not at its timeout after the engine.
      auth.peek()?.cancelOAuth2SignIn('all')
      await Promise.all(built.map((p) => p.settled()))
      await runs.peek()?.dispose()
      collections.peek()?.manager.dispose()
      disposing = true
      // Closing streams emits their last events; deliver those before the sink goes.
      streams.peek()?.dispose()
      // Runs may have started the inbox without jobs ever being built.
      await (jobs.peek()?.dispose() ?? inbox.peek()?.stop())
      // After the closes above, so the kept timeline ends as the window last showed it.
      if (keepsLastSession) {
        const secrets = collections.peek()?.manager.revealedSecrets() ?? []
        await import('./workspace/last-session')
          .then(({ keepLastSession }) => keepLastSession(configDir, records, http.bodies, secrets))
          .catch((e: unknown) => console.error('[flightdeck] could not keep the last session', e))
      }
      sink.flush()
      listeners.clear()
      sink.dispose()
      await http.dispose()
    },
  }
}
