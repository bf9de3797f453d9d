import { basename, posix } from 'node:path'
import { templateRefs } from '../../shared/template'
import { scanTemplate } from '../../shared/template-scan'
import {
  ancestorFolders,
  findNode,
  parentPath,
  savedToSpec,
  type AuthSpec,
  type FolderNode,
  type RequestNode,
  type SavedRequest,
  type TreeNode,
} from '../../shared/collection'
import { effectiveTrace, type TraceSetting } from '../../shared/trace-context'
import { fail, ok, type Result } from '../../shared/result'
import { inheritedAuth } from '../send-rules/auth-chain'
import type { EmptySecrets } from '../send-rules/empty-secrets'
import { currentRequestFile, scannedRequest, stemOf } from '../collections/loader'
import type { CollectionManager } from '../collections/manager'
import { COLLECTION_FILE, ENVIRONMENTS_DIR } from '../collections/collection-file-format'
import { absPath } from '../collections/store'
import { unreadEnvironment } from '../collections/variable-scope'
import { carriedTwice, levelScriptsAt, phaseScripts, type LevelScripts } from '../scripts/level-scripts'
import type { RunStep } from './run-step'
import { checksGraphqlErrors, graphqlStep } from '../graphql/graphql-step'
import { withCollectionProtos } from '../../shared/grpc-request'
import { baseScopes, type BaseScopes } from '../scripts/script-scopes'
import { failsItem, refusesRun, unreadableStep } from './unreadable-step'

/**
 * A run's plan: the requests under a collection path ('' = all, a folder, or one request) as runner steps, in
 * tree order, each with its variable scope (globals, collection, folders, environment) and its effective
 * auth (inheritance applied). Templates stay unresolved: values extracted during the run and data rows are
 * only known per iteration, so the runner resolves each step when it starts. A request's `dependsOn`
 * requests are pulled into the plan even when they live outside the chosen path.
 */

export interface PlannedRun {
  steps: RunStep[]
  /** The collection folder as the manager knows it (absolute, normalised). */
  dir: string
  /** Some step uses `{{$webhook}}` (directly or through a variable): the run needs a listening inbox. */
  usesWebhook: boolean
  /** What the run should say before it starts (a carried-down script that would run twice). */
  warnings: string[]
}

/** Most warnings a plan lists (the rest are counted). */
const MAX_WARNINGS = 50

/** Most requests one run plans. */
const MAX_STEPS = 100_000

