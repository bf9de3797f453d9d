import type { AuthSpec } from '../../shared/collection'
import type { JarCookie } from '../http/engine-cookies'
import type {
  ConsoleLevel,
  ScriptFailure,
  ScriptOrigin,
  ScriptPhase,
  ScriptTestResult,
} from '../../shared/scripts'

/**
 * What the engine's thread hands the sandbox for one phase of a request's scripts, and what comes back. Both
 * cross to a pool worker (structured-clone safe, no functions); the request is in Postman's terms, which is what
 * the scripts see.
 */

export interface ScriptSource {
  origin: ScriptOrigin
  /** Where the script came from, for errors (`folder "Auth"`, `request "Login"`). */
  where: string
  code: string
}

export interface ScriptKeyValue {
  key: string
  value: string
  disabled?: boolean
  /** A header the client added itself (a test script's view of the request as sent, as newman marks them). */
  system?: boolean
}

export type ScriptBody =
  | { mode: 'none' }
  | { mode: 'raw'; raw: string; language: 'json' | 'text'; contentType?: string }
  | { mode: 'urlencoded'; urlencoded: ScriptKeyValue[] }
  /** Multipart and file bodies: scripts see the mode, and cannot change them. */
  | { mode: 'formdata' | 'file' }

export interface ScriptRequest {
  method: string
  url: string
  headers: ScriptKeyValue[]
  body: ScriptBody
  auth: AuthSpec
  /** A pm.sendRequest's: the watched names its {{templates}} filled in while they were '' (absent when none). */
  emptyRead?: string[]
}

export interface ScriptResponse {
  code: number
  status: string
  headers: ScriptKeyValue[]
  /** The body as text (UTF-8); empty past SCRIPT_BODY_CHARS bytes, and `bodyCut` says so (script-bodies.ts). */
  body: string
  bodyCut: boolean
  responseTime: number
  responseSize: number
}

export const SCOPE_NAMES = ['environment', 'collection', 'globals', 'data', 'local'] as const
export type ScopeName = (typeof SCOPE_NAMES)[number]
/** Each scope's values: text from the collection's files, any JSON value a script set (see script-scopes.ts). */
export type ScriptScopes = Record<ScopeName, Record<string, unknown>>

/** What the scripts of a phase wrote to one scope (values typed as the script set them). */
export interface ScopeChange {
  set: Record<string, unknown>
  unset: string[]
}
export type ScopeChanges = Partial<Record<ScopeName, ScopeChange>>

export interface ScriptLimits {
  /** CPU time of the phase's scripts together (their waits on timers and requests excluded). */
  cpuMs: number
  /** The sandbox's heap. */
  memoryMb: number
  stackKb: number
  /** setTimeout/setInterval calls in one phase, and their delays added up. */
  timers: number
  timerWaitMs: number
  /** The phase's wall time, waits included. */
  wallMs: number
  /** Requests one phase may send with `pm.sendRequest`. */
  sendRequests: number
  consoleLines: number
  lineChars: number
  tests: number
}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = {
  cpuMs: 2000,
  memoryMb: 64,
  stackKb: 512,
  timers: 100,
  timerWaitMs: 10_000,
  wallMs: 30_000,
  sendRequests: 20,
  consoleLines: 500,
  lineChars: 4096,
  tests: 1000,
}

export interface ScriptInfo {
  requestName: string
  requestId: string
  iteration: number
  iterationCount: number
}

export interface ScriptTaskInput {
  /** Phases with the same key share a sandbox (one run, one collection): built once, reused. */
  key: string
  phase: ScriptPhase
  scripts: ScriptSource[]
  request: ScriptRequest
  response?: ScriptResponse
  scopes: ScriptScopes
  info: ScriptInfo
  limits: ScriptLimits
  /** The jar's cookies for the request's URL (`pm.cookies`); sent only when a script names `cookies`. */
  cookies?: JarCookie[]
  /** Names whose reads that gave the script '' are told back (`read`): secrets with no value on this machine. */
  watch?: string[]
}

export interface SandboxConsoleLine {
  level: ConsoleLevel
  text: string
  /** ms after the phase started. */
  at: number
  /** The script that logged it (its ScriptSource's `where`). */
  where?: string
}

export interface ScriptTaskOutput {
  tests: ScriptTestResult[]
  console: SandboxConsoleLine[]
  droppedConsole: number
  droppedTests: number
  failure?: ScriptFailure
  /** Pre phase: the request as the scripts left it (absent when unchanged). */
  request?: ScriptRequest
  changes: ScopeChanges
  /** `setNextRequest` was called: the name (null: stop the run). */
  nextRequest?: string | null
  /** `pm.execution.skipRequest()` in a pre-request script. */
  skipRequest?: boolean
  /** Of the input's `watch`, the names a script read while they were '' (absent when none). */
  read?: string[]
  /** Sessions `pm.sendRequest` started (their first sid each). */
  sentRequests: string[]
  /** ms the phase took inside the sandbox, and in all. */
  cpuMs: number
  wallMs: number
}

/** A `pm.sendRequest` as the sandbox asks the engine to send it. */
export interface SandboxSend {
  request: ScriptRequest
}

/** What the engine answers a `pm.sendRequest` with (or `error`: it could not be sent, or failed). */
export interface SandboxSendReply {
  sid?: string
  error?: string
  response?: ScriptResponse
  /** A cookie operation's result (`pm.cookies.jar()`). */
  value?: unknown
}
