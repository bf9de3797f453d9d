import { basename } from 'node:path'
import { findNode, type AuthSpec, type RequestContext, type Variable } from '../../shared/collection'
import type { CollectionCommand, CommandHandlers, CommandPayload, SendResult } from '../../shared/contract'
import { fail, ok, type Result } from '../../shared/result'
import type { DynamicValues } from '../../shared/template'
import type { BatchRef, EmptySecretUse } from '../../shared/timeline'
import { authChain, effectiveAuth } from '../send-rules/auth-chain'
import { mergeEmptySecrets } from '../send-rules/empty-secrets'
import { resolveForSendLoading, type ResolvedSend } from '../send-rules/variables'
import type { AuthRunner } from '../auth/auth-runner'
import { absPath, safeRel } from './store'
import { COLLECTION_FILE, ENVIRONMENTS_DIR, FOLDER_FILE } from './collection-file-format'
import * as store from './store'
import { readRequestFile, stemOf } from './loader'
import { linkOnTheWay } from './linked-entry'
import type { CollectionManager } from './manager'
import { importExportHandlers } from '../importers/import-export'
import { confineBody, type FileScope } from '../files/confine'
import { confineRequestOptions } from '../files/confine-tls'
import type { TraceIndex } from '../trace/trace-index'
import { tracePlanFor, traceSettingAt } from '../trace/trace-setting'
import type { TracePlan } from '../trace/trace-headers'
import { SendScripts } from '../scripts/send-scripts'
import { levelScriptsAt, levelsRun, type LevelScripts } from '../scripts/level-scripts'
import { refuseUntypedMultipart } from '../http/untyped-multipart'

/** The service's handlers for the collection commands: validation happened already; this is the behaviour. */

export type CollectionHandlers = CommandHandlers<CollectionCommand>

export interface CollectionHandlerDeps {
  manager: CollectionManager
  /** Resolves once the workspace (open collections, globals) is restored; commands wait for it. */
  ready?: Promise<void>
  auth: AuthRunner
  pickFolder?: () => Promise<string | null>
  /** `{{$webhook}}` for one send, and the link from its token to the send's session (the webhook inbox). */
  webhookValues?: () => { dyn: DynamicValues; bind(sids: readonly string[]): void }
  importer?: CollectionHandlers['import.run']
  /** Which request sent which trace (webhook calls join by it); a request's `trace.bodyField` is watched. */
  traces?: TraceIndex
  exporter?: {
    collection: CollectionHandlers['export.collection']
    request: CollectionHandlers['export.request']
  }
  /** Runs a send's scripts (`request.send` with `scripts`); without it they are not run. */
  scripts?: SendScripts
}

function badPath(path: string): Result<never> {
  return fail('invalid_request', `Not a path inside the collection: ${path.slice(0, 200)}`)
}

type PathKind = 'request' | 'folder' | 'node'

/**
 * Commands name requests and folders only: never `collection.yaml`, a `folder.yaml`, the `environments/`
 * folder or a hidden entry (`.git`), so no command can write a request over a settings file.
 */
export function checkPath(path: string, kind: PathKind): Result<never> | null {
  const rel = safeRel(path)
  if (rel === null) return badPath(path)
  if (rel === '') return kind === 'folder' ? null : badPath(path)
  const parts = rel.split('/')
  const last = parts[parts.length - 1] ?? ''
  if (
    parts[0] === ENVIRONMENTS_DIR ||
    parts.some((p) => p.startsWith('.')) ||
    last === FOLDER_FILE ||
    (parts.length === 1 && last === COLLECTION_FILE)
  ) {
    return fail('invalid_request', `${rel} is not a request or folder`)
  }
  if (kind === 'request' && !/\.ya?ml$/.test(last))
    return fail('invalid_request', `${rel} is not a request file`)
  return null
}

/** The auths a request inherits from, outermost first: the collection's, its folders', then its own. */
export function authChainFor(
  manager: CollectionManager,
  context: RequestContext | undefined,
  auth: AuthSpec,
): AuthSpec[] {
  if (!context) return [auth]
  const loaded = manager.loaded(context.dir)
  if (!loaded.ok) return [auth]
  return authChain(loaded.value.info, context.path, auth)
}

/**
 * Resolve variables and inherited auth for a request by the send rules, in the scope of its collection and
 * environment; unknown variables refuse the send, naming them. `extra` texts (a WebSocket's subprotocols, a
 * message) resolve in the same scope and are refused the same way. `typed`: the own variables of the folder
 * `context` names, as its settings dialog shows them unsaved, in place of the saved ones (variable-scope.ts).
 */
