import { join } from 'node:path'
import type { HostEvent } from '../shared/contract'
import { ok } from '../shared/result'
import type { TimelineEvent } from '../shared/timeline'
import { AuthRunner } from './auth/auth-runner'
import { createClock } from './clock'
import { prepareRequest, savedRequestName, tracePlanOf } from './collections/handlers'
import { CollectionManager } from './collections/manager'
import { testConfigDir, userConfigDir } from './config-dir'
import { EventSink } from './event-sink'
import { HttpEngine } from './http/http-engine'
import { createAsyncService } from './jobs/async-handlers'
import { RunManager } from './runner/run-manager'
import { FileSecretStore } from './secrets/secret-store'
import type { EngineServiceOptions } from './service-types'
import { SessionRecords } from './sessions/session-records'
import { TimelineJournal } from './sessions/timeline-journal'
import { StreamEngine } from './streams/stream-engine'
import { WebhookInbox } from './webhooks/webhook-inbox'
import { keepLastSession } from './workspace/last-session'
import { TraceIndex } from './trace/trace-index'
import { withSentTrace } from './trace/trace-headers'

/**
 * The engine's long-lived parts and how they feed each other, built once per service. Commands reach them
 * through the command table (command-table.ts); events leave through `events`, the one path every host forwards.
 */
export type EngineParts = ReturnType<typeof createEngineParts>

export function createEngineParts(options: EngineServiceOptions) {
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
  const records = new SessionRecords()
  // Every session's rows, to draw the timeline again after the page reloads (see timeline-journal.ts).
  const journal = new TimelineJournal()
  const emit = (e: TimelineEvent): void => {
    journal.record(e)
    sink.emit(e)
  }
  // Which request sent which trace: a webhook call carrying a trace id joins that request's lane.
  const traces = new TraceIndex()
  const emitHttp = (e: TimelineEvent): void => {
    if (e.type === 'request-sent') traces.record(e)
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
  // A stream's handshake names its trace as an HTTP request's does (read from the headers it went out with).
  const emitStream = (e: TimelineEvent): void => {
    if (e.type !== 'request-sent') return emit(e)
    const traced = withSentTrace(e)
    traces.record(traced)
    emit(traced)
  }
  const streams = new StreamEngine({ clock, emit: emitStream, bodies: http.bodies })

  const configDir = options.configDir ?? (options.host === 'test' ? testConfigDir() : userConfigDir())
  const collections = new CollectionManager({
    configDir,
    secrets: options.secrets ?? new FileSecretStore(join(configDir, 'secrets.json')),
    ...(options.watchCollections !== undefined ? { watch: options.watchCollections } : {}),
    ...(options.persistWorkspace !== undefined ? { persist: options.persistWorkspace } : {}),
    fileHost: options.host === 'cli' ? 'cli' : 'app',
  })
  const collectionsReady = collections.restore(options.collections ?? [])
  collections.onChange((payload) => publish({ name: 'collection.changed', payload }))
  const auth = new AuthRunner(http)
  // Following jobs, long polls and the webhook inbox; runs use the same inbox.
  const inbox = new WebhookInbox({ clock, bodies: http.bodies })
  const jobs = createAsyncService({
    http,
    auth,
    clock,
    inbox,
    emit,
    traces,
    prepare: async (request, a, context, dyn, adHocTrace) => {
      await collectionsReady
      const prepared = await prepareRequest(collections, request, a, context, [], dyn)
      if (!prepared.ok) return prepared
      const trace = tracePlanOf(collections, context, adHocTrace, traces)
      return ok({
        ...prepared.value,
        name: savedRequestName(collections, context),
        ...(trace ? { trace } : {}),
      })
    },
  })
  const runs = new RunManager({
    http,
    auth,
    collections,
    streams: { streams, subscribe: (l) => sink.subscribe(l) },
    webhooks: inbox,
    traces,
    emit: (payload) => publish({ name: 'run.progress', payload }),
    scripts: { http, clock, emit },
  })
  // Only the hosts a person looks at keep the last session (not the CLI, not tests that did not ask for it).
  const keepsLastSession =
    (options.host === 'electron' || options.host === 'web') && options.persistWorkspace !== false

  return {
    clock,
    sink,
    records,
    journal,
    emit,
    emitHttp,
    http,
    streams,
    configDir,
    collections,
    collectionsReady,
    auth,
    inbox,
    jobs,
    runs,
    traces,
    keepsLastSession,
    onEvent(listener: (event: HostEvent) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async dispose(): Promise<void> {
      await runs.dispose()
      collections.dispose()
      disposing = true
      // Closing streams emits their last events; deliver those before the sink goes.
      streams.dispose()
      await jobs.dispose()
      // After the closes above, so the kept timeline ends as the window last showed it.
      if (keepsLastSession)
        await keepLastSession(configDir, records, http.bodies, collections.revealedSecrets()).catch(
          (e: unknown) => console.error('[flightdeck] could not keep the last session', e),
        )
      sink.flush()
      listeners.clear()
      sink.dispose()
      await http.dispose()
    },
  }
}
