import { z } from 'zod'
import type { CollectionInfo, SavedRequest, ScopedVariable, Variable } from './collection'
import type {
  BodyLines,
  BodySearchResult,
  HarExportResult,
  HarImportResult,
  SessionRequest,
} from './body-view'
import { MAX_BODY_READ, MAX_SEND_COUNT } from './constants'
import { requestSpecSchema } from './request'
import type { Result } from './result'
import type { StreamData, StreamPage } from './streams'
import type { TimelineEvent } from './timeline'
import * as collection from './collection-schemas'
import type { CollectionChangedEvent, ImportReport } from './collection-schemas'
import * as draft from './draft-schemas'
import type { GraphqlTransport, PickedOperation } from './graphql'
import * as graphql from './graphql-schemas'
import type { GrpcMethodInfo, GrpcSchemaInfo, GrpcurlCall } from './grpc'
import * as grpc from './grpc-schemas'
import * as job from './async-schemas'
import type { WebhookStatus } from './async-schemas'
import * as run from './run-schemas'
import type { RunProgressEvent, RunSnapshot, RunWebhookInbox } from './run-schemas'
import * as stream from './stream-schemas'
import * as mqtt from './mqtt'
import * as socketio from './socketio'
import * as timeline from './timeline-schemas'
import * as workspace from './workspace-schemas'
import type { TimelineReplayPage, WorkspaceGetResult } from './workspace-schemas'
import { lazySchema } from './lazy-schema'

/**
 * The one place that names every command and every event crossing a process boundary. `Commands` maps each
 * command to the schema its payload must pass and the type it answers with; `Events` maps each event the hosts
 * push to its payload's type. Everything else is derived from these two maps: the engine's command table must
 * implement every name (command-table.ts), the dispatcher validates with these schemas, the hosts' allow-lists
 * and the renderer's client take their names from here. The per-domain `*-schemas.ts` files beside this one hold
 * payload schemas only. Transports (Electron IPC, the browser host's WebSocket, direct calls in tests) carry
 * `{ name, payload }` and use these names only.
 */

export { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL, MAX_BODY_READ, MAX_SEND_COUNT } from './constants'

/** A command's reply type. Only the type matters; at run time every entry holds the same empty marker. */
export interface Reply<T> {
  readonly reply?: () => T
}
const REPLY: Reply<unknown> = Object.freeze({})
function reply<T>(): Reply<T> {
  return REPLY as Reply<T>
}
type CommandGroup = Record<string, readonly [z.ZodTypeAny, Reply<unknown>]>

export const engineSettingsSchema = lazySchema(() =>
  z.object({
    /** Requests in flight at once across all origins. */
    globalConcurrency: z.number().int().min(1).max(10_000),
    /** Requests in flight at once to one origin (scheme://host:port). */
    perOriginConcurrency: z.number().int().min(1).max(10_000),
  }),
)
export type EngineSettings = z.infer<typeof engineSettingsSchema>

/** What the host this engine runs in can do. The renderer asks these, never which host it is. */
export interface HostCapabilities {
  /** The system's open-folder, open-file and save-as dialogs (`collection.pick`, `draft.pickFile`, `body.save`). */
  nativeDialogs: boolean
  /** `body.save` without a path makes the browser download the body (the browser host's bridge). */
  downloads: boolean
  /** Secret variables are sealed with the OS keychain (else kept in a 0600 file). */
  keychain: boolean
  /** The last session's timeline is kept when the engine stops, and offered back at the next start. */
  lastSessionOffer: boolean
  /**
   * `app.openExternal` hands an http(s) link (a trace in the user's tracing backend) to the system browser.
   * Without it the page shows the link as a plain link that opens in a new browser tab.
   */
  openExternal: boolean
}

export interface AppInfo {
  version: string
  /** Which host this is, for people to read (the toolbar shows it). What the host can do is `capabilities`. */
  host: 'electron' | 'web' | 'test' | 'cli'
  capabilities: HostCapabilities
  /** Wall-clock ms since the epoch at t = 0 on the engine's timeline clock. */
  clockOrigin: number
  now: number
}