export async function planRun(
  manager: CollectionManager,
  dirInput: string,
  path: string,
  env: string | undefined,
): Promise<Result<PlannedRun>> {
  let open = manager.get(dirInput)
  // Opened here, by this plan (as `flightdeck run` does): the open's scan looked at every file just now, so what
  // it parsed is what the files hold; a collection opened before is looked at again (./loader.ts).
  let openedNow = false
  if (!open) {
    const opened = await manager.openDir(dirInput, false)
    if (!opened.ok) return opened
    open = manager.get(opened.value.dir)
    if (!open) return fail('not_found', `No collection at ${dirInput}`)
    openedNow = true
  }
  const dir = open.dir
  const loaded = manager.loaded(dir)
  if (!loaded.ok) return loaded
  const { info } = loaded.value
  if (env !== undefined && env !== '' && !info.environments.some((e) => e.id === env)) {
    const known = info.environments.map((e) => e.id).join(', ')
    return fail(
      'not_found',
      unreadEnvironment(info, env) ??
        `No environment "${env}" in ${info.name}${known ? ` (there is: ${known})` : ''}`,
    )
  }

  const rel = normalizeRequestPath(path.replace(/^\/+|\/+$/g, ''))
  const node = findNode(info.root, rel) ?? findNode(info.root, path.replace(/^\/+|\/+$/g, ''))
  if (!node) {
    const problem = info.problems.find((p) => p.path === rel)
    if (problem) return fail('parse', `${problem.path} line ${problem.line}: ${problem.message}`)
    return fail('not_found', `Nothing at "${path}" in ${info.name}`)
  }

  // A request file under the chosen path that could not be read must not drop out of the run unseen: it becomes
  // a step that fails naming it (./unreadable-step.ts). A broken collection.yaml, folder.yaml (its auth) or the
  // chosen environment's file refuses the run, naming it.
  const under = node.path
  const refused = info.problems.find(
    (x) =>
      refusesRun(x, env) &&
      (x.path === COLLECTION_FILE || x.path.startsWith(`${ENVIRONMENTS_DIR}/`) || failsItem(x, under)),
  )
  if (refused) return fail('parse', `${refused.path} line ${refused.line}: ${refused.message}`)
  const unreadable = new Map<string, RunStep>()
  for (const x of info.problems)
    if (failsItem(x, under) && !refusesRun(x, env)) unreadable.set(x.path, unreadableStep(x))

  // Every request of the collection in tree order: the order steps are listed in, whatever pulled them in.
  const order = new Map<string, number>()
  const requestNodes = new Map<string, RequestNode>()
  walk(info.root, (r) => {
    order.set(r.path, order.size)
    requestNodes.set(r.path, r)
  })

  const chosen: string[] = []
  if (node.type === 'request') chosen.push(node.path)
  else walk(node, (r) => chosen.push(r.path))
  if (chosen.length === 0 && unreadable.size === 0)
    return fail('invalid_request', `No requests under "${path || info.name}"`)

  // Read the chosen requests and, transitively, what they depend on.
  const saved = new Map<string, SavedRequest>()
  const deps = new Map<string, string[]>()
  const queue = [...chosen]
  for (let at = 0; at < queue.length; at++) {
    if (at > MAX_STEPS) return fail('invalid_request', `More than ${MAX_STEPS} requests in one run`)
    const p = queue[at] as string
    if (saved.has(p) || unreadable.has(p)) continue
    const problem = info.problems.find((x) => x.path === p)
    if (problem) {
      unreadable.set(p, unreadableStep(problem))
      continue
    }
    // A path of the tree (a chosen request, or a dependency found in it): the scan just now parsed it, unless it
    // could not, which its problem above said. Else (or opened before) the file is looked at again.
    let request = openedNow ? scannedRequest(open.cache, dir, p) : null
    if (!request) {
      let read
      try {
        read = await currentRequestFile(open.cache, absPath(dir, p), stemOf(basename(p)), openedNow)
      } catch (e) {
        const message = `Cannot read: ${e instanceof Error ? e.message : String(e)}`
        unreadable.set(p, unreadableStep({ path: p, line: 0, column: 0, message }))
        continue
      }
      if (!read.ok) {
        unreadable.set(p, unreadableStep({ path: p, line: read.line, column: 0, message: read.problem }))
        continue
      }
      request = read.request
    }
    saved.set(p, request)
    const list: string[] = []
    for (const d of request.dependsOn ?? []) {
      const target = resolveDependency(p, d)
      if (target === null || (!order.has(target) && !info.problems.some((x) => x.path === target)))
        return fail('invalid_request', `${p}: dependsOn "${d}" is not a request in this collection`)
      if (target === p) return fail('invalid_request', `${p}: a request cannot depend on itself`)
      list.push(target)
      queue.push(target)
    }
    deps.set(p, list)
  }

  const paths = [...saved.keys()].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
  const scopes = new Map<string, ReadonlyMap<string, string>>()
  const bases = new Map<string, BaseScopes>()
  const empties = new Map<string, EmptySecrets | undefined>()
  const steps: RunStep[] = []
  let usesWebhook = false
  const warnings: string[] = []
  let warned = 0
  // What a request inherits (auth, trace setting, level scripts) comes from its folders alone: worked out once
  // a folder, not once a request (each walk of the tree scans a folder's children).
  const folderAuths = new Map<string, AuthSpec>()
  const folderTraces = new Map<string, TraceSetting | null>()
  const folderLevels = new Map<string, LevelScripts[]>()
  // The request's own trace setting unless it inherits, else its folders' (as traceSettingAt works it out).
  const requestTrace = (own: TraceSetting | undefined, folder: string): TraceSetting | null =>
    own !== undefined && own.mode !== 'inherit'
      ? own
      : memo(folderTraces, folder, () =>
          effectiveTrace(ancestorFolders(info.root, `${folder}/`).map((f) => f.trace)),
        )
  const webhookVars = new Map<ReadonlyMap<string, string>, boolean>()
  for (const p of paths) {
    const req = saved.get(p) as SavedRequest
    const folder = parentPath(p)
    let vars = scopes.get(folder)
    if (!vars) {
      const scope = await manager.scope(env ? { dir, path: p, env } : { dir, path: p }, true)
      if (!scope.ok) return scope
      vars = new Map(scope.value.map((v) => [v.name, v.value]))
      scopes.set(folder, vars)
      bases.set(folder, baseScopes(scope.value))
      empties.set(folder, manager.emptySecrets(dir, scope.value))
    }
    const auth =
      req.auth.type !== 'inherit'
        ? req.auth
        : memo(folderAuths, folder, () => inheritedAuth(info, p, req.auth))
    const dependsOn = deps.get(p) ?? []
    const step: RunStep = {
      id: p,
      name: req.name,
      path: p,
      kind: req.kind,
      request: savedToSpec(req),
      auth,
      variables: vars,
      ...(bases.has(folder) ? { scopeBase: bases.get(folder) as BaseScopes } : {}),
      assertions: req.assertions ?? [],
      extract: req.extract ?? [],
    }
    const empty = empties.get(folder)
    if (empty) step.emptySecrets = empty
    if (req.retry) step.retry = req.retry
    const trace = req.kind === 'http' ? requestTrace(requestNodes.get(p)?.trace, folder) : null
    if (trace) step.trace = trace
    if (dependsOn.length > 0) step.dependsOn = dependsOn
    const levels = memo(folderLevels, folder, () => levelScriptsAt(info.root, p))
    const notRun = untranslatedScripts(req.scripts, levels)
    if (notRun !== null) {
      step.scriptsNotRun = notRun.which
      if (notRun.keptIn !== undefined) step.scriptsKeptIn = notRun.keptIn
      step.scripts = {
        pre: phaseScripts(levels, req.scripts, 'pre', req.name),
        post: phaseScripts(levels, req.scripts, 'post', req.name),
      }
      const twice = carriedTwice(levels, req.scripts, req.name, p)
      warned += twice.length
      warnings.push(...twice.slice(0, MAX_WARNINGS - warnings.length))
    }
    if (req.kind === 'graphql') {
      const g = graphqlStep(req, p)
      if (!g.ok) return g
      step.kind = g.value.kind
      step.request = g.value.request
      if (g.value.kind !== 'http') step.graphql = g.value.graphql
      if (g.value.kind === 'http' && !checksGraphqlErrors(step.assertions)) step.graphqlErrorsFail = true
      if (g.value.kind === 'http' && g.value.get && g.value.texts) {
        step.graphqlGet = g.value.get
        step.messages = g.value.texts
      }
      if (g.value.kind === 'graphql') step.messages = g.value.texts
    }
    if (req.kind === 'ws') {
      step.protocols = req.protocols
      step.messages = req.messages.map((m) => m.text)
    }
    if (req.kind === 'mqtt') step.mqtt = req.mqtt ?? { subscriptions: [], publishes: [] }
    if (req.kind === 'socketio') step.socketio = req.socketio ?? { listen: [], emits: [] }
    if (req.kind === 'grpc') {
      if (!req.grpc?.method)
        return fail('invalid_request', `${p}: a gRPC request needs grpc.method (package.Service/Method)`)
      step.grpc = withCollectionProtos(req.grpc, loaded.value.settings.grpc)
      step.messages = req.messages.map((m) => m.text)
    }
    if (req.stop) step.stop = req.stop
    // Only HTTP requests have them, and at most one: the file's parse refused anything else.
    if (req.followJob) step.followJob = req.followJob
    if (req.longPoll) step.longPoll = req.longPoll
    const hooked = mentionsWebhook(step, vars, webhookVars)
    if (req.waitForWebhook) {
      if (req.kind !== 'http')
        return fail('invalid_request', `${p}: waitForWebhook applies to HTTP requests, not ${req.kind}`)
      if (!hooked)
        return fail(
          'invalid_request',
          `${p}: waitForWebhook needs the request to carry {{$webhook}} (in its URL, a header or the body), so the call can be matched to it`,
        )
      step.waitForWebhook = req.waitForWebhook
    }
    usesWebhook ||= hooked
    steps.push(step)
  }
  if (warned > warnings.length) warnings.push(`${warned - warnings.length} more such warnings not listed`)
  // The unreadable files first: what a run could not even start is said before what it ran.
  return ok({ steps: [...unreadable.values(), ...steps], dir, usesWebhook, warnings })
}