export async function prepareRequest(
  manager: CollectionManager,
  request: CommandPayload<'request.send'>['request'],
  auth: AuthSpec,
  context: RequestContext | undefined,
  extra: readonly string[] = [],
  dyn?: DynamicValues,
  typed?: readonly Variable[],
): Promise<Result<ResolvedSend>> {
  const scope = await manager.scope(context, true, typed)
  if (!scope.ok) return scope
  const vars = new Map<string, string>()
  for (const v of scope.value) vars.set(v.name, v.value)
  const chain = authChainFor(manager, context, auth)
  const where = context?.env
    ? ` (environment "${context.env}")`
    : context
      ? ''
      : ' (no collection or environment chosen)'
  const empty = manager.emptySecrets(context?.dir ?? '', scope.value)
  const resolved = await resolveForSendLoading(request, effectiveAuth(chain), vars, dyn, extra, where, empty)
  if (!resolved.ok) return { ok: false, error: resolved.error }
  const { spec } = resolved.value
  // Files are confined after variables resolve: `{{dir}}/x` must not lead out of the collection either.
  const files = collectionFileScope(manager, context)
  const body = await confineBody(spec.body, files)
  if (!body.ok) return body
  const options = await confineRequestOptions(spec.options, files)
  if (!options.ok) return options
  return ok({ ...resolved.value, spec: { ...spec, body: body.value, options: options.value } })
}

/**
 * The request without its own CA file when the person named one for the send (`--cacert`): the collection's
 * path is then neither confined nor read.
 */
function withoutCaFile<T extends { options?: { caFile?: string | undefined } | undefined }>(
  request: T,
  personal: string | undefined,
): T {
  if (personal === undefined || request.options?.caFile === undefined) return request
  const { caFile: _ignored, ...options } = request.options
  return { ...request, options }
}

/**
 * What a send may read: a request from a collection (its context names a request file) reads files in that
 * collection's folder and the folders the user allowed; a request typed in an Untitled tab (no request file,
 * even with a collection chosen for its variables) names any file, as the person typed it.
 */
export function collectionFileScope(
  manager: CollectionManager,
  context: RequestContext | undefined,
): FileScope | null {
  if (!context || context.path === '') return null
  return manager.files.scope(manager.get(context.dir)?.dir ?? context.dir)
}

/**
 * The trace context a send carries: its request file's `trace:` setting (inherited from its folders and the
 * collection), else `adHoc`, the toolbar's switch.
 */
export function tracePlanOf(
  manager: CollectionManager,
  context: RequestContext | undefined,
  adHoc: boolean | undefined,
  traces?: TraceIndex,
): TracePlan | undefined {
  const loaded = context ? manager.loaded(context.dir) : null
  const root = loaded?.ok ? loaded.value.info.root : undefined
  return tracePlanFor(traceSettingAt(root, context?.path), adHoc, traces)
}

/** The name of the saved request a send came from (its context names a request file), else undefined. */
export function savedRequestName(
  manager: CollectionManager,
  context: RequestContext | undefined,
): string | undefined {
  if (!context) return undefined
  const loaded = manager.loaded(context.dir)
  if (!loaded.ok) return undefined
  const node = findNode(loaded.value.info.root, context.path)
  return node?.type === 'request' ? node.name : undefined
}

/** The collection's and folders' scripts that run around a send from a saved request (or one in a folder). */
function sendLevels(manager: CollectionManager, context: RequestContext | undefined): LevelScripts[] {
  if (!context) return []
  const loaded = manager.loaded(context.dir)
  return loaded.ok ? levelScriptsAt(loaded.value.info.root, context.path) : []
}

