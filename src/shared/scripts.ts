/**
 * What a request's scripts report, shared by the engine (which runs them in the QuickJS sandbox), the renderer
 * (Scripts tab, console panel, test results, the script segments on the timeline), the runner's reports and the
 * CLI. A script phase is `pre` (before the request is sent: may change the request and variables) or `post`
 * (after the response: sees it and records tests).
 */

export type ScriptPhase = 'pre' | 'post'

/** Where a script came from, in the order Postman runs them: collection, then folders, then the request. */
export type ScriptOrigin = 'collection' | 'folder' | 'request'

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug'

export interface ScriptConsoleLine {
  level: ConsoleLevel
  /** The arguments as the sandbox formatted them (cut at a limit, saying so). */
  text: string
  /** Engine clock (ms), as the timeline's `t`. */
  t: number
  /** Which collection or folder script logged it (`the collection`, `folder "Auth"`); absent: the request's own. */
  where?: string
}

export interface ScriptTestResult {
  /** The name given to `pm.test` / `test` / `tests[...]`. */
  name: string
  passed: boolean
  /** Why it failed, as the assertion said (`expected 500 to equal 200`). */
  error?: string
  /** `pm.test.skip`. */
  skipped?: boolean
  /**
   * Which collection or folder script made it (`the collection`, `folder "Auth"`); absent: the request's own.
   * A field beside the name, not in it: newman names such tests plainly, and runs compare by name.
   */
  where?: string
}

/** A test as people read it: the level whose script made it first (`folder "Auth" › token is set`). */
export function testLabel(t: { name: string; where?: string }): string {
  return t.where !== undefined ? `${t.where} › ${t.name}` : t.name
}

/** Why a script was stopped, in plain words, naming the request and the limit (`CPU time over 2 s`). */
export interface ScriptFailure {
  kind: 'error' | 'timeout' | 'memory' | 'limit'
  message: string
  origin?: ScriptOrigin
  /** The script's line, when the sandbox knows it. */
  line?: number
}

/** One phase of one request's scripts, run to the end or stopped. */
export interface ScriptPhaseReport {
  phase: ScriptPhase
  /** Engine clock (ms) when the phase started and ended. */
  start: number
  end: number
  tests: ScriptTestResult[]
  console: ScriptConsoleLine[]
  /** Console lines and tests beyond the limits are counted here, never stored. */
  droppedConsole: number
  /** Tests past the limit of one phase, counted, never stored. */
  droppedTests?: number
  failure?: ScriptFailure
  /** Sessions started by `pm.sendRequest` during the phase (their `sid`s): child rows of the request. */
  sentRequests: string[]
}
