import type { AuthSpec, RequestContext, RequestScripts, ScopedVariable } from '../../shared/collection'
import type { SendResult } from '../../shared/contract'
import type { RequestSpec } from '../../shared/request'
import { ok, type Result } from '../../shared/result'
import {
  emitScriptEvent,
  fromScriptRequest,
  newScriptKey,
  runPhase,
  scriptResponse,
  scriptSources,
  type ScriptDeps,
} from './script-host'
import type { ScopeChanges, ScriptScopes } from './script-types'

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
  scripts: RequestScripts
  context: RequestContext | undefined
  /** The saved request's name, when it is one. */
  name: string | undefined
}

export class SendScripts {
  private readonly values = new Map<string, Map<string, string>>()
  private readonly keys = new Map<string, string>()

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
    send: (request: RequestSpec, auth: AuthSpec) => Promise<Result<SendResult>>,
  ): Promise<Result<SendResult>> {
    const dir = input.context?.dir ?? ''
    const key = this.keyFor(dir)
    const requestName = input.name ?? input.request.url.slice(0, 80)
    const info = { requestName, requestId: input.context?.path ?? '', iteration: 0, iterationCount: 1 }
    const read = await scope()
    if (!read.ok) return read
    const vars = new Map(read.value.map((v) => [v.name, v.value]))
    for (const [k, v] of this.values.get(dir) ?? []) vars.set(k, v)
    const scopes = (): ScriptScopes => {
      const all = Object.fromEntries(vars)
      return { environment: all, collection: { ...all }, globals: { ...all }, data: {}, local: { ...all } }
    }
    const apply = (changes: ScopeChanges): void => {
      for (const change of Object.values(changes))
        for (const [k, v] of Object.entries(change.set)) {
          vars.set(k, v)
          this.keep(dir, k, v)
        }
    }

    let request = input.request
    let auth = input.auth
    const preScripts = scriptSources(input.scripts, 'pre', requestName)
    const pre =
      preScripts.length > 0
        ? await runPhase(this.deps, {
            key,
            phase: 'pre',
            scripts: preScripts,
            request,
            auth,
            scopes: scopes(),
            info,
          })
        : undefined
    if (pre) {
      apply(pre.output.changes)
      if (pre.output.request) ({ spec: request, auth } = fromScriptRequest(request, pre.output.request))
    }
    // Values scripts set take the place of their {{names}}; the rest resolve as any send's.
    const sent = await send(
      withValues(request, this.values.get(dir)),
      withAuthValues(auth, this.values.get(dir)),
    )
    if (!sent.ok) return sent
    const sid = sent.value.sids[0]
    if (sid === undefined) return sent
    if (pre) emitScriptEvent(this.deps, sid, pre.report)
    const postScripts = scriptSources(input.scripts, 'post', requestName)
    if (postScripts.length > 0) {
      // The reply goes back now; the test script runs once the response has been read.
      void this.deps.http.waitFor(sid).then(async (outcome) => {
        const last = outcome.sids[outcome.sids.length - 1] ?? sid
        const response = await scriptResponse(this.deps.http, outcome)
        if (!response) return
        const post = await runPhase(this.deps, {
          key,
          phase: 'post',
          scripts: postScripts,
          request,
          auth,
          response,
          scopes: scopes(),
          info,
          sid: last,
        })
        apply(post.output.changes)
        emitScriptEvent(this.deps, last, post.report)
      })
    }
    return ok(postScripts.length > 0 ? { ...sent.value, testScript: true } : sent.value)
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

const NAME = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g

function fill(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(NAME, (m, name: string) => values.get(name) ?? m)
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
