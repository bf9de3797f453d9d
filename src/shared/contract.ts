import { z } from 'zod'
import { requestSpecSchema } from './request'
import type { Result } from './result'
import type { TimelineEvent } from './timeline'
import {
  collectionCommandSchemas,
  type CollectionChangedEvent,
  type CollectionCommandResponses,
} from './collection-schemas'
import { streamCommandSchemas, type StreamCommandResponses } from './stream-schemas'
import { timelineCommandSchemas, type TimelineCommandResponses } from './timeline-schemas'
import { asyncCommandSchemas, type AsyncCommandResponses } from './async-schemas'
import { runCommandSchemas, type RunCommandResponses, type RunEventPayloads } from './run-schemas'
import { draftCommandSchemas, type DraftCommandResponses } from './draft-schemas'
import { workspaceCommandSchemas, type WorkspaceCommandResponses } from './workspace-schemas'

/**
 * The one place that names every command and event crossing a process boundary. Transports (Electron IPC,
 * the browser host's WebSocket, direct calls in tests) carry `{ name, payload }` and use these names only.
 */

export const engineSettingsSchema = z.object({
  /** Requests in flight at once across all origins. */
  globalConcurrency: z.number().int().min(1).max(10_000),
  /** Requests in flight at once to one origin (scheme://host:port). */
  perOriginConcurrency: z.number().int().min(1).max(10_000),
})
export type EngineSettings = z.infer<typeof engineSettingsSchema>

import { MAX_BODY_READ, MAX_SEND_COUNT } from './constants'

export {
  EVENT_NAMES,
  IPC_COMMAND_CHANNEL,
  IPC_EVENT_CHANNEL,
  MAX_BODY_READ,
  MAX_SEND_COUNT,
} from './constants'

export const commandSchemas = {
  'app.info': z.object({}).strict(),
  'http.send': z
    .object({
      request: requestSpecSchema,
      /** Fire this many copies at once ("Send ×N"). */
      count: z.number().int().min(1).max(MAX_SEND_COUNT).optional(),
    })
    .strict(),
  'session.cancel': z.object({ sid: z.string().min(1).max(64) }).strict(),
  'body.read': z
    .object({
      bodyId: z.string().min(1).max(64),
      offset: z.number().int().min(0),
      length: z.number().int().min(0).max(MAX_BODY_READ),
      encoding: z.enum(['utf8', 'base64']),
    })
    .strict(),
  'settings.get': z.object({}).strict(),
  'settings.set': engineSettingsSchema.partial().strict(),
  // Collections, environments, variables, import and export (issue 5).
  ...collectionCommandSchemas,
  // SSE and WebSocket sessions and their logs (issue 4).
  ...streamCommandSchemas,
  // The response viewer and HAR in and out (issue 3).
  ...timelineCommandSchemas,
  // The runner: run.start, run.cancel, run.get (issue 6).
  ...runCommandSchemas,
  // The webhook inbox, following a job, long polling (issue 6).
  ...asyncCommandSchemas,
  // The request being edited: a pasted curl in, code out.
  ...draftCommandSchemas,
  // The workspace and the timeline coming back after a reload or a restart.
  ...workspaceCommandSchemas,
} as const

export interface AppInfo {
  version: string
  host: 'electron' | 'web' | 'test' | 'cli'
  /** Wall-clock ms since the epoch at t = 0 on the engine's timeline clock. */
  clockOrigin: number
  now: number
}

export interface SendResult {
  sids: string[]
  batchId?: string
}

export interface BodyChunk {
  bodyId: string
  offset: number
  encoding: 'utf8' | 'base64'
  data: string
  /** Bytes returned (before encoding). */
  length: number
  /** Total body size in bytes. */
  total: number
}

export type CommandName = keyof typeof commandSchemas
export type CommandRequest<K extends CommandName> = z.input<(typeof commandSchemas)[K]>

export interface CommandResponses
  extends
    StreamCommandResponses,
    CollectionCommandResponses,
    TimelineCommandResponses,
    RunCommandResponses,
    AsyncCommandResponses,
    DraftCommandResponses,
    WorkspaceCommandResponses {
  'app.info': AppInfo
  'http.send': SendResult
  'session.cancel': { cancelled: boolean }
  'body.read': BodyChunk
  'settings.get': EngineSettings
  'settings.set': EngineSettings
}
export type CommandResponse<K extends CommandName> = CommandResponses[K]

export interface TimelineBatch {
  events: TimelineEvent[]
  /** Events the engine dropped under pressure since the last batch (body-progress only; never lifecycle). */
  dropped: number
}

export interface EventPayloads extends RunEventPayloads {
  'timeline.batch': TimelineBatch
  'collection.changed': CollectionChangedEvent
}
export type EventName = keyof EventPayloads
/** One event as it travels from the engine to a host and on to the renderer. */
export type HostEvent = { [E in EventName]: { name: E; payload: EventPayloads[E] } }[EventName]

export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[]

/** How a refusal names an unknown command: only something shaped like a command name is echoed (a log must
 * not repeat arbitrary text a caller sent, which could be a secret or a forged log line). */
export function describeCommandName(name: unknown): string {
  if (typeof name === 'string' && name.length <= 64 && /^[a-z][a-zA-Z]*(\.[a-zA-Z]+){1,3}$/.test(name))
    return name
  return `(a ${typeof name} that is not a command name)`
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commandSchemas, name)
}

/** The browser host's WebSocket path and its message frames. */
export const WEB_API_PATH = '/api'
export type WireMessage =
  | { kind: 'call'; id: number; name: string; payload: unknown }
  | { kind: 'reply'; id: number; result: Result<unknown> }
  | { kind: 'event'; name: EventName; payload: unknown }

/** What `window.api` offers the renderer, in every host. */
export interface FlightdeckApi {
  invoke<K extends CommandName>(name: K, payload: CommandRequest<K>): Promise<Result<CommandResponse<K>>>
  on<E extends EventName>(name: E, listener: (payload: EventPayloads[E]) => void): () => void
}
