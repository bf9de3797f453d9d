import { basename } from 'node:path'
import { joinPath, type RequestScripts, type Variable } from '../../shared/collection'
import { ok, type Result } from '../../shared/result'
import {
  COLLECTION_FILE,
  COLLECTION_KEYS,
  FOLDER_FILE,
  FOLDER_KEYS,
  type CollectionSettings,
  type FolderSettings,
} from './collection-file-format'
import { collectionPlain, folderPlain } from './collection-file-write'
import { parseCollectionText, parseFolderText } from './collection-file-read'
import { guarded, readIfExists, refusal, writeDoc } from './guarded-write'
import { absPath } from './paths'

/**
 * A folder's settings file (`folder.yaml`; for the collection root, '', `collection.yaml`): its variables, auth,
 * display name, scripts and the `order` list a rename, move or delete keeps in step.
 */

export async function readFolderSettings(
  dir: string,
  folder: string,
): Promise<Result<FolderSettings | null>> {
  const rel = folder === '' ? COLLECTION_FILE : joinPath(folder, FOLDER_FILE)
  const text = await readIfExists(absPath(dir, rel))
  if (text === null) return ok(null)
  const r = folder === '' ? parseCollectionText(text, basename(dir)) : parseFolderText(text)
  return r.ok ? ok(r.value) : (refusal(rel, r) as Result<never>)
}

/** Save a folder's (or, for '', the collection's) variables, auth and name. */
export async function saveFolderSettings(
  dir: string,
  folder: string,
  patch: {
    name?: string
    variables?: Variable[]
    auth?: FolderSettings['auth']
    order?: string[]
    scripts?: RequestScripts
  },
): Promise<Result<string>> {
  return guarded(folder || 'collection.yaml', async (): Promise<Result<string>> => {
    const current = await readFolderSettings(dir, folder)
    if (!current.ok) return current
    const base: FolderSettings = current.value ?? { variables: [], auth: { type: 'inherit' }, order: [] }
    const next: FolderSettings = {
      ...base,
      ...(patch.variables ? { variables: patch.variables } : {}),
      ...(patch.auth ? { auth: patch.auth } : {}),
      ...(patch.order ? { order: patch.order } : {}),
      ...(patch.name !== undefined ? { name: patch.name } : {}),
    }
    if (patch.scripts) {
      // An emptied script leaves the file, as on a request; `{}` removes the block.
      delete next.scripts
      const kept = keptScripts(patch.scripts)
      if (kept) next.scripts = kept
    }
    if (folder === '') {
      const c = base as CollectionSettings
      const settings: CollectionSettings = { ...next, name: next.name ?? c.name ?? basename(dir) }
      if (c.id !== undefined) settings.id = c.id
      return writeDoc(dir, COLLECTION_FILE, collectionPlain(settings), COLLECTION_KEYS, (t) =>
        parseCollectionText(t, basename(dir)),
      )
    }
    return writeDoc(dir, joinPath(folder, FOLDER_FILE), folderPlain(next), FOLDER_KEYS, parseFolderText)
  })
}

/** A folder's scripts without blank texts; null when nothing is left. */
function keptScripts(s: RequestScripts): RequestScripts | null {
  const out: RequestScripts = {}
  if (s.preRequest !== undefined && s.preRequest.trim() !== '') out.preRequest = s.preRequest
  if (s.test !== undefined && s.test.trim() !== '') out.test = s.test
  if (out.preRequest === undefined && out.test === undefined) return null
  if (s.translated !== undefined) out.translated = s.translated
  return out
}

/** Keep a folder's `order` list (when it has one) in step with a rename or move. */
export async function updateOrder(
  dir: string,
  folder: string,
  from: string | null,
  to: string | null,
): Promise<void> {
  const current = await readFolderSettings(dir, folder)
  if (!current.ok || !current.value || current.value.order.length === 0) return
  const order = [...current.value.order]
  const at = from === null ? -1 : order.indexOf(from)
  if (at !== -1 && to !== null) order[at] = to
  else if (at !== -1) order.splice(at, 1)
  else if (to !== null) order.push(to)
  else return
  const rel = folder === '' ? COLLECTION_FILE : joinPath(folder, FOLDER_FILE)
  const value =
    folder === ''
      ? collectionPlain({ ...(current.value as CollectionSettings), order })
      : folderPlain({ ...current.value, order })
  await writeDoc(dir, rel, value, folder === '' ? COLLECTION_KEYS : FOLDER_KEYS, () => ({
    ok: true,
    value: null,
  }))
}
