import { randomUUID } from 'node:crypto'
import { readFile, rename, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { joinPath, parentPath, type SavedRequest, type Variable } from '../../shared/collection'
import { fail, ok, type Result } from '../../shared/result'
import { writeFileAtomic } from './atomic-write'
import {
  COLLECTION_FILE,
  COLLECTION_KEYS,
  ENVIRONMENT_KEYS,
  ENVIRONMENTS_DIR,
  FOLDER_FILE,
  FOLDER_KEYS,
  REQUEST_KEYS,
  requestKeysFor,
  type CollectionSettings,
} from './collection-file-format'
import { collectionPlain, environmentPlain, folderPlain, requestPlain } from './collection-file-write'
import {
  parseCollectionText,
  parseEnvironmentText,
  parseFolderText,
  parseRequestText,
} from './collection-file-read'
import { readFolderSettings, saveFolderSettings, updateOrder } from './folder-settings'
import { guarded, readIfExists, refusal, uniqueName, writeDoc } from './guarded-write'
import { stemOf, versionOf } from './loader'
import { renderYaml } from './yaml-doc'
import { absPath, slugify } from './paths'
import { checkInside } from './write-guard'
import { makeFolder } from '../files/make-folder'

export { absPath, safeRel, slugify } from './paths'
export { fileFailure } from './write-guard'
export { readFolderSettings, saveFolderSettings } from './folder-settings'

/**
 * Every change to a collection folder. Writes are atomic (./atomic-write.ts). A file that exists but does not
 * parse is never written over: the change is refused with the file's line and reason, so a person's broken
 * edit is never replaced by ours (./guarded-write.ts). A folder's settings and its `order` list, which renames,
 * moves and deletes keep in step: ./folder-settings.ts.
 */

export async function createCollection(dir: string, name: string): Promise<Result<CollectionSettings>> {
  return guarded('', async (): Promise<Result<CollectionSettings>> => {
    await makeFolder(dir)
    const file = join(dir, COLLECTION_FILE)
    const existing = await readIfExists(file)
    if (existing !== null) {
      const r = parseCollectionText(existing, basename(dir))
      return r.ok ? ok(r.value) : (refusal(COLLECTION_FILE, r) as Result<never>)
    }
    const settings: CollectionSettings = {
      id: randomUUID(),
      name,
      variables: [],
      auth: { type: 'inherit' },
      order: [],
    }
    await writeFileAtomic(file, renderYaml(collectionPlain(settings), null, COLLECTION_KEYS))
    return ok(settings)
  })
}

/**
 * Why a request cannot be saved at `rel`, or null: the collection's own files (`collection.yaml`, a folder's
 * `folder.yaml`, anything under `environments/`) would read as settings or environments, not as a request, and
 * the request would vanish into them.
 */
export function reservedRequestPath(rel: string): string | null {
  const name = rel.slice(rel.lastIndexOf('/') + 1)
  if (name === FOLDER_FILE) return `${rel} holds a folder's settings; a request cannot be saved there`
  if (rel === COLLECTION_FILE)
    return `${rel} holds the collection's settings; a request cannot be saved there`
  if (rel.startsWith(`${ENVIRONMENTS_DIR}/`))
    return `${rel} is an environment; a request cannot be saved there`
  return null
}

export async function saveRequest(
  dir: string,
  rel: string,
  request: SavedRequest,
  baseVersion: string | null,
): Promise<Result<{ version: string }>> {
  const reserved = reservedRequestPath(rel)
  if (reserved) return fail('invalid_request', reserved)
  return guarded(rel, async (): Promise<Result<{ version: string }>> => {
    const abs = absPath(dir, rel)
    const previous = await readIfExists(abs)
    if (previous !== null && baseVersion !== null && versionOf(previous) !== baseVersion) {
      return fail('conflict', `${rel} changed on disk since it was opened`)
    }
    if (previous === null && baseVersion !== null) {
      return fail('conflict', `${rel} was deleted on disk since it was opened`)
    }
    const stem = stemOf(basename(rel))
    const r = await writeDoc(dir, rel, requestPlain(request), requestKeysFor(request), (t) =>
      parseRequestText(t, stem),
    )
    return r.ok ? ok({ version: r.value }) : r
  })
}

/** `from`: the first `-N` suffix worth trying (uniqueName), for a writer that knows the ones before are taken. */
export async function createRequest(
  dir: string,
  folder: string,
  request: SavedRequest,
  from = 1,
): Promise<Result<string>> {
  return guarded(folder, async (): Promise<Result<string>> => {
    const name = await uniqueName(dir, folder, slugify(request.name), '.yaml', undefined, from)
    const rel = joinPath(folder, name)
    const inside = await checkInside(dir, rel, absPath(dir, rel), true)
    if (!inside.ok) return inside
    await makeFolder(absPath(dir, folder))
    await writeFileAtomic(absPath(dir, rel), renderYaml(requestPlain(request), null, REQUEST_KEYS))
    return ok(rel)
  })
}

export async function createFolder(dir: string, parent: string, name: string): Promise<Result<string>> {
  return guarded(parent, async (): Promise<Result<string>> => {
    const dirName = await uniqueName(dir, parent, slugify(name, 'folder', 'folder'), '')
    const rel = joinPath(parent, dirName)
    const inside = await checkInside(dir, rel, absPath(dir, rel), false)
    if (!inside.ok) return inside
    await makeFolder(absPath(dir, rel))
    if (dirName !== name) {
      // Keep the name as typed when the folder's own name had to be simplified.
      await writeFileAtomic(
        absPath(dir, joinPath(rel, FOLDER_FILE)),
        renderYaml(
          folderPlain({ name, variables: [], auth: { type: 'inherit' }, order: [] }),
          null,
          FOLDER_KEYS,
        ),
      )
    }
    return ok(rel)
  })
}

function entryName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1)
}