export interface SendResult {
  sids: string[]
  batchId?: string
  /** The request's test script runs once its response is read: its `script` event (phase `post`) follows. */
  testScript?: boolean
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

export interface TimelineBatch {
  events: TimelineEvent[]
  /** Events the engine dropped under pressure since the last batch (body-progress only; never lifecycle). */
  dropped: number
}

/** What "Get token" shows of an OAuth 2.0 token: never the token itself (it stays in the engine). */
export interface OAuth2TokenView {
  tokenType: string
  /** The scope the server granted, or (scopeGranted false: it named none) the one asked for. */
  scope: string
  scopeGranted: boolean
  /** Wall-clock ms; null when the server gave no expires_in. */
  expiresAt: number | null
  /** Its first and last 4 characters and its length (oauth2-token-command.ts). */
  preview: string
  /** A refresh token came with it: the next token after expiry is asked for without the person. */
  refreshable: boolean
}

/** The app, sending, cancelling, reading bodies, engine settings. */
const coreCommands = {
  'app.info': [lazySchema(() => z.object({}).strict()), reply<AppInfo>()],
  /** Open an http(s) link in the system browser (the host checks it again; nothing else is ever opened). */
  'app.openExternal': [
    lazySchema(() => z.object({ url: z.string().min(1).max(4096) }).strict()),
    reply<{ opened: true }>(),
  ],
  'http.send': [
    lazySchema(() =>
      z
        .object({
          request: requestSpecSchema,
          /** Fire this many copies at once ("Send ×N"). */
          count: z.number().int().min(1).max(MAX_SEND_COUNT).optional(),
          /** Each copy carries a W3C traceparent with a fresh trace id (`flightdeck send --trace`). */
          trace: z.boolean().optional(),
        })
        .strict(),
    ),
    reply<SendResult>(),
  ],
  /** "Get token" in the OAuth 2.0 form: the composer's auth's token, fetched or from the cache, masked. */
  'oauth2.token': [collection.oauth2TokenPayload, reply<OAuth2TokenView>()],
  /**
   * End the sign-in a Get token (or a send) of this auth awaits, or (`all`: the CLI's Ctrl+C) every one this
   * engine awaits: the loopback listener closes at once.
   */
  'oauth2.cancelSignIn': [
    lazySchema(() => z.union([collection.oauth2TokenPayload, z.object({ all: z.literal(true) }).strict()])),
    reply<{ cancelled: boolean }>(),
  ],
  'session.cancel': [
    lazySchema(() => z.object({ sid: z.string().min(1).max(64) }).strict()),
    reply<{ cancelled: boolean }>(),
  ],
  'body.read': [
    lazySchema(() =>
      z
        .object({
          bodyId: z.string().min(1).max(64),
          offset: z.number().int().min(0),
          length: z.number().int().min(0).max(MAX_BODY_READ),
          encoding: z.enum(['utf8', 'base64']),
        })
        .strict(),
    ),
    reply<BodyChunk>(),
  ],
  'settings.get': [lazySchema(() => z.object({}).strict()), reply<EngineSettings>()],
  'settings.set': [lazySchema(() => engineSettingsSchema.partial().strict()), reply<EngineSettings>()],
} as const satisfies CommandGroup

/** Collections, environments, variables, the files a request may read, import and export. */
const collectionCommands = {
  'collection.list': [
    collection.collectionListPayload,
    reply<{ open: CollectionInfo[]; recent: string[]; selectedEnv: Record<string, string> }>(),
  ],
  'collection.open': [collection.collectionOpenPayload, reply<CollectionInfo>()],
  'collection.close': [collection.collectionClosePayload, reply<{ closed: boolean }>()],
  'collection.pick': [collection.collectionPickPayload, reply<{ dir: string | null }>()],
  'collection.read': [collection.collectionReadPayload, reply<{ request: SavedRequest; version: string }>()],
  'collection.save': [collection.collectionSavePayload, reply<{ version: string }>()],
  'collection.createRequest': [collection.collectionCreateRequestPayload, reply<{ path: string }>()],
  'collection.createFolder': [collection.collectionCreateFolderPayload, reply<{ path: string }>()],
  'collection.rename': [collection.collectionRenamePayload, reply<{ path: string }>()],
  'collection.duplicate': [collection.collectionDuplicatePayload, reply<{ path: string }>()],
  'collection.move': [collection.collectionMovePayload, reply<{ path: string }>()],
  'collection.delete': [collection.collectionDeletePayload, reply<{ deleted: boolean }>()],
  'collection.saveFolder': [collection.collectionSaveFolderPayload, reply<{ saved: true }>()],
  'environment.save': [collection.environmentSavePayload, reply<{ id: string }>()],
  'environment.delete': [collection.environmentDeletePayload, reply<{ deleted: true }>()],
  'environment.select': [collection.environmentSelectPayload, reply<{ env: string }>()],
  'globals.get': [collection.globalsGetPayload, reply<{ variables: Variable[] }>()],
  'globals.save': [collection.globalsSavePayload, reply<{ saved: true }>()],
  'files.allowed': [collection.filesAllowedPayload, reply<{ folders: string[] }>()],
  'files.allow': [collection.filesAllowPayload, reply<{ folders: string[] }>()],
  'files.forget': [collection.filesForgetPayload, reply<{ folders: string[] }>()],
  'variables.list': [collection.variablesListPayload, reply<{ variables: ScopedVariable[] }>()],
  'request.send': [collection.requestSendPayload, reply<{ sids: string[]; batchId?: string }>()],
  'import.run': [collection.importRunPayload, reply<ImportReport>()],
  'export.collection': [
    collection.exportCollectionPayload,
    reply<{
      text: string
      file?: string
      skipped?: string[]
      /** Postman: each environment as a Postman environment file's text (secrets empty). */
      environments?: { id: string; name: string; text: string }[]
    }>(),
  ],
  'export.request': [collection.exportRequestPayload, reply<{ text: string }>()],
} as const satisfies CommandGroup

/** SSE and WebSocket sessions and their message logs. */
const streamCommands = {
  'sse.open': [stream.sseOpenPayload, reply<{ sid: string }>()],
  'ws.open': [stream.wsOpenPayload, reply<{ sid: string }>()],
  'ws.send': [stream.wsSendPayload, reply<{ seq: number; size: number }>()],
  'ws.ping': [stream.wsPingPayload, reply<{ seq: number }>()],
  'ws.close': [stream.wsClosePayload, reply<{ closing: boolean }>()],
  'stream.read': [stream.streamReadPayload, reply<StreamPage>()],
  'stream.data': [stream.streamDataPayload, reply<StreamData>()],
  'mqtt.open': [mqtt.mqttOpenPayload, reply<{ sid: string }>()],
  /** `seq`: the publish's log entry; -1 with `waiting` while it waits for the broker's Receive Maximum. */
  'mqtt.publish': [mqtt.mqttPublishPayload, reply<{ seq: number; waiting?: boolean }>()],
  'mqtt.subscribe': [mqtt.mqttSubscribePayload, reply<{ subscribed: number }>()],
  'mqtt.unsubscribe': [mqtt.mqttUnsubscribePayload, reply<{ unsubscribed: number }>()],
  'socketio.open': [socketio.socketIoOpenPayload, reply<{ sid: string }>()],
  'socketio.emit': [socketio.socketIoEmitPayload, reply<{ seq: number }>()],
} as const satisfies CommandGroup

/** The response viewer, code snippets, and HAR out and in. */
const timelineCommands = {
  'body.lines': [timeline.bodyLinesPayload, reply<BodyLines>()],
  'body.search': [timeline.bodySearchPayload, reply<BodySearchResult>()],
  /** `path` is null when the person cancelled the save dialog. */
  'body.save': [timeline.bodySavePayload, reply<{ path: string | null; bytes: number }>()],
  'har.export': [timeline.harExportPayload, reply<HarExportResult>()],
  'har.import': [timeline.harImportPayload, reply<HarImportResult>()],
  'session.request': [timeline.sessionRequestPayload, reply<SessionRequest>()],
  'session.snippet': [timeline.sessionSnippetPayload, reply<{ code: string }>()],
} as const satisfies CommandGroup

/** The runner. */
const runCommands = {
  'run.start': [
    run.runStartPayload,
    reply<{ runId: string; total: number; webhookInbox?: RunWebhookInbox; warnings?: string[] }>(),
  ],
  'run.cancel': [run.runCancelPayload, reply<{ cancelled: boolean }>()],
  'run.get': [run.runGetPayload, reply<RunSnapshot>()],
} as const satisfies CommandGroup

/** The webhook inbox, following a job, long polling. A job or a long poll stops with `session.cancel` on its sid. */
const jobCommands = {
  'webhook.start': [job.webhookStartPayload, reply<{ url: string }>()],
  'webhook.stop': [job.webhookStopPayload, reply<{ stopped: boolean }>()],
  'webhook.status': [job.webhookStatusPayload, reply<WebhookStatus>()],
  'job.follow': [job.jobFollowPayload, reply<{ sid: string }>()],
  'request.longPoll': [job.requestLongPollPayload, reply<{ sid: string }>()],
} as const satisfies CommandGroup

/** The request being edited: a pasted curl in, code out, the files its body names. */
const draftCommands = {
  'draft.fromCurl': [draft.draftFromCurlPayload, reply<{ request: SavedRequest; unmapped: string[] }>()],
  'draft.snippet': [draft.draftSnippetPayload, reply<{ text: string }>()],
  /** Full paths as the person would type them (a folder ends in `/`), sorted, at most `MAX_PATH_COMPLETIONS`. */
  'draft.completePath': [draft.draftCompletePathPayload, reply<{ entries: string[]; more: boolean }>()],
  'draft.pickFile': [draft.draftPickFilePayload, reply<{ path: string | null }>()],
} as const satisfies CommandGroup

/** The workspace and the timeline coming back after a reload or a restart. */
const workspaceCommands = {
  'workspace.get': [workspace.workspaceGetPayload, reply<WorkspaceGetResult>()],
  'workspace.save': [workspace.workspaceSavePayload, reply<{ bytes: number }>()],
  'workspace.openLastSession': [
    workspace.workspaceOpenLastSessionPayload,
    reply<{ sids: string[]; skipped: number }>(),
  ],
  'timeline.replay': [workspace.timelineReplayPayload, reply<TimelineReplayPage>()],
  'timeline.forget': [workspace.timelineForgetPayload, reply<{ forgotten: number }>()],
} as const satisfies CommandGroup

/** GraphQL: one operation over HTTP, a WebSocket or SSE (a subscription stops with `session.cancel`). */
const graphqlCommands = {
  'graphql.send': [
    graphql.graphqlSendPayload,
    reply<{ sid: string; operation: PickedOperation; transport: GraphqlTransport }>(),
  ],
  /** The text of a `.graphql` SDL file, for completion, validation and the docs (the path as opened). */
  'graphql.schemaFile': [graphql.graphqlSchemaFilePayload, reply<{ path: string; sdl: string }>()],
} as const satisfies CommandGroup

/** gRPC: schemas (reflection or .proto files) and calls, which are stream sessions (cancel: `session.cancel`). */
const grpcCommands = {
  'grpc.describe': [
    grpc.grpcDescribePayload,
    reply<GrpcSchemaInfo & { notes: string[]; template?: string }>(),
  ],
  'grpc.open': [grpc.grpcOpenPayload, reply<{ sid: string; method: GrpcMethodInfo }>()],
  'grpc.grpcurl': [grpc.grpcGrpcurlPayload, reply<GrpcurlCall>()],
  'grpc.send': [grpc.grpcSendPayload, reply<{ seq: number; size: number }>()],
  'grpc.end': [grpc.grpcEndPayload, reply<{ halfClosed: boolean }>()],
} as const satisfies CommandGroup

/** Every command: name -> [payload schema, reply]. */
export const Commands = {
  ...coreCommands,
  ...collectionCommands,
  ...streamCommands,
  ...timelineCommands,
  ...runCommands,
  ...jobCommands,
  ...draftCommands,
  ...workspaceCommands,
  ...graphqlCommands,
  ...grpcCommands,
} as const

/** A payload's type for the event map (only the type matters, as with `Reply`). */
function carries<T>(): Reply<T> {
  return REPLY as Reply<T>
}

/** Every event the hosts push to the renderer: name -> payload. */
export const Events = {
  /** What happened on the timeline since the last batch, every 16-50 ms while anything happens. */
  'timeline.batch': carries<TimelineBatch>(),
  /** A collection changed on disk (our own writes included). */
  'collection.changed': carries<CollectionChangedEvent>(),
  /** A run's progress, and its end. */
  'run.progress': carries<RunProgressEvent>(),
} as const

export type CommandName = keyof typeof Commands
/** What a caller passes (defaults not yet applied). */
export type CommandRequest<K extends CommandName> = z.input<(typeof Commands)[K][0]>
/** What a handler receives: the payload after its schema (defaults applied). */
export type CommandPayload<K extends CommandName> = z.output<(typeof Commands)[K][0]>
export type CommandResponse<K extends CommandName> =
  (typeof Commands)[K][1] extends Reply<infer R> ? R : never
export type CommandResponses = { [K in CommandName]: CommandResponse<K> }
/** Handlers for some of the commands, as a domain's handler module offers them. */
export type CommandHandlers<K extends CommandName> = {
  [P in K]: (payload: CommandPayload<P>) => Promise<Result<CommandResponse<P>>>
}
export type CoreCommand = keyof typeof coreCommands
export type CollectionCommand = keyof typeof collectionCommands
export type StreamCommand = keyof typeof streamCommands
export type TimelineCommand = keyof typeof timelineCommands
export type RunCommand = keyof typeof runCommands
export type JobCommand = keyof typeof jobCommands
export type DraftCommand = keyof typeof draftCommands
export type WorkspaceCommand = keyof typeof workspaceCommands

export type EventName = keyof typeof Events
export type EventPayloads = { [E in EventName]: (typeof Events)[E] extends Reply<infer P> ? P : never }
/** One event as it travels from the engine to a host and on to the renderer. */
export type HostEvent = { [E in EventName]: { name: E; payload: EventPayloads[E] } }[EventName]

export const COMMAND_NAMES = Object.keys(Commands) as CommandName[]

/** Each command's payload schema, by name (what the dispatcher validates with). */
export const commandSchemas = Object.fromEntries(COMMAND_NAMES.map((name) => [name, Commands[name][0]])) as {
  [K in CommandName]: (typeof Commands)[K][0]
}

/** How a refusal names an unknown command: only something shaped like a command name is echoed (a log must
 * not repeat arbitrary text a caller sent, which could be a secret or a forged log line). */
export function describeCommandName(name: unknown): string {
  if (typeof name === 'string' && name.length <= 64 && /^[a-z][a-zA-Z]*(\.[a-zA-Z]+){1,3}$/.test(name))
    return name
  return `(a ${typeof name} that is not a command name)`
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(Commands, name)
}

/** The browser host's WebSocket path and its message frames. */
export const WEB_API_PATH = '/api'
export type WireMessage =
  | { kind: 'call'; id: number; name: string; payload: unknown }
  | { kind: 'reply'; id: number; result: Result<unknown> }
  | ({ kind: 'event' } & HostEvent)

/** What `window.api` offers the renderer, in every host (built by shared/window-api.ts). */
export interface FlightdeckApi {
  invoke<K extends CommandName>(name: K, payload: CommandRequest<K>): Promise<Result<CommandResponse<K>>>
  /** Every event the host pushes, on one path: the renderer subscribes once and routes by name. */
  onEvent(listener: (event: HostEvent) => void): () => void
}
