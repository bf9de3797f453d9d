import { randomUUID } from 'node:crypto'
import type { AuthSpec, RequestContext, RequestScripts, ScopedVariable } from '../../shared/collection'
import type { SendResult } from '../../shared/contract'
import type { RequestSpec } from '../../shared/request'
import type { ScriptPhaseReport } from '../../shared/scripts'
import { ok, type Result } from '../../shared/result'
import { fillTemplate } from '../../shared/template-scan'
import type { BatchRef, EmptySecretUse } from '../../shared/timeline'
import { Fifo } from '../fifo'
import { emitScriptEvent, newScriptKey, runPhase, scriptResponse, type ScriptDeps } from './script-host'
import { fromScriptRequest } from './script-request'
import { carriedTwice, phaseScripts, type LevelScripts } from './level-scripts'
import { baseScopes, ScopeOverlay, valueText } from './script-scopes'
import type { ScopeChanges, ScriptScopes } from './script-types'
import { emptySecretError, scriptEmptySecretUses, type EmptySecrets } from '../send-rules/empty-secrets'

/**
 * A send from the app (`request.send`) with the request's scripts: the pre-request script runs first (it may
 * change the request and set variables), the request goes out, its `pre` script event right behind its
 * `queued`; once the response is read the test script runs and its `post` event follows. Variables scripts set
 * are kept in memory for the collection (later sends of it see them, as Postman's current values) until the
 * engine stops; nothing is written to the collection's files.
 */

/** Values scripts set, per collection (or `''` for sends with none), and how many are kept at most. */
const MAX_KEPT_VALUES = 10_000

export interface ScriptedSendInput {
  request: RequestSpec
  auth: AuthSpec
  scripts: RequestScripts | undefined
  /** The collection's and folders' scripts above the request, outermost first: they run around its own. */
  levels?: readonly LevelScripts[]
  context: RequestContext | undefined
  /** The saved request's name, when it is one. */
  name: string | undefined
  /** Send ×N: each copy runs the scripts, its own pre-request before it goes out and its test script after. */
  count?: number
  /** The scope's secrets with no value on this machine: a pre-request script's read of one is told, or refused. */
  emptySecrets?: (vars: readonly ScopedVariable[]) => EmptySecrets | undefined
}

/**
 * Test scripts of one send that run at once. The sandbox runs a key's phases one after another anyway; this
 * bounds how many responses are read for them ahead of their turn (each up to SCRIPT_BODY_CHARS).
 */
const POST_PHASES_AT_ONCE = 2

/** Runs tasks with at most `limit` of them in flight; the rest wait in arrival order. */
class PostPhases {
  private running = 0
  private readonly waiting = new Fifo<() => void>()

  constructor(private readonly limit: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    if (this.running >= this.limit) await new Promise<void>((go) => this.waiting.push(go))
    else this.running++
    try {
      await task()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }
}

export class SendScripts {
  private readonly values = new Map<string, Map<string, string>>()
  private readonly keys = new Map<string, string>()
  private readonly overlays = new Map<string, ScopeOverlay>()

  constructor(private readonly deps: ScriptDeps) {}

  /** Whether a send with these scripts runs any (`translated` ones do not: the checks stand for them). */
  static runs(scripts: RequestScripts | undefined): scripts is RequestScripts {
    return (
      scripts !== undefined &&
      scripts.translated !== true &&
      ((scripts.preRequest ?? '').trim() !== '' || (scripts.test ?? '').trim() !== '')
    )
  }