function orderKey(rel: string, isFolder: boolean): string {
  return isFolder ? entryName(rel) : stemOf(entryName(rel))
}

/** Rename a request (its `name` and its file) or a folder (its directory). Returns the new path. */
export async function renameNode(dir: string, rel: string, name: string): Promise<Result<string>> {
  return guarded(rel, async (): Promise<Result<string>> => {
    const abs = absPath(dir, rel)
    const inside = await checkInside(dir, rel, abs, false)
    if (!inside.ok) return inside
    const st = await stat(abs).catch(() => null)
    if (!st) return fail('not_found', `${rel} no longer exists`)
    const folder = parentPath(rel)
    if (st.isDirectory()) {
      const dirName = await uniqueName(dir, folder, slugify(name, 'folder', 'folder'), '', rel)
      const next = joinPath(folder, dirName)
      if (next !== rel) {
        await rename(abs, absPath(dir, next))
        await updateOrder(dir, folder, orderKey(rel, true), dirName)
      }
      const saved = await saveFolderSettings(dir, next, dirName === name ? {} : { name })
      if (!saved.ok) return saved
      if (dirName === name) {
        // The directory name says it all; drop a stale display name if the folder file has one.
        const s = await readFolderSettings(dir, next)
        if (s.ok && s.value?.name !== undefined) {
          const { name: _drop, ...rest } = s.value
          await writeDoc(dir, joinPath(next, FOLDER_FILE), folderPlain(rest), FOLDER_KEYS, parseFolderText)
        }
      }
      return ok(next)
    }
    const text = await readFile(abs, 'utf8')
    const stem = stemOf(entryName(rel))
    const parsed = parseRequestText(text, stem)
    if (!parsed.ok) return refusal(rel, parsed) as Result<never>
    const saved = await saveRequest(dir, rel, { ...parsed.value, name }, null)
    if (!saved.ok) return saved
    const fileName = await uniqueName(dir, folder, slugify(name), '.yaml', rel)
    const next = joinPath(folder, fileName)
    if (next !== rel) {
      await rename(abs, absPath(dir, next))
      await updateOrder(dir, folder, stem, stemOf(fileName))
    }
    return ok(next)
  })
}

