/**
 * The messages between the pool (on the engine's thread) and a worker. Every task kind is named in `Tasks`:
 * its input and its output, both structured-clone safe. Worker-side modules implement one kind each.
 */
import type { BodyLines, BodySearchResult, BodyView } from '../../shared/body-view'
import type { ImportFormat } from '../../shared/collection-schemas'
import type { Result } from '../../shared/result'
import type { ExportBuilt, ExportFormat, ExportSource } from '../exporters/export-build'
import type { ParsedHar } from '../har/har-parse'
import type { HarDocument } from '../har/har-types'
import type { ImportPlan } from '../importers/plan'
import type { ScriptTaskInput, ScriptTaskOutput } from '../scripts/script-types'

/** Where a worker reads a stored body from: its temp file, or (a body kept in memory) a copy of its bytes. */
export type BodySource = { path: string; size: number } | { bytes: Uint8Array; size: number }

export interface BodyTaskBase {
  bodyId: string
  view: BodyView
  /** Only sent when the worker said it does not have the body (it never had it, or forgot it). */
  source?: BodySource
}

export interface Tasks {
  'body.lines': {
    input: BodyTaskBase & { from: number; count: number }
    output: Result<BodyLines>
  }
  'body.search': {
    input: BodyTaskBase & { query: string; caseSensitive: boolean; fromOffset: number }
    output: Result<BodySearchResult>
  }
  'body.forget': { input: { bodyId: string }; output: null }
  /** A request (its HAR form) as code, by httpsnippet: `target` and `client` as httpsnippet names them. */
  'snippet.convert': {
    input: { har: unknown; target: string; client: string; indent?: string }
    output: string | null
  }
  /**
   * A HAR document as text: `bodies[i]` (when not null) is read into entry i's response content (UTF-8 text, else
   * base64), then secrets are redacted when asked.
   */
  'har.build': {
    input: { doc: HarDocument; bodies: (BodySource | null)[]; redact: boolean; secretValues: string[] }
    output: string
  }
  /**
   * A HAR's text parsed and checked for the timeline: its usable entries with their response bodies decoded
   * (each body's buffer transferred, not copied). Fails with kind 'import' when it is not a HAR.
   */
  'har.parse': { input: { text: string }; output: ParsedHar }
  /** A collection as Postman, Insomnia or Bruno text: the worker reads its request files and builds the export. */
  'export.build': {
    input: { collection: ExportSource; format: ExportFormat }
    output: ExportBuilt
  }
  /** The worker's memory in use (heap plus off-heap buffers), after a full collection when asked. */
  'worker.memory': { input: { collect: boolean }; output: number }
  /** One phase of a request's scripts in the QuickJS sandbox (its `pm.sendRequest`s come back as host calls). */
  'scripts.run': { input: ScriptTaskInput; output: ScriptTaskOutput }
  /** Drop the sandbox kept for a key (a run that ended). */
  'scripts.forget': { input: { key: string }; output: null }
  /**
   * A gRPC schema's .proto files read, counted and parsed: FileDescriptorProtos (their buffers transferred), or
   * the load's failure in its words. With `confined`, each path goes to the host call `confine` before it is read.
   */
  'grpc.proto-parse': {
    input: { files: string[]; importPaths: string[]; base: string; confined: boolean }
    output: Result<Uint8Array[]>
  }
  'import.plan': {
    input: { text?: string; file?: string; format: ImportFormat }
    output: { format: Exclude<ImportFormat, 'auto'>; plan: ImportPlan }
  }
}

export type TaskKind = keyof Tasks
export type TaskInput<K extends TaskKind> = Tasks[K]['input']
export type TaskOutput<K extends TaskKind> = Tasks[K]['output']

/** A task failed in a way the task itself reports (bad input, a parse error): the worker lives on. */
export interface TaskFailure {
  /**
   * 'missing': the worker does not hold the body any more; send it again with its source. 'too_large': an
   * import over the items one import writes.
   */
  kind: 'missing' | 'import' | 'too_large' | 'error'
  message: string
  detail?: string
}

export interface TaskRequest {
  id: number
  kind: TaskKind
  input: unknown
}

export type TaskReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; failure: TaskFailure }

/**
 * Sent by a worker when work for `key` (a body's index) starts or stops running in the background, beyond
 * the task that started it: if the worker dies meanwhile, that work is a suspect.
 */
export interface BackgroundNote {
  background: string
  on: boolean
}

/** Sent by a worker between chunks of work: its memory in use (heap plus off-heap buffers). */
export interface MemoryNote {
  memory: number
}

/**
 * Sent by a worker while it runs task `task`: it needs the engine's thread to do something for it (a script's
 * `pm.sendRequest` goes through the engine). The pool answers with a `HostReply` of the same `call`.
 */
export interface HostCall {
  call: number
  task: number
  name: string
  input: unknown
}

export type HostReply =
  { reply: number; ok: true; value: unknown } | { reply: number; ok: false; message: string }

/** Sent by a worker once, as it starts: its thread's `/proc` entry (thread-wait.ts), where there is one. */
export interface ThreadNote {
  thread: string
}

export type WorkerMessage = TaskReply | BackgroundNote | MemoryNote | HostCall | ThreadNote

/**
 * A worker that finds itself past its memory budget (heap plus the typed arrays and buffers V8 keeps outside
 * the heap, which `resourceLimits` does not count) exits with this code.
 */
export const EXIT_OUT_OF_MEMORY = 71

/** Sent to a worker once, before any task: its memory budget in bytes. */
export interface WorkerConfig {
  memoryBytes: number
}