  /**
   * Run the scripts around `send` (which resolves variables and sends as `request.send` does). `scope` reads
   * the variables the request sees.
   */
  async send(
    input: ScriptedSendInput,
    scope: () => Promise<Result<ScopedVariable[]>>,
    send: (
      request: RequestSpec,
      auth: AuthSpec,
      count: number,
      batch?: BatchRef,
      sid?: string,
      scriptRead?: readonly EmptySecretUse[],
    ) => Promise<Result<SendResult>>,
  ): Promise<Result<SendResult>> {
    const dir = input.context?.dir ?? ''
    const key = this.keyFor(dir)
    const requestName = input.name ?? input.request.url.slice(0, 80)
    const info = { requestName, requestId: input.context?.path ?? '', iteration: 0, iterationCount: 1 }
    const read = await scope()
    if (!read.ok) return read
    const base = baseScopes(read.value)
    const empty = input.emptySecrets?.(read.value)
    const overlay = this.overlayFor(dir)
    const scopes = (): ScriptScopes => overlay.view(base, {}, {})
    const apply = (changes: ScopeChanges): void => {
      overlay.apply(changes)
      for (const change of Object.values(changes)) {
        // An unset forgets what scripts set; a value from the collection's files is what later sends see again.
        for (const k of change.unset) this.values.get(dir)?.delete(k)
        // A {{template}} gets a value's text, as in Postman.
        for (const [k, v] of Object.entries(change.set)) this.keep(dir, k, valueText(v))
      }
    }

    const preScripts = phaseScripts(input.levels ?? [], input.scripts, 'pre', requestName)
    const postScripts = phaseScripts(input.levels ?? [], input.scripts, 'post', requestName)
    // A carried-down part whose level has its own script runs twice: the first report of the send says so, as a
    // warning line in its console (amber in the Scripts tab and on the timeline).
    let twice = carriedTwice(input.levels ?? [], input.scripts, requestName, input.context?.path ?? '')
    const warned = (report: ScriptPhaseReport): ScriptPhaseReport => {
      if (twice.length === 0) return report
      const lines = twice.map((text) => ({ level: 'warn' as const, text, t: report.start }))
      twice = []
      return { ...report, console: [...lines, ...report.console] }
    }
    const count = input.count ?? 1
    const batchId = count > 1 ? randomUUID() : undefined
    const post = new PostPhases(POST_PHASES_AT_ONCE)
    const afterResponse = (sid: string, request: RequestSpec, auth: AuthSpec): void => {
      if (postScripts.length === 0) return
      // The reply goes back now; the test script runs once the response has been read.
      void this.deps.http.waitFor(sid).then((outcome) =>
        post.run(async () => {
          const last = outcome.sids[outcome.sids.length - 1] ?? sid
          // Read inside the slot: a burst holds at most a few response bodies for its scripts at once.
          const response = await scriptResponse(this.deps.http, outcome)
          if (!response) return
          const ran = await runPhase(this.deps, {
            key,
            phase: 'post',
            scripts: postScripts,
            request,
            auth,
            response,
            sent: outcome,
            scopes: scopes(),
            info,
            sid: last,
            ...(empty ? { empty } : {}),
          })
          apply(ran.output.changes)
          emitScriptEvent(this.deps, last, warned(ran.report))
        }),
      )
    }
    const reply = (sids: string[]): Result<SendResult> =>
      ok({
        sids,
        ...(batchId ? { batchId } : {}),
        ...(postScripts.length > 0 ? { testScript: true } : {}),
      })

    if (preScripts.length === 0) {
      // Nothing changes per copy: the burst goes out as one send.
      const sent = await send(
        withValues(input.request, this.values.get(dir)),
        withAuthValues(input.auth, this.values.get(dir)),
        count,
      )
      if (!sent.ok) return sent
      for (const sid of sent.value.sids) afterResponse(sid, input.request, input.auth)
      return postScripts.length > 0 ? ok({ ...sent.value, testScript: true }) : sent
    }

    // Each copy runs the pre-request script (one after another in the sandbox, as a run's iterations: a copy sees
    // what the copy before it set) and goes out as soon as it has, so its `pre` event sits right behind its queued.
    const sids: string[] = []
    for (let i = 0; i < count; i++) {
      let request = input.request
      let auth = input.auth
      // The copy's id is known before its script runs, so the requests the script sends name it as their cause.
      const own = this.deps.http.reserveSid()
      const pre = await runPhase(this.deps, {
        key,
        phase: 'pre',
        scripts: preScripts,
        request,
        auth,
        scopes: scopes(),
        info,
        sid: own,
        ...(empty ? { empty } : {}),
      })
      apply(pre.output.changes)
      // Secrets it read with no value here: refused where the policy says so, else sent and named on the request.
      const read =
        empty && pre.output.read ? scriptEmptySecretUses(pre.output.read, setBy(pre.output), empty) : []
      if (empty?.refuse && read.length > 0)
        return {
          ok: false,
          error: emptySecretError(
            read.map((u) => u.name),
            empty.names,
            true,
          ),
        }
      if (pre.output.request) ({ spec: request, auth } = fromScriptRequest(request, pre.output.request))
      // Values scripts set take the place of their {{names}}; the rest resolve as any send's.
      const sent = await send(
        withValues(request, this.values.get(dir)),
        withAuthValues(auth, this.values.get(dir)),
        1,
        batchId ? { id: batchId, index: i, size: count } : undefined,
        own,
        read,
      )
      if (!sent.ok) return sent
      const sid = sent.value.sids[0]
      if (sid === undefined) return sent
      emitScriptEvent(this.deps, sid, warned(pre.report))
      sids.push(...sent.value.sids)
      afterResponse(sid, request, auth)
    }
    return reply(sids)
  }

