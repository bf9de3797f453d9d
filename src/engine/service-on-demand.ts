import { createEngineParts, type PartModuleLoaders } from './engine-parts'
import { serviceOver } from './service-commands'
import type { CommandService, EngineServiceOptions } from './service-types'

/** Each part's module, imported when the part is first needed. */
const ON_DEMAND: PartModuleLoaders = {
  streams: () => import('./streams/stream-engine'),
  collections: () => import('./collections/manager'),
  collectionHandlers: () => import('./collections/handlers'),
  secrets: () => import('./secrets/secret-store'),
  jobs: () => import('./jobs/async-handlers'),
  runs: () => import('./runner/run-manager'),
  auth: () => import('./auth/engine-auth'),
  webhooks: () => import('./webhooks/webhook-inbox'),
}

/**
 * The engine for a one-shot command (`flightdeck send`): the same commands, events and hooks as
 * `createEngineService`, but the collections, the stream engine, jobs and the runner are imported and built on
 * the first command that needs them. A plain `send <url>` needs none: importing them (the YAML parsers, every
 * stream protocol, the runner and its scripts) and restoring the collections was a third of its start-up.
 */
export function createOnDemandService(options: EngineServiceOptions): CommandService {
  return serviceOver(createEngineParts(options, ON_DEMAND), options)
}