/** Whether `text` uses `{{$webhook}}` as a send reads it: escaped braces (`\{{$webhook}}`) are text, not a use. */
function callsWebhook(text: string): boolean {
  if (!text.includes('$webhook')) return false
  for (const t of scanTemplate(text)) if (t.kind === 'ref' && t.name === '$webhook') return true
  return false
}

function memo<K, V>(cache: Map<K, V>, key: K, make: () => V): V {
  if (cache.has(key)) return cache.get(key) as V
  const value = make()
  cache.set(key, value)
  return value
}

/**
 * Whether a step's request (URL, headers, body, auth, messages) uses `{{$webhook}}`, directly or through
 * variables whose values do (followed a few levels deep, as templates are). `varsSeen` remembers, per scope,
 * whether any of its values mentions it at all: when none does, only the request's own text can.
 */
export function mentionsWebhook(
  step: RunStep,
  vars: ReadonlyMap<string, string>,
  varsSeen?: Map<ReadonlyMap<string, string>, boolean>,
): boolean {
  // The request's own strings, read where they are: no JSON text of the request (a copy of its body) is made, and
  // a template spread over lines (`{{\n $webhook }}`) is seen as the send sees it, not as JSON's `\n`.
  const fields = [step.request.url, step.request.headers, step.request.body, step.auth, step.messages]
  const anyVar = (): boolean => {
    for (const v of vars.values()) if (callsWebhook(v)) return true
    return false
  }
  // No variable of the scope mentions it (a plan's usual case, asked once a scope): only the request's own text
  // can, and the walk stops at the first string that does, collecting nothing.
  if (!(varsSeen ? memo(varsSeen, vars, anyVar) : anyVar())) return someString(fields, callsWebhook)
  const own: string[] = []
  someString(fields, (s) => {
    own.push(s)
    return false
  })
  const seen = new Set<string>()
  let texts = own
  for (let depth = 0; depth < 8 && texts.length > 0; depth++) {
    const next: string[] = []
    for (const t of texts) {
      if (callsWebhook(t)) return true
      for (const ref of templateRefs(t)) {
        const name = ref.name
        const v = vars.get(name)
        if (v !== undefined && !seen.has(name)) {
          seen.add(name)
          next.push(v)
        }
      }
    }
    texts = next
  }
  return false
}

