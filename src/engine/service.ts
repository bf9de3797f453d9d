import * as auth from './auth/engine-auth'
import * as collectionHandlers from './collections/handlers'
import * as collections from './collections/manager'
import { createEngineParts, type PartModuleLoaders } from './engine-parts'
import * as jobs from './jobs/async-handlers'
import * as runs from './runner/run-manager'
import * as secrets from './secrets/secret-store'
import { serviceOver } from './service-commands'
import type { EngineService, EngineServiceOptions } from './service-types'
import * as streams from './streams/stream-engine'
import * as webhooks from './webhooks/webhook-inbox'

export type { CliHooks, CommandService, EngineService, EngineServiceOptions } from './service-types'

/** Every part's module, imported with this one: each part is built when the service is. */
const IMPORTED: PartModuleLoaders = {
  streams: () => streams,
  collections: () => collections,
  collectionHandlers: () => collectionHandlers,
  secrets: () => secrets,
  jobs: () => jobs,
  runs: () => runs,
  auth: () => auth,
  webhooks: () => webhooks,
}

/**
 * The engine as the desktop app, the browser host, the CLI's session commands and tests have it: every part built
 * at once (the collections restored, their folders watched), and handed out for the engine's own tests. Each
 * domain's command handlers are still imported on first use (command-table.ts). Wiring only: the parts are built
 * in engine-parts.ts, the commands and hooks in service-commands.ts.
 */
export function createEngineService(options: EngineServiceOptions): EngineService {
  const parts = createEngineParts(options, IMPORTED)
  parts.buildAll()
  return {
    ...serviceOver(parts, options),
    clock: parts.clock,
    http: parts.http,
    collections: parts.collections.now().manager,
    auth: parts.auth.now(),
    streams: parts.streams.now(),
    runs: parts.runs.now(),
  }
}
