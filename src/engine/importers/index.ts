import { mkdir, readFile, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { load as loadYaml, CORE_SCHEMA } from 'js-yaml'
import type { SavedRequest, Variable } from '../../shared/collection'
import type { ImportFormat, ImportReport } from '../../shared/collection-schemas'
import { fail, ok, type Result } from '../../shared/result'
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
import { deferDurability } from '../collections/atomic-write'
import { fileFailure } from '../collections/write-guard'
import { openStage, StageCommitError, type Stage } from './import-staging'
import { arrangeReport } from './report-order'
import type { SecretStore } from '../secrets/secret-store'
import { importCurl, looksLikeCurl } from './curl'
import { importHar, isHar } from './har'
import {
  importHoppscotchCollection,
  importHoppscotchEnvironment,
  isHoppscotchCollection,
  isHoppscotchEnvironment,
} from './hoppscotch'
import { importInsomnia, isInsomniaExport } from './insomnia'
import { importInsomniaV5, isInsomniaV5 } from './insomnia-v5'
import { importOpenApi, isOpenApi } from './openapi'
import { planInWorker } from './plan-in-worker'
import { importYaak, isYaakExport } from './yaak'
import { countPlan, emptyPlan, ImportError, isObj, type ImportPlan, type PlanNode } from './plan'
import {
  importPostmanCollection,
  importPostmanEnvironment,
  isPostmanCollection,
  isPostmanEnvironment,
} from './postman'

/**
 * Import: detect the format, build a plan, write it as a collection folder. Every importer reports what it
 * could not map; nothing is dropped silently. A file that cannot be read fails with one plain reason.
 */

export { ImportError } from './plan'
export type KnownFormat = Exclude<ImportFormat, 'auto'>

const MAX_IMPORT_BYTES = 64 * 1024 * 1024
/**
 * Most requests and folders one import writes. Each is a file written atomically (with an fsync), so an
 * export with hundreds of thousands of items would keep the disk busy for many minutes: it is refused, whole,
 * before anything is written, rather than half-imported.
 */
export const MAX_IMPORT_ITEMS = 10_000

/** A write failed at the filesystem part-way through an import: stop there and say why. */
class ImportWriteError extends Error {
  constructor(readonly result: Result<never>) {
    super('import write failed')
  }
}

function stopOnFileError(r: Result<unknown>): void {
  if (!r.ok && r.error.code === 'file') throw new ImportWriteError(r as Result<never>)
}

function parseStructured(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (jsonError) {
    try {
      const data: unknown = loadYaml(text, { schema: CORE_SCHEMA, json: true })
      if (isObj(data)) return data
    } catch {
      // Fall through to the JSON error, which names a position.
    }
    const message = jsonError instanceof Error ? jsonError.message : String(jsonError)
    throw new ImportError(`not JSON or YAML (${message})`)
  }
}

export function detectFormat(data: unknown): KnownFormat | null {
  if (isPostmanCollection(data)) return 'postman'
  if (isPostmanEnvironment(data)) return 'postman-env'
  if (isInsomniaExport(data) || isInsomniaV5(data)) return 'insomnia'
  if (isHoppscotchCollection(data)) return 'hoppscotch'
  if (isHoppscotchEnvironment(data)) return 'hoppscotch-env'
  if (isYaakExport(data)) return 'yaak'
  if (isOpenApi(data)) return 'openapi'
  if (isHar(data)) return 'har'
  return null
}

/** Text in, plan out. `format` 'auto' detects; an explicit format must match what the file is. */
export async function planImport(
  text: string,
  format: ImportFormat,
): Promise<{ format: KnownFormat; plan: ImportPlan }> {
  if (format === 'curl' || (format === 'auto' && looksLikeCurl(text))) {
    const { request, unmapped } = await importCurl(text)
    const plan = emptyPlan('Pasted curl')
    plan.children = [{ type: 'request', request }]
    plan.unmapped = unmapped
    return { format: 'curl', plan }
  }
  if (text.trim() === '') throw new ImportError('the file is empty')
  const data = parseStructured(text)
  const detected = detectFormat(data)
  if (!detected) {
    if (isObj(data) && typeof data['swagger'] === 'string') {
      throw new ImportError(
        `Swagger ${String(data['swagger'])} is not supported; convert it to OpenAPI 3 first`,
      )
    }
    if (isObj(data) && isObj(data['info']) && typeof data['info']['schema'] === 'string') {
      throw new ImportError(`unsupported Postman collection schema: ${String(data['info']['schema'])}`)
    }
    throw new ImportError(
      'unrecognised format: expected a Postman collection or environment, an Insomnia v4 or v5 export, a Hoppscotch collection or environment, a Yaak export, a Bruno collection folder, OpenAPI 3, HAR or a curl command',
    )
  }
  if (format !== 'auto' && format !== detected)
    throw new ImportError(`the file is ${detected}, not ${format}`)
  switch (detected) {
    case 'postman':
      return { format: detected, plan: importPostmanCollection(data) }
    case 'postman-env':
      return { format: detected, plan: importPostmanEnvironment(data) }
    case 'insomnia':
      return { format: detected, plan: isInsomniaV5(data) ? importInsomniaV5(data) : importInsomnia(data) }
    case 'hoppscotch':
      return { format: detected, plan: importHoppscotchCollection(data) }
    case 'hoppscotch-env':
      return { format: detected, plan: importHoppscotchEnvironment(data) }
    case 'yaak':
      return { format: detected, plan: importYaak(data) }
    case 'openapi':
      return { format: detected, plan: await importOpenApi(data) }
    case 'har':
      return { format: detected, plan: importHar(data) }
    default:
      throw new ImportError(`cannot import ${detected}`)
  }
}

export async function readImportFile(file: string): Promise<string> {
  let st
  try {
    st = await stat(file)
  } catch {
    throw new ImportError(`cannot read ${file}: no such file`)
  }
  if (!st.isFile()) throw new ImportError(`cannot read ${file}: not a file`)
  if (st.size > MAX_IMPORT_BYTES) throw new ImportError(`${file} is larger than 64 MiB`)
  const bytes = await readFile(file)
  const text = bytes.toString('utf8')
  if (text.includes('\u0000')) throw new ImportError(`${file} is a binary file, not an export`)
  return text.replace(/^\uFEFF/, '')
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
}

/** A request with its `dependsOnRefs` as `dependsOn` paths (from the collection root). */
function withDependencies(ctx: WriteContext, node: Extract<PlanNode, { type: 'request' }>): SavedRequest {
  if (!node.dependsOnRefs || node.dependsOnRefs.length === 0) return node.request
  const paths = node.dependsOnRefs.flatMap((ref) => ctx.refs.get(ref) ?? [])
  const dependsOn = [...new Set([...(node.request.dependsOn ?? []), ...paths])]
  return dependsOn.length > 0 ? { ...node.request, dependsOn } : node.request
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
  for (const node of children) {
    if (node.type === 'request') {
      const r = await createRequest(ctx.dir, folder, withDependencies(ctx, node))
      stopOnFileError(r)
      if (r.ok) {
        order.push(basename(r.value).replace(/\.yaml$/, ''))
        if (node.ref !== undefined) ctx.refs.set(node.ref, r.value)
      }
      continue
    }
    const f = node.folder
    const made = await createFolder(ctx.dir, folder, f.name)
    stopOnFileError(made)
    if (!made.ok) continue
    order.push(basename(made.value))
    if (depth < 32) await writeChildren(ctx, made.value, f.children, depth + 1)
    const variables = await keepSecrets(ctx, `folder:${made.value}`, f.variables)
    if (variables.length > 0 || f.auth.type !== 'inherit')
      stopOnFileError(await saveFolderSettings(ctx.dir, made.value, { variables, auth: f.auth }))
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
  } else if (plan.children.length > 0 || plan.variables.length > 0) {
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
    const saved = await saveFolderSettings(root, target, { variables, auth: plan.auth })
    stopOnFileError(saved)
    if (!saved.ok) return saved
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
    if (e instanceof ImportWriteError)
      return fail('file', stoppedMessage(dir, e.result.ok ? '' : e.result.error.message, leftover))
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

/** The whole import: read or take the text, plan, write. Errors come back as data with one plain reason. */
export async function runImport(
  source: { file?: string; text?: string },
  format: ImportFormat,
  into: string,
  secrets: SecretStore | null,
  curlFolder?: string,
): Promise<Result<ImportReport>> {
  try {
    if (source.text === undefined && source.file === undefined)
      return fail('invalid_request', 'Give a file or the text to import')
    const { format: detected, plan } = await planInWorker(source, format)
    const counts = countPlan(plan.children)
    if (counts.requests + counts.folders > MAX_IMPORT_ITEMS) {
      return fail(
        'too_large',
        `The file has ${counts.requests} requests in ${counts.folders} folders; Flightdeck imports at most ${MAX_IMPORT_ITEMS.toLocaleString('en-US')} at a time (nothing was written)`,
      )
    }
    return await writePlan(plan, detected, into, secrets, curlFolder)
  } catch (e) {
    if (e instanceof ImportWriteError) return e.result
    if (e instanceof ImportError) return fail('parse', e.message)
    throw e
  }
}
