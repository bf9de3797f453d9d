import type {
  AppInfo,
  CommandName,
  CommandRequest,
  CommandResponse,
  EngineSettings,
  HostCapabilities,
  HostEvent,
  TimelineBatch,
} from '../shared/contract'
import type { Result } from '../shared/result'
import type { AuthRunner } from './auth/auth-runner'
import type { Clock } from './clock'
import type { CollectionHandlerDeps } from './collections/handlers'
import type { CollectionManager } from './collections/manager'
import type { HttpEngine } from './http/http-engine'
import type { RunManager } from './runner/run-manager'
import type { SecretStore } from './secrets/secret-store'
import type { SessionVariableSettings } from './collections/session-variables'
import type { BodySource } from './sessions/timeline-handlers'
import type { StreamEngine } from './streams/stream-engine'
import type { StreamLog } from './streams/stream-log'
import type { StreamLogStoreOptions } from './streams/stream-log-store'

export interface EngineServiceOptions {
  host: AppInfo['host']
  /** How often the timeline sink flushes a batch to subscribers. */
  flushEveryMs?: number
  settings?: Partial<EngineSettings>
  /** Where bodies too large for memory spill to. Defaults to the OS temp dir. */
  tempDir?: string
  /** Bodies up to this many bytes stay in memory; larger ones spill to a temp file. */
  memoryBodyLimit?: number
  /** The stream logs' limits (entries a session, index and message bytes across sessions; stream-log-store.ts). */
  streamLogs?: StreamLogStoreOptions
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
  /** The system browser, for `app.openExternal` (desktop app only); called with checked http(s) links only. */
  openExternal?: (url: string) => Promise<void>
  /**
   * OAuth 2.0 authorization code: how the sign-in URL reaches the person (the CLI prints it to stderr). Left out,
   * `openExternal` opens it when there is one; else the send's error carries it (the browser host).
   */
  oauthSignIn?: (url: string) => void
  /** How long an OAuth 2.0 sign-in is awaited before it fails (default 5 minutes; `--oauth-timeout`). */
  oauthTimeoutMs?: number
  /** What a token request's row says, for a host without rows (the CLI prints it): auth/oauth2-plain-http.ts. */
  oauthNotice?: (text: string) => void
  /** Collection folders to open at start, besides those open last time. */
  collections?: readonly string[]
  /** Watch collection folders for outside edits (default true). */
  watchCollections?: boolean
  /**
   * Remember open/recent collections across launches (default true); in the desktop app and the browser host
   * it also keeps the last session's timeline as a HAR in the config dir when the engine stops.
   */
  persistWorkspace?: boolean
  /**
   * Deliver HTTP exchanges' timeline events to subscribers (default true). `flightdeck run` reads none of them
   * (its progress and results are run events; a stream step reads its own stream's events, which still flow),
   * so it turns them off and each request skips building and batching its rows.
   */
  httpTimeline?: boolean
  /**
   * Remember each HTTP session after it ends (default true): what HAR export, "edit as new request" and the
   * last session's timeline read. A `flightdeck run` with no `--reporter har` exports and shows none, so it turns
   * them off and each request keeps no record (a table-only run holds only each session's end until its step is
   * let go of, sessions/session-bodies.ts).
   */
  httpRecords?: boolean
  /**
   * What a run keeps of its results: `all` (the default; the app's run view and the CLI's json, junit and har
   * reports read each one) or `failures`: a bounded number of failed results, statistics counted as results
   * come, so a long `flightdeck run` with only the summary table holds memory bounded by its input.
   */
  runResults?: 'all' | 'failures'
  /** What the host offers beyond the dialogs above, for `app.info` (default: nothing). */
  capabilities?: Partial<Pick<HostCapabilities, 'downloads' | 'keychain'>>
  /** Import and export (wired by the hosts that offer them). */
  importer?: CollectionHandlerDeps['importer']
  exporter?: CollectionHandlerDeps['exporter']
}

/**
 * What the command-line host needs beyond the commands themselves, as narrow functions: the CLI waits for a
 * session's end and prints a stream's messages from its log, and must not reach into the engine's parts for it.
 */
export interface CliHooks {
  /** Every event of an HTTP session, once its whole redirect chain has ended. */
  waitForExchange: HttpEngine['waitFor']
  /** An SSE or WebSocket session's end. Rejects for an unknown sid. */
  waitForStream: StreamEngine['wait']
  /** A stream session's message log (entries and their data, read a piece at a time), while it is kept. */
  streamLog(sid: string): Pick<StreamLog, 'entry' | 'dataOf' | 'cutFields'> | undefined
  /** Let requests read files from these folders for this process only (`--allow-files`). */
  allowFilesForSession: CollectionManager['files']['allowForSession']
  /** Values given on the command line (`--env-var`) and what a send does with a secret that has no value. */
  variablesForSession(settings: SessionVariableSettings): Promise<void>
  /** A run's full report once it ends; null for an unknown run. */
  waitForRun: RunManager['wait']
  runSnapshot: RunManager['get']
  runSteps: RunManager['steps']
}

/**
 * The transport-free service that implements the contract's commands. Electron IPC, the browser host's
 * WebSocket and tests all call `call()` (untrusted payloads, validated here) or `invoke()` (typed), and forward
 * `onEvent`, the one path every event leaves the engine by. What the CLI's `send` has (service-on-demand.ts):
 * the engine's parts are built as its commands first need them.
 */
export interface CommandService extends CliHooks {
  call(name: unknown, payload: unknown): Promise<Result<unknown>>
  invoke<K extends CommandName>(name: K, payload: CommandRequest<K>): Promise<Result<CommandResponse<K>>>
  /** Every event the hosts push (timeline batches, collection changes, run progress), in emission order. */
  onEvent(listener: (event: HostEvent) => void): () => void
  /** Timeline batches only: `onEvent` narrowed, for tests and the CLI. */
  subscribe(listener: (batch: TimelineBatch) => void): () => void
  /** Flush the pending timeline batch now (tests and the CLI use this before reading results). */
  flush(): void
  /** A finished body by id, for hosts that stream it out (the browser host's download route). */
  openBody(bodyId: string): BodySource | null
  dispose(): Promise<void>
}

/** The service with every part built at once (service.ts), and the parts themselves. */
export interface EngineService extends CommandService {
  /** The engine's parts, for the engine's own tests and benches; hosts use the commands and hooks above. */
  readonly clock: Clock
  readonly http: HttpEngine
  readonly collections: CollectionManager
  readonly auth: AuthRunner
  readonly streams: StreamEngine
  readonly runs: RunManager
}