/**
 * Whether `test` holds for some string in `value` (a request's parsed fields: plain objects, arrays, strings),
 * keys too, in document order, stopping at the first. Index and key loops: a plan asks this of every request of
 * a collection, and entry arrays and iterators made per object were most of the plan's garbage.
 */
function someString(value: unknown, test: (s: string) => boolean, depth = 0): boolean {
  if (typeof value === 'string') return test(value)
  if (depth > 32 || value === null || typeof value !== 'object') return false
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (someString(value[i], test, depth + 1)) return true
    return false
  }
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue
    if (test(k) || someString((value as Record<string, unknown>)[k], test, depth + 1)) return true
  }
  return false
}

function walk(folder: FolderNode, visit: (request: RequestNode) => void): void {
  const go = (nodes: readonly TreeNode[], depth: number): void => {
    if (depth > 64) return
    for (const n of nodes) {
      if (n.type === 'request') visit(n)
      else go(n.children, depth + 1)
    }
  }
  go(folder.children, 0)
}

function normalizeRequestPath(p: string): string {
  return p === '' || /\.ya?ml$/.test(p) ? p : `${p}.yaml`
}

/**
 * A `dependsOn` entry: from the collection root (`auth/login.yaml`), or from the request's own folder when
 * it starts with `./` or `../`. `.yaml` may be left off. Null when it leaves the collection.
 */
export function resolveDependency(from: string, dep: string): string | null {
  const relative = dep.startsWith('./') || dep.startsWith('../')
  const joined = relative ? posix.join(parentPath(from), dep) : posix.normalize(dep)
  const clean = joined.replace(/^\/+/, '')
  if (clean === '' || clean.startsWith('..') || clean.startsWith('/')) return null
  return normalizeRequestPath(clean)
}

/**
 * Which kept scripts a run cannot make good on (`pre-request and test`), the request's and those of the
 * collection and folders above it, or null when there are none; `keptIn` names the files when they are not
 * (only) the request's.
 */
export function untranslatedScripts(
  scripts: SavedRequest['scripts'],
  levels: readonly LevelScripts[] = [],
): { which: string; keptIn?: string } | null {
  const all = [
    ...levels.filter((l) => l.scripts.translated !== true),
    ...(scripts && scripts.translated !== true ? [{ where: '', scripts }] : []),
  ].filter((l) => l.scripts.preRequest?.trim() || l.scripts.test?.trim())
  if (all.length === 0) return null
  const pre = all.some((l) => l.scripts.preRequest?.trim())
  const test = all.some((l) => l.scripts.test?.trim())
  const which = pre && test ? 'pre-request and test' : pre ? 'pre-request' : 'test'
  if (all.length === 1 && all[0]?.where === '') return { which }
  // Outermost first, as they run.
  const file = (l: { where: string }): string =>
    l.where === ''
      ? 'the request file'
      : l.where === 'the collection'
        ? 'collection.yaml'
        : `${l.where}'s folder.yaml`
  return { which, keptIn: all.map(file).join(', ') }
}