  /** What scripts wrote to the collection's scopes, typed, for its later sends' scripts. */
  private overlayFor(dir: string): ScopeOverlay {
    let overlay = this.overlays.get(dir)
    if (!overlay) {
      overlay = new ScopeOverlay(true)
      this.overlays.set(dir, overlay)
    }
    return overlay
  }

  private keyFor(dir: string): string {
    let key = this.keys.get(dir)
    if (key === undefined) {
      key = newScriptKey('send')
      this.keys.set(dir, key)
    }
    return key
  }

  private keep(dir: string, k: string, v: string): void {
    let m = this.values.get(dir)
    if (!m) {
      m = new Map()
      this.values.set(dir, m)
    }
    m.delete(k)
    m.set(k, v)
    // The oldest value goes first past the bound.
    if (m.size > MAX_KEPT_VALUES) {
      const oldest = m.keys().next().value
      if (oldest !== undefined) m.delete(oldest)
    }
  }
}

/** What a phase's scripts set, as text (a value they gave a secret they read empty is what goes out). */
function setBy(output: { changes: ScopeChanges }): Map<string, string> {
  const out = new Map<string, string>()
  for (const change of Object.values(output.changes))
    for (const [k, v] of Object.entries(change.set)) out.set(k, valueText(v))
  return out
}

/** Read as the send reads templates: braces kept as text (`\{{x}}`) are never filled, and stay for the send. */
function fill(text: string, values: ReadonlyMap<string, string>): string {
  return fillTemplate(text, (name) => values.get(name))
}

function withValues(spec: RequestSpec, values: ReadonlyMap<string, string> | undefined): RequestSpec {
  if (!values || values.size === 0) return spec
  const b = spec.body
  return {
    ...spec,
    url: fill(spec.url, values),
    headers: spec.headers.map((h) => ({ ...h, value: fill(h.value, values) })),
    body:
      b.kind === 'json' || b.kind === 'text'
        ? { ...b, text: fill(b.text, values) }
        : b.kind === 'form'
          ? { ...b, fields: b.fields.map((f) => ({ ...f, value: fill(f.value, values) })) }
          : b,
  }
}

function withAuthValues(auth: AuthSpec, values: ReadonlyMap<string, string> | undefined): AuthSpec {
  if (!values || values.size === 0) return auth
  if (auth.type === 'bearer') return { ...auth, token: fill(auth.token, values) }
  if (auth.type === 'basic' || auth.type === 'digest')
    return { ...auth, username: fill(auth.username, values), password: fill(auth.password, values) }
  if (auth.type === 'apikey') return { ...auth, value: fill(auth.value, values) }
  return auth
}