export function createCollectionHandlers(input: CollectionHandlerDeps): CollectionHandlers {
  // Import and export are built in unless a host brings its own.
  const builtIn = importExportHandlers(input.manager)
  const deps: CollectionHandlerDeps = {
    ...input,
    importer: input.importer ?? builtIn.importer,
    exporter: input.exporter ?? builtIn.exporter,
  }
  const { manager } = deps
  /** Run a change against an open collection, then rescan so the change event goes out before the reply. */
  async function change<T>(
    dir: string,
    paths: [string, PathKind][],
    fn: (dir: string) => Promise<Result<T>>,
  ): Promise<Result<T>> {
    const o = manager.get(dir)
    if (!o) return fail('not_found', `No open collection at ${dir}`)
    for (const [p, kind] of paths) {
      const bad = checkPath(p, kind)
      if (bad) return bad
    }
    try {
      return await fn(o.dir)
    } finally {
      await manager.rescan(o.dir)
    }
  }

  const handlers: CollectionHandlers = {
    'collection.list': async () => ok(manager.list()),
    'collection.open': (p) => manager.openDir(p.dir, p.create === true, p.name),
    'collection.close': async (p) => ok({ closed: await manager.close(p.dir) }),
    'collection.pick': async () => {
      if (!deps.pickFolder)
        return fail('unsupported', 'This host has no folder picker: type the folder path instead')
      return ok({ dir: await deps.pickFolder() })
    },
    'collection.read': async (p) => {
      const o = manager.get(p.dir)
      if (!o) return fail('not_found', `No open collection at ${p.dir}`)
      const bad = checkPath(p.path, 'request')
      if (bad) return bad
      const link = await linkOnTheWay(o.dir, p.path)
      if (link) {
        const through = link.path === p.path ? '' : `${link.path}: `
        return fail('parse', `${p.path} line 0: ${through}${link.message}`)
      }
      try {
        const r = await readRequestFile(absPath(o.dir, p.path), stemOf(basename(p.path)))
        if (!r.ok) return fail('parse', `${p.path} line ${r.line}: ${r.problem}`)
        return ok({ request: r.request, version: r.version })
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT')
          return fail('not_found', `${p.path} no longer exists`)
        throw e
      }
    },
    'collection.save': (p) =>
      change(p.dir, [[p.path, 'request']], (dir) => store.saveRequest(dir, p.path, p.request, p.baseVersion)),
    'collection.createRequest': (p) =>
      change(p.dir, [[p.folder, 'folder']], async (dir) => {
        const r = await store.createRequest(dir, p.folder, p.request)
        return r.ok ? ok({ path: r.value }) : r
      }),
    'collection.createFolder': (p) =>
      change(p.dir, [[p.parent, 'folder']], async (dir) => {
        const r = await store.createFolder(dir, p.parent, p.name)
        return r.ok ? ok({ path: r.value }) : r
      }),
    'collection.rename': (p) =>
      change(p.dir, [[p.path, 'node']], async (dir) => {
        const r = await store.renameNode(dir, p.path, p.name)
        return r.ok ? ok({ path: r.value }) : r
      }),
    'collection.duplicate': (p) =>
      change(p.dir, [[p.path, 'request']], async (dir) => {
        const r = await store.duplicateRequest(dir, p.path)
        return r.ok ? ok({ path: r.value }) : r
      }),
    'collection.move': (p) =>
      change(
        p.dir,
        [
          [p.path, 'node'],
          [p.toFolder, 'folder'],
        ],
        async (dir) => {
          const r = await store.moveNode(dir, p.path, p.toFolder)
          return r.ok ? ok({ path: r.value }) : r
        },
      ),
    'collection.delete': (p) => change(p.dir, [[p.path, 'node']], (dir) => store.deleteNode(dir, p.path)),
    'collection.saveFolder': (p) =>
      change(p.dir, [[p.path, 'folder']], async (dir) => {
        if (p.variables) {
          const loaded = manager.loaded(dir)
          const node = loaded.ok ? findNode(loaded.value.info.root, p.path) : null
          const before = node?.type === 'folder' ? node.variables : []
          const scope = p.path === '' ? 'collection' : `folder:${p.path}`
          await manager.storeSecrets((n) => manager.secretKey(dir, scope, n), p.variables, before)
        }
        const r = await store.saveFolderSettings(dir, p.path, {
          ...(p.name !== undefined ? { name: p.name } : {}),
          ...(p.variables ? { variables: p.variables } : {}),
          ...(p.auth ? { auth: p.auth } : {}),
          ...(p.scripts ? { scripts: p.scripts } : {}),
        })
        if (p.auth) deps.auth.clear()
        return r.ok ? ok({ saved: true as const }) : r
      }),
    'environment.save': (p) =>
      change(p.dir, [], async (dir) => {
        const loaded = manager.loaded(dir)
        const before = loaded.ok
          ? (loaded.value.info.environments.find((e) => e.id === p.id)?.variables ?? [])
          : []
        await manager.storeSecrets((n) => manager.secretKey(dir, `env:${p.id}`, n), p.variables, before)
        const r = await store.saveEnvironment(dir, p.id, p.name, p.variables)
        return r.ok ? ok({ id: p.id }) : r
      }),
    'environment.delete': (p) =>
      change(p.dir, [], async (dir) => {
        if (!/^[A-Za-z0-9][\w.-]*$/.test(p.id)) return fail('invalid_request', 'Not an environment id')
        const r = await store.deleteEnvironment(dir, p.id)
        return r.ok ? ok({ deleted: true as const }) : r
      }),
    'environment.select': async (p) => {
      await manager.selectEnvironment(p.dir, p.env)
      return ok({ env: p.env })
    },
    'globals.get': async () => ok({ variables: manager.getGlobals() }),
    'globals.save': async (p) => {
      await manager.saveGlobals(p.variables)
      return ok({ saved: true as const })
    },
    'files.allowed': async () => ok({ folders: manager.files.list() }),
    'files.allow': async (p) => {
      const r = await manager.files.allow(p.folder)
      return r.ok ? ok({ folders: r.value }) : r
    },
    'files.forget': async (p) => ok({ folders: await manager.files.forget(p.folder) }),
    'variables.list': async (p) => {
      const r = await manager.scope(p.context, false)
      return r.ok ? ok({ variables: r.value }) : r
    },
    'request.send': async (p) => {
      const name = savedRequestName(manager, p.context)
      const send = async (
        request: typeof p.request,
        auth: AuthSpec,
        count = p.count ?? 1,
        batch?: BatchRef,
        sid?: string,
        scriptRead: readonly EmptySecretUse[] = [],
      ): Promise<Result<SendResult>> => {
        const hook = deps.webhookValues?.()
        const prepared = await prepareRequest(
          manager,
          withoutCaFile(request, p.caFile),
          auth,
          p.context,
          [],
          hook?.dyn,
        )
        if (!prepared.ok) return prepared
        const unsplittable = refuseUntypedMultipart(prepared.value.spec)
        if (unsplittable) return unsplittable
        if (p.caFile !== undefined)
          prepared.value.spec.options = { ...prepared.value.spec.options, caFile: p.caFile }
        const trace = tracePlanOf(manager, p.context, p.trace, deps.traces)
        // The app sends a secret with no value here empty, and says so beside the response's status.
        const empty = mergeEmptySecrets(prepared.value.emptySecrets ?? [], scriptRead)
        const sent = await deps.auth.send(prepared.value.spec, prepared.value.auth, count, {
          ...(name ? { name } : {}),
          ...(batch ? { batch } : {}),
          ...(sid ? { sid } : {}),
          ...(trace ? { trace } : {}),
          ...(empty.length > 0 ? { emptySecrets: empty } : {}),
        })
        if (sent.ok) hook?.bind(sent.value.sids)
        return sent
      }
      const scripts = deps.scripts
      const levels = scripts && p.runScripts !== false ? sendLevels(manager, p.context) : []
      if (scripts && p.runScripts !== false && (SendScripts.runs(p.scripts) || levelsRun(levels)))
        return scripts.send(
          {
            request: p.request,
            auth: p.auth,
            scripts: p.scripts,
            levels,
            context: p.context,
            name,
            ...(p.count ? { count: p.count } : {}),
            emptySecrets: (vars) => manager.emptySecrets(p.context?.dir ?? '', vars),
          },
          () => manager.scope(p.context, true),
          send,
        )
      return send(p.request, p.auth)
    },
    'import.run': (p) =>
      deps.importer
        ? deps.importer(p)
        : Promise.resolve(fail('unsupported', 'Import is not available in this host')),
    'export.collection': (p) =>
      deps.exporter
        ? deps.exporter.collection(p)
        : Promise.resolve(fail('unsupported', 'Export is not available')),
    'export.request': (p) =>
      deps.exporter
        ? deps.exporter.request(p)
        : Promise.resolve(fail('unsupported', 'Export is not available')),
  }
  const ready = deps.ready
  if (!ready) return handlers
  // Every command waits for the restore to finish, so a first `collection.list` already sees last session's folders.
  const wrapped = {} as Record<CollectionCommand, (p: never) => Promise<Result<unknown>>>
  for (const name of Object.keys(handlers) as CollectionCommand[]) {
    const h = handlers[name] as (p: never) => Promise<Result<unknown>>
    wrapped[name] = async (p) => {
      await ready
      return h(p)
    }
  }
  return wrapped as unknown as CollectionHandlers
}
