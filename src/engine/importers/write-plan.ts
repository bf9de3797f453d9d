import { mkdir, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { SavedRequest, Variable } from '../../shared/collection'
import type { ImportReport } from '../../shared/collection-schemas'
import { fail, ok, type Result } from '../../shared/result'
import { deferDurability, writeFileAtomic } from '../collections/atomic-write'
import { COLLECTION_FILE, ENVIRONMENTS_DIR } from '../collections/collection-file-format'
import { secretKeyFor } from '../collections/manager'
import {
  createCollection,
  createFolder,
  createRequest,
  readFolderSettings,
  saveEnvironment,
  saveFolderSettings,
  slugify,
} from '../collections/store'
import { fileFailure } from '../collections/write-guard'
import type { SecretStore } from '../secrets/secret-store'
import { openStage, StageCommitError, type Stage } from './import-staging'
import type { KnownFormat } from './index'
import { countPlan, ImportError, type ImportPlan, type PlanFile, type PlanNode } from './plan'
import { arrangeReport } from './report-order'
import { makeFolder } from '../files/make-folder'

/**
 * The writer: a plan becomes a collection folder (or a folder inside an existing collection), written into a
 * stage and moved into place once whole (./import-staging.ts), its secret values in the secret store, its report
 * arranged with what matters first (./report-order.ts).
 */

/** A write failed at the filesystem part-way through an import: stop there and say why. */
class ImportWriteError extends Error {
  constructor(
    readonly result: Result<never>,
    /** What was being written (`request "Create user"`), when the failure names only its folder. */
    readonly what?: string,
  ) {
    super('import write failed')
  }
}

function stopOnFileError(r: Result<unknown>, what?: string): void {
  if (!r.ok && r.error.code === 'file') throw new ImportWriteError(r as Result<never>, what)
}

interface WriteContext {
  dir: string
  collectionId: string
  secrets: SecretStore | null
  unmapped: string[]
  /** Where each request with a ref was written, for the `dependsOnRefs` of the requests after it. */
  refs: Map<string, string>
  /** Secret store keys this import set, removed again if it fails. */
  secretKeys: string[]
  /** The plan's own files (`files`), and the folder the import writes into ('' or `name/`), put before them. */
  files?: { paths: ReadonlySet<string>; prefix: string }
}

/** A request with its `dependsOnRefs` as `dependsOn` paths (from the collection root). */
function withDependencies(ctx: WriteContext, node: Extract<PlanNode, { type: 'request' }>): SavedRequest {
  if (!node.dependsOnRefs || node.dependsOnRefs.length === 0) return node.request
  const paths = node.dependsOnRefs.flatMap((ref) => ctx.refs.get(ref) ?? [])
  const dependsOn = [...new Set([...(node.request.dependsOn ?? []), ...paths])]
  return dependsOn.length > 0 ? { ...node.request, dependsOn } : node.request
}

/**
 * A request naming the plan's own files (its file body, file parts, proto files and their import folders), with
 * each such path from the collection folder.
 */
function withOwnFile(ctx: WriteContext, request: SavedRequest): SavedRequest {
  const files = ctx.files
  if (!files || files.prefix === '') return request
  const own = (path: string): string => (files.paths.has(path) ? `${files.prefix}${path}` : path)
  const body = request.body
  const out: SavedRequest =
    body.kind === 'file'
      ? { ...request, body: { ...body, path: own(body.path) } }
      : body.kind === 'multipart'
        ? {
            ...request,
            body: {
              ...body,
              parts: body.parts.map((p) => (p.kind === 'file' ? { ...p, path: own(p.path) } : p)),
            },
          }
        : request
  // An import path below the plan's own files (a proto's copied import folder) moves with them.
  const ownDir = (dir: string): string =>
    [...files.paths].some((p) => p.startsWith(`${dir}/`)) ? `${files.prefix}${dir}` : dir
  const g = out.grpc
  if (!g?.proto) return out
  const importPaths = g.importPaths?.map(ownDir)
  return { ...out, grpc: { ...g, proto: g.proto.map(own), ...(importPaths ? { importPaths } : {}) } }
}

/**
 * The plan's own files, written below the import's folder in the stage (made durable with the rest of it); the
 * report names each where it will be once the stage is in place (`dir`, the collection's folder).
 */
async function writeOwnFiles(
  ctx: WriteContext,
  root: string,
  dir: string,
  target: string,
  files: readonly PlanFile[],
): Promise<void> {
  for (const f of files) {
    const at = join(root, target, ...f.path.split('/'))
    await makeFolder(dirname(at))
    await writeFileAtomic(at, f.bytes)
    ctx.unmapped.push(
      `${f.said}: written to ${join(dir, target, ...f.path.split('/'))}, which the request ${f.use ?? 'sends'}`,
    )
  }
}

/** Secret values go to the secret store; the files only say the variable is secret. */
async function keepSecrets(ctx: WriteContext, scope: string, vars: readonly Variable[]): Promise<Variable[]> {
  const out: Variable[] = []
  for (const v of vars) {
    if (v.secret && v.value !== '') {
      if (ctx.secrets) {
        const key = secretKeyFor(ctx.collectionId, scope, v.name)
        await ctx.secrets.set(key, v.value)
        ctx.secretKeys.push(key)
      } else ctx.unmapped.push(`secret ${v.name}: no secret store here; its value was not kept`)
    }
    out.push(v.secret ? { ...v, value: '' } : v)
  }
  return out
}

async function writeChildren(
  ctx: WriteContext,
  folder: string,
  children: readonly PlanNode[],
  depth: number,
): Promise<void> {
  const order: string[] = []
  // Per file stem, the suffix after the last one this folder got: requests sharing a name (a HAR's thousand polls
  // of one URL) each take the next, not every taken one again.
  const suffixes = new Map<string, number>()
  for (const node of children) {
    if (node.type === 'request') {
      const stem = slugify(node.request.name)
      const from = (suffixes.get(stem) ?? 0) + 1
      const r = await createRequest(ctx.dir, folder, withOwnFile(ctx, withDependencies(ctx, node)), from)
      stopOnFileError(r, `request "${node.request.name}"`)
      if (r.ok) {
        const file = basename(r.value).replace(/\.yaml$/, '')
        suffixes.set(stem, file === stem ? 1 : Number(/-(\d+)$/.exec(file)?.[1] ?? from))
        order.push(file)
        if (node.ref !== undefined) ctx.refs.set(node.ref, r.value)
      }
      continue
    }
    const f = node.folder
    const made = await createFolder(ctx.dir, folder, f.name)
    stopOnFileError(made, `folder "${f.name}"`)
    if (!made.ok) continue
    order.push(basename(made.value))
    if (depth < 32) await writeChildren(ctx, made.value, f.children, depth + 1)
    const variables = await keepSecrets(ctx, `folder:${made.value}`, f.variables)
    if (variables.length > 0 || f.auth.type !== 'inherit' || f.scripts)
      stopOnFileError(
        await saveFolderSettings(ctx.dir, made.value, {
          variables,
          auth: f.auth,
          ...(f.scripts ? { scripts: f.scripts } : {}),
        }),
      )
  }
  // Keep the source's order (alphabetical is the default without one).
  if (order.length > 1) stopOnFileError(await saveFolderSettings(ctx.dir, folder, { order }))
}

/** A folder name for the import's own folder in an existing collection: free there and in the stage. */
async function freeFolderName(stage: Stage, name: string): Promise<string> {
  const base = slugify(name, 'folder', 'folder')
  for (let i = 1; i <= 1000; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`
    if (!(await stage.taken(candidate))) return candidate
  }
  throw new ImportError(`no free folder name for ${name} in the collection`)
}

/** Everything the plan holds, written into the stage (same layout as the collection it becomes part of). */
async function writeStaged(
  ctx: WriteContext,
  stage: Stage,
  plan: ImportPlan,
  format: KnownFormat,
  dir: string,
  existing: boolean,
  curlFolder: string | undefined,
): Promise<Result<ImportReport>> {
  const root = stage.root
  if (existing) {
    const settings = await readFolderSettings(dir, '')
    ctx.collectionId =
      settings.ok && settings.value && 'id' in settings.value && typeof settings.value.id === 'string'
        ? settings.value.id
        : dir
  } else {
    const made = await createCollection(root, plan.name)
    stopOnFileError(made)
    if (!made.ok) return made
    ctx.collectionId = made.value.id ?? dir
  }
  const counts = countPlan(plan.children)
  let target = ''
  let path: string | undefined
  if (format === 'curl') {
    const node = plan.children[0]
    if (node?.type === 'request') {
      const r = await createRequest(root, curlFolder ?? '', node.request)
      stopOnFileError(r)
      if (!r.ok) return r
      path = r.value
    }
  } else if (plan.children.length > 0 || plan.variables.length > 0 || plan.scripts) {
    if (existing) {
      // Into an existing collection: the import gets a folder of its own, with its variables and auth.
      target = await freeFolderName(stage, plan.name)
      await mkdir(join(root, target))
      if (target !== plan.name) stopOnFileError(await saveFolderSettings(root, target, { name: plan.name }))
    }
    const variables = await keepSecrets(
      ctx,
      target === '' ? 'collection' : `folder:${target}`,
      plan.variables,
    )
    const saved = await saveFolderSettings(root, target, {
      variables,
      auth: plan.auth,
      ...(plan.scripts ? { scripts: plan.scripts } : {}),
    })
    stopOnFileError(saved)
    if (!saved.ok) return saved
    const files = plan.files ?? []
    if (files.length > 0) {
      ctx.files = { paths: new Set(files.map((f) => f.path)), prefix: target === '' ? '' : `${target}/` }
      await writeOwnFiles(ctx, root, dir, target, files)
    }
    await writeChildren(ctx, target, plan.children, 0)
  }
  for (const env of plan.environments.slice(0, 200)) {
    let envId = slugify(env.name, 'environment', 'environment')
    for (let i = 2; i < 1000; i++) {
      if (!(await stage.taken(`${ENVIRONMENTS_DIR}/${envId}.yaml`))) break
      envId = `${slugify(env.name, 'environment', 'environment')}-${i}`
    }
    const variables = await keepSecrets(ctx, `env:${envId}`, env.variables)
    const r = await saveEnvironment(root, envId, env.name, variables)
    stopOnFileError(r)
    if (!r.ok) return r
  }
  const report: ImportReport = {
    format,
    dir,
    requests: counts.requests,
    folders: counts.folders,
    environments: plan.environments.length,
    unmapped: ctx.unmapped,
  }
  if (path !== undefined) report.path = path
  return ok(report)
}

/** The report with what matters first and the long tail folded (./report-order.ts). */
function arranged(report: ImportReport): ImportReport {
  const { attention, folded, unmapped } = arrangeReport(report.unmapped)
  return { ...report, unmapped, attention, folded }
}

/** Take back what a failed import did: its stage, and the secret values it stored. */
async function undo(ctx: WriteContext, stage: Stage | null): Promise<string | null> {
  if (ctx.secrets) for (const key of ctx.secretKeys) await ctx.secrets.set(key, null).catch(() => undefined)
  return stage ? stage.abort() : null
}

/** The one message of an import stopped by the file system, true about what is left on disk. */
function stoppedMessage(dir: string, reason: string, leftover: string | null): string {
  const why = reason
    .replace(/; nothing on disk was changed$/, '')
    .replace(/^Could not save /, 'could not write ')
  return leftover === null
    ? `The import stopped part-way (${why}). Nothing was imported: ${dir} is as it was (the files written so far were removed)`
    : `The import stopped part-way (${why}). Nothing was added to ${dir}, but the files written so far could not be removed: delete ${leftover}`
}

/**
 * Write a plan into `into`: a new collection, or a new folder inside an existing one. It is written into a stage
 * and moved into place once whole (./import-staging.ts): an import that fails part-way leaves nothing.
 */
export async function writePlan(
  plan: ImportPlan,
  format: KnownFormat,
  into: string,
  secrets: SecretStore | null,
  curlFolder?: string,
): Promise<Result<ImportReport>> {
  const dir = resolve(into)
  const existing = await stat(join(dir, COLLECTION_FILE)).then(
    () => true,
    () => false,
  )
  if (format === 'curl' && existing) {
    // One request file into a collection that is there: a single atomic write, nothing to stage.
    const node = plan.children[0]
    const report: ImportReport = {
      format,
      dir,
      requests: 1,
      folders: 0,
      environments: 0,
      unmapped: plan.unmapped,
    }
    if (node?.type !== 'request') return ok({ ...report, requests: 0 })
    const r = await createRequest(dir, curlFolder ?? '', node.request)
    return r.ok ? ok(arranged({ ...report, path: r.value })) : r
  }
  const ctx: WriteContext = {
    dir: '',
    collectionId: dir,
    secrets,
    unmapped: [...plan.unmapped],
    refs: new Map(),
    secretKeys: [],
  }
  let stage: Stage | null = null
  let durability: ReturnType<typeof deferDurability> | null = null
  try {
    stage = await openStage(dir)
    ctx.dir = stage.root
    // Files in the stage are made durable together just before it moves into place, not one by one.
    durability = deferDurability(stage.root)
    const r = await writeStaged(ctx, stage, plan, format, dir, existing, curlFolder)
    if (!r.ok) {
      await undo(ctx, stage)
      return r
    }
    await durability.flush()
    await stage.commit()
    return ok(arranged(r.value))
  } catch (e) {
    const leftover = await undo(ctx, stage)
    if (e instanceof ImportWriteError) {
      const reason = e.result.ok ? '' : e.result.error.message
      const named =
        e.what === undefined ? reason : reason.replace(/^Could not save [^:]*:/, `could not write ${e.what}:`)
      return fail('file', stoppedMessage(dir, named, leftover))
    }
    if (e instanceof StageCommitError) {
      const code = (e.cause as NodeJS.ErrnoException | null)?.code
      const detail = e.cause instanceof Error ? e.cause.message : String(e.cause)
      return fail(
        'file',
        stoppedMessage(dir, `could not move ${e.rel} into place: ${code ?? detail}`, leftover),
      )
    }
    const failure = errnoFailure(e)
    if (failure) return fail('file', stoppedMessage(dir, failure, leftover))
    throw e
  } finally {
    durability?.end()
  }
}

/** A file system error's plain reason (`EACCES`, `ENOSPC`, ...), or null for anything else. */
function errnoFailure(e: unknown): string | null {
  const r = (() => {
    try {
      return fileFailure('', e)
    } catch {
      return null
    }
  })()
  return r && !r.ok ? r.error.message : null
}
