import type { AuthSpec, RequestScripts } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import type { ScriptPhase, ScriptPhaseReport, ScriptOrigin } from '../../shared/scripts'
import type { DoneEvent, HeaderList, TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { JarCookie } from '../http/engine-cookies'
import type { ExchangeResult, HttpEngine } from '../http/http-engine'
import { keptRequestBody } from '../sessions/session-records'
import { sharedPool, TaskFailed, WorkerDied, type WorkerPool } from '../workers/pool'
import type { EmptySecrets } from '../send-rules/empty-secrets'
import { SCRIPT_COOKIE_CALL, SCRIPT_SEND_CALL } from './script-calls'
import { ScriptSendSecrets } from './script-send-secrets'
import { cookieOp, type CookieOp } from './script-cookies'
import { SCRIPT_BODY_CHARS } from './script-bodies'
import { filled, fromScriptRequest, sentScriptRequest, toScriptRequest } from './script-request'
import {
  DEFAULT_SCRIPT_LIMITS,
  type SandboxSend,
  type SandboxSendReply,
  type ScriptInfo,
  type ScriptLimits,
  type ScriptRequest,
  type ScriptResponse,
  type ScriptScopes,
  type ScriptSource,
  type ScriptTaskOutput,
} from './script-types'

/**
 * The engine's side of scripts: a phase is handed to the worker pool (the sandbox runs there, so a busy script
 * never holds up the thread that carries traffic), its `pm.sendRequest`s come back here and go out through the
 * HTTP engine (child sessions of the request on the timeline), and its report becomes a `script` event.
 */

export interface ScriptDeps {
  http: HttpEngine
  clock: Clock
  emit: (e: TimelineEvent) => void
  pool?: WorkerPool
  limits?: Partial<ScriptLimits>
}

export interface PhaseInput {
  /** Phases with the same key share a sandbox (a run's id; a collection's folder for sends from the app). */
  key: string
  phase: ScriptPhase
  scripts: ScriptSource[]
  request: RequestSpec
  auth: AuthSpec
  response?: ScriptResponse
  scopes: ScriptScopes
  info: ScriptInfo
  /** Post phase: the exchange that was sent; the script sees the request as it went out (script-request.ts). */
  sent?: ExchangeResult
  /** The request's session (post phase) or the id reserved for it (pre phase): `pm.sendRequest`s name it as cause. */
  sid?: string
  /** Names whose empty reads come back in the output's `read` (secrets with no value on this machine). */
  watch?: string[]
  /**
   * The scope's secrets with no value here (watched when `watch` is not given): a pm.sendRequest that fills one in
   * is refused or noted by their policy (script-send-secrets.ts).
   */
  empty?: EmptySecrets
}

export interface PhaseOutcome {
  report: ScriptPhaseReport
  output: ScriptTaskOutput
}

let keys = 0

/** A sandbox key of its own (a run's, one collection's sends): keys are per process, the pool is too. */
export function newScriptKey(what: string): string {
  return `${what}:${++keys}`
}

/**
 * Build a key's sandbox now (QuickJS loaded and compiled, the prelude evaluated: about a second the first time in
 * a process on a busy machine), so a run's first test script does not wait for it while its requests go out.
 */
export function warmScripts(deps: ScriptDeps, key: string): void {
  void runPhase(deps, {
    key,
    phase: 'post',
    scripts: [],
    request: { method: 'GET', url: '', headers: [], body: { kind: 'none' }, options: {} },
    auth: { type: 'none' },
    scopes: { environment: {}, collection: {}, globals: {}, data: {}, local: {} },
    info: { requestName: '', requestId: '', iteration: 0, iterationCount: 0 },
  })
}

/**
 * Drop a key's sandbox (the run ended); nothing waits for it. A key no script ran under has no sandbox: asking
 * a worker to forget it started one at the end of every run without scripts, which then waited for it to start.
 */
export function forgetScripts(deps: Pick<ScriptDeps, 'pool'>, key: string): void {
  const pool = deps.pool ?? sharedPool()
  if (!pool.hasKey(`scripts:${key}`)) return
  pool.run('scripts.forget', { key }, { key: `scripts:${key}` }).then(
    () => pool.release(`scripts:${key}`),
    () => pool.release(`scripts:${key}`),
  )
}

export async function runPhase(deps: ScriptDeps, input: PhaseInput): Promise<PhaseOutcome> {
  const limits: ScriptLimits = { ...DEFAULT_SCRIPT_LIMITS, ...deps.limits }
  const pool = deps.pool ?? sharedPool()
  const start = deps.clock.now()
  const watch = input.watch ?? (input.empty ? [...input.empty.names.keys()] : undefined)
  const secrets = input.empty ? new ScriptSendSecrets(input.empty, () => deps.clock.now() - start) : null
  let output: ScriptTaskOutput
  try {
    output = await pool.run(
      'scripts.run',
      {
        key: input.key,
        phase: input.phase,
        scripts: input.scripts,
        request: input.sent
          ? sentScriptRequest(
              input.request,
              input.auth,
              input.sent,
              input.scopes,
              keptRequestBody(input.sent.sentBody),
            )
          : toScriptRequest(input.request, input.auth),
        ...(input.response ? { response: input.response } : {}),
        scopes: input.scopes,
        info: input.info,
        limits,
        ...(watch && watch.length > 0 ? { watch } : {}),
        ...(input.scripts.some((x) => /\bcookies\b/.test(x.code))
          ? { cookies: jarCookies(deps.http, filled(input.request.url, input.scopes)) }
          : {}),
      },
      {
        key: `scripts:${input.key}`,
        // The phase's own wall limit ends it first; this only catches a worker that stopped answering.
        timeoutMs: limits.wallMs + 10_000,
        onCall: async (name, payload) => {
          if (name === SCRIPT_COOKIE_CALL) return cookieOp(deps.http, payload as CookieOp)
          if (name !== SCRIPT_SEND_CALL) throw new Error(`unknown host call ${name}`)
          return sendFromScript(deps, (payload as SandboxSend).request, input.sid, secrets)
        },
      },
    )
  } catch (e) {
    output = stopped(input, e)
  }
  if (secrets) output = secrets.finish(output, phaseOf(input))
  const end = deps.clock.now()
  // A line or test from a collection's or folder's script says which; the request's own stay as they were.
  const levels = new Set(input.scripts.filter((x) => x.origin !== 'request').map((x) => x.where))
  const report: ScriptPhaseReport = {
    phase: input.phase,
    start,
    end,
    tests: output.tests.map(({ where, ...t }) =>
      where !== undefined && levels.has(where) ? { ...t, where } : t,
    ),
    console: output.console.map((l) => ({
      level: l.level,
      text: l.text,
      t: Math.min(end, start + l.at),
      ...(l.where !== undefined && levels.has(l.where) ? { where: l.where } : {}),
    })),
    droppedConsole: output.droppedConsole,
    sentRequests: output.sentRequests,
  }
  if (output.droppedTests > 0) report.droppedTests = output.droppedTests
  if (output.failure) report.failure = output.failure
  return { report, output }
}

/** The jar's cookies for a request's URL (none for a URL that does not parse, or is not http or https). */
function jarCookies(http: HttpEngine, text: string): JarCookie[] {
  if (!URL.canParse(text)) return []
  const url = new URL(text)
  return url.protocol === 'http:' || url.protocol === 'https:' ? http.cookies.list(url) : []
}

/** A phase the pool could not run (its worker died, out of memory or time): a failure, nothing else. */
/** `pre-request script of request "Login"`: what a phase's failure starts with. */
function phaseOf(input: PhaseInput): string {
  return `${input.phase === 'pre' ? 'pre-request' : 'test'} script of request "${input.info.requestName}"`
}

function stopped(input: PhaseInput, e: unknown): ScriptTaskOutput {
  const why =
    e instanceof WorkerDied
      ? e.reason === 'memory'
        ? `the sandbox's worker ran out of memory (over ${e.limitMb} MB)`
        : e.reason === 'timeout'
          ? `the sandbox's worker did not answer within ${Math.round(e.timeoutMs / 1000)} s`
          : `the sandbox's worker stopped (${e.message})`
      : e instanceof TaskFailed
        ? e.message
        : e instanceof Error
          ? e.message
          : String(e)
  const kind = e instanceof WorkerDied ? (e.reason === 'memory' ? 'memory' : 'timeout') : 'error'
  return {
    tests: [],
    console: [],
    droppedConsole: 0,
    droppedTests: 0,
    changes: {},
    sentRequests: [],
    cpuMs: 0,
    wallMs: 0,
    failure: { kind, message: `${phaseOf(input)}: ${why}` },
  }
}

/** The `script` event of a phase, on the request's session. */
export function emitScriptEvent(
  deps: Pick<ScriptDeps, 'emit' | 'clock'>,
  sid: string,
  report: ScriptPhaseReport,
): void {
  deps.emit({ type: 'script', sid, t: deps.clock.now(), report })
}

/** What a script sees of a finished exchange: status, headers, the body as text (bounded), times and size. */
export async function scriptResponse(
  http: HttpEngine,
  outcome: ExchangeResult,
): Promise<ScriptResponse | null> {
  const done = outcome.final
  if (done.type !== 'done') return null
  return responseOf(http, done, outcome.events)
}

async function responseOf(
  http: HttpEngine,
  done: DoneEvent,
  events: readonly TimelineEvent[],
): Promise<ScriptResponse> {
  let headers: HeaderList = []
  let status = ''
  for (const e of events)
    if (e.type === 'response-headers' && e.sid === done.sid) {
      headers = e.headers
      status = e.statusText
    }
  const size = done.body.size
  // A body past the limit is not read at all: reading it in a script says so (script-bodies.ts), never a cut text.
  const read =
    size > 0 && size <= SCRIPT_BODY_CHARS ? await http.bodies.read(done.body.id, 0, size, 'utf8') : null
  return {
    code: done.status,
    status,
    headers: headers.map(([key, value]) => ({ key, value })),
    body: read?.ok ? read.value.data : '',
    bodyCut: size > SCRIPT_BODY_CHARS,
    responseTime: Math.round(done.timings.time),
    responseSize: done.bodyBytes,
  }
}

/**
 * A script's `pm.sendRequest`, sent by the engine as any request is: http and https only (a `file:` URL or any
 * other scheme is refused before anything is sent), drawn on the timeline as caused by `parent`.
 */
export async function sendFromScript(
  deps: ScriptDeps,
  request: ScriptRequest,
  parent: string | undefined,
  secrets: ScriptSendSecrets | null = null,
): Promise<SandboxSendReply> {
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    return { error: `pm.sendRequest: "${request.url.slice(0, 200)}" is not a URL` }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return {
      error: `pm.sendRequest: only http and https URLs are sent; ${url.protocol} refused (${request.url.slice(0, 200)})`,
    }
  const spec = fromScriptRequest(
    { method: 'GET', url: '', headers: [], body: { kind: 'none' }, options: {} },
    request,
  ).spec
  if (spec.body.kind === 'text' && request.body.mode === 'raw' && request.body.contentType === undefined) {
    const type = request.headers.find((h) => h.key.toLowerCase() === 'content-type' && h.disabled !== true)
    spec.body = { ...spec.body, contentType: type?.value ?? 'text/plain' }
  }
  const empty = secrets?.check(request) ?? { uses: [] }
  if ('refused' in empty) return { error: empty.refused }
  const sent = deps.http.send(spec, 1, {
    name: 'pm.sendRequest',
    ...(parent ? { initiator: parent } : {}),
    ...(empty.uses.length > 0 ? { emptySecrets: empty.uses } : {}),
  })
  if (!sent.ok) return { error: `pm.sendRequest: ${sent.error.message}` }
  const sid = sent.value.sids[0] as string
  const outcome = await deps.http.waitFor(sid)
  const final = outcome.final
  if (final.type === 'error') return { sid, error: `pm.sendRequest: ${final.message}` }
  if (final.type === 'cancelled') return { sid, error: 'pm.sendRequest: cancelled' }
  return { sid, response: await responseOf(deps.http, final, outcome.events) }
}

const MARKER = /^\/\/ From (.+)$/

/**
 * A request's kept script text as the scripts to run, in Postman's order. An import carries the collection's and
 * the folders' scripts down into each request file, each part after a `// From …` line; each part runs as a
 * script of its own (its own scope, as in Postman), named by where it came from.
 */
export function scriptSources(
  scripts: RequestScripts | undefined,
  phase: ScriptPhase,
  requestName: string,
): ScriptSource[] {
  const text = phase === 'pre' ? scripts?.preRequest : scripts?.test
  if (!scripts || scripts.translated === true || text === undefined || text.trim() === '') return []
  const own = `request "${requestName}"`
  const out: ScriptSource[] = []
  let where = own
  let origin: ScriptOrigin = 'request'
  let lines: string[] = []
  const flush = (): void => {
    const code = lines.join('\n')
    if (code.trim() !== '') out.push({ origin, where, code })
    lines = []
  }
  for (const line of text.split('\n')) {
    const m = MARKER.exec(line)
    if (m) {
      flush()
      const label = m[1] ?? ''
      origin = label === 'the collection' ? 'collection' : label.startsWith('folder ') ? 'folder' : 'request'
      where = origin === 'request' ? own : label
      lines.push('')
      continue
    }
    lines.push(line)
  }
  flush()
  return out
}