export async function duplicateRequest(dir: string, rel: string): Promise<Result<string>> {
  return guarded(rel, async (): Promise<Result<string>> => {
    const text = await readIfExists(absPath(dir, rel))
    if (text === null) return fail('not_found', `${rel} no longer exists`)
    const parsed = parseRequestText(text, stemOf(entryName(rel)))
    if (!parsed.ok) return refusal(rel, parsed) as Result<never>
    return createRequest(dir, parentPath(rel), { ...parsed.value, name: `${parsed.value.name} copy` })
  })
}

/** Move a request file or a folder into `toFolder`. */
export async function moveNode(dir: string, rel: string, toFolder: string): Promise<Result<string>> {
  return guarded(rel, async (): Promise<Result<string>> => {
    const abs = absPath(dir, rel)
    const st = await stat(abs).catch(() => null)
    if (!st) return fail('not_found', `${rel} no longer exists`)
    const isFolder = st.isDirectory()
    if (isFolder && (toFolder === rel || toFolder.startsWith(`${rel}/`))) {
      return fail('invalid_request', 'A folder cannot move into itself')
    }
    const from = parentPath(rel)
    if (from === toFolder) return ok(rel)
    const toAbs = absPath(dir, toFolder)
    const inside = await checkInside(dir, rel, abs, false)
    if (!inside.ok) return inside
    const target = await stat(toAbs).catch(() => null)
    if (!target?.isDirectory())
      return fail('not_found', `${toFolder || 'The collection root'} is not a folder`)
    const name = entryName(rel)
    const ext = isFolder ? '' : name.slice(stemOf(name).length)
    const free = await uniqueName(dir, toFolder, isFolder ? name : stemOf(name), ext)
    const next = joinPath(toFolder, free)
    const lands = await checkInside(dir, next, absPath(dir, next), false)
    if (!lands.ok) return lands
    await rename(abs, absPath(dir, next))
    await updateOrder(dir, from, orderKey(rel, isFolder), null)
    await updateOrder(dir, toFolder, null, orderKey(next, isFolder))
    return ok(next)
  })
}

export async function deleteNode(dir: string, rel: string): Promise<Result<{ deleted: boolean }>> {
  return guarded(rel, async (): Promise<Result<{ deleted: boolean }>> => {
    if (rel === '') return fail('invalid_request', 'The collection root is not deleted from here')
    const abs = absPath(dir, rel)
    const inside = await checkInside(dir, rel, abs, false)
    if (!inside.ok) return inside
    const st = await stat(abs).catch(() => null)
    if (!st) return ok({ deleted: false })
    await rm(abs, { recursive: st.isDirectory(), force: true })
    await updateOrder(dir, parentPath(rel), orderKey(rel, st.isDirectory()), null)
    return ok({ deleted: true })
  })
}

export async function saveEnvironment(
  dir: string,
  id: string,
  name: string,
  variables: Variable[],
): Promise<Result<string>> {
  return guarded(`environments/${id}.yaml`, async (): Promise<Result<string>> => {
    const rel = `${ENVIRONMENTS_DIR}/${id}.yaml`
    return writeDoc(dir, rel, environmentPlain(name, variables), ENVIRONMENT_KEYS, (t) =>
      parseEnvironmentText(t, id),
    )
  })
}

export async function deleteEnvironment(dir: string, id: string): Promise<Result<null>> {
  const rel = `${ENVIRONMENTS_DIR}/${id}.yaml`
  const inside = await checkInside(dir, rel, absPath(dir, rel), false)
  if (!inside.ok) return inside
  await rm(absPath(dir, rel), { force: true })
  return ok(null)
}
