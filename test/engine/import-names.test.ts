import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptySavedRequest, type FolderNode, type TreeNode } from '../../src/shared/collection'
import { loadCollection } from '../../src/engine/collections/loader'
import {
  createCollection,
  createFolder,
  createRequest,
  renameNode,
  saveRequest,
} from '../../src/engine/collections/store'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

const sample = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/samples/writer/${name}`, import.meta.url))

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-import-names-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function requests(folder: FolderNode): { path: string; name: string; method: string; url: string }[] {
  const out: { path: string; name: string; method: string; url: string }[] = []
  const walk = (nodes: readonly TreeNode[]): void => {
    for (const n of nodes) {
      if (n.type === 'folder') walk(n.children)
      else out.push({ path: n.path, name: n.name, method: n.method, url: n.url })
    }
  }
  walk(folder.children)
  return out
}

describe('names on import: nothing vanishes into the collection’s own files', () => {
  it('an OpenAPI tag "Environments" stays a folder of requests; requests named folder, Collection, CON keep their requests', async () => {
    const r = await runImport(
      { file: sample('openapi-reserved-names.yaml') },
      'auto',
      dir,
      new MemorySecretStore(),
    )
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value).toMatchObject({ requests: 13, folders: 3, environments: 0 })
    const { info } = await loadCollection(dir)
    expect(info.problems).toEqual([])
    // No fake environments: the three operations are requests in a folder that keeps its name.
    expect(info.environments).toEqual([])
    expect(info.root.children.map((c) => c.name)).toEqual(['Environments', 'Applications', 'node_modules'])
    const all = requests(info.root)
    expect(all).toHaveLength(13)
    const byUrl = new Map(
      all.filter((q) => q.method !== 'POST' || !q.url.endsWith('/environments')).map((q) => [q.url, q]),
    )
    expect(byUrl.get('{{baseUrl}}/applications/{{applicationId}}/environments')).toMatchObject({
      path: 'environments-folder/list-environments.yaml',
      method: 'GET',
    })
    expect(byUrl.get('{{baseUrl}}/folders')).toMatchObject({
      name: 'folder',
      path: 'applications/folder-request.yaml',
    })
    expect(byUrl.get('{{baseUrl}}/collections')?.name).toBe('Collection')
    expect(byUrl.get('{{baseUrl}}/console')).toMatchObject({
      name: 'CON',
      path: 'applications/con-request.yaml',
    })
    expect(byUrl.get('{{baseUrl}}/null-device')).toMatchObject({
      name: 'nul.txt',
      path: 'applications/nul-request.txt.yaml',
    })
    expect(byUrl.get('{{baseUrl}}/modules')?.path).toBe('node_modules-folder/list-modules.yaml')
    // Non-Latin names keep their names, in the file name too.
    expect(byUrl.get('{{baseUrl}}/orders')).toMatchObject({
      name: '注文を作成',
      path: 'applications/注文を作成.yaml',
    })
    expect(byUrl.get('{{baseUrl}}/users')).toMatchObject({
      name: 'Создать пользователя',
      path: 'applications/создать-пользователя.yaml',
    })
    expect(byUrl.get('{{baseUrl}}/members')?.path).toBe('applications/사용자-목록.yaml')
    // A paragraph is not a name: its first line is, and the paragraph is the description.
    expect(byUrl.get('{{baseUrl}}/health')).toMatchObject({
      name: 'Health check.',
      path: 'applications/health-check.yaml',
    })
    expect(byUrl.get('{{baseUrl}}/pending')?.path).toBe('applications/pending.yaml')
    expect(readdirSync(join(dir, 'applications')).some((f) => /^request(-\d+)?\.yaml$/.test(f))).toBe(false)
  })
})

describe('names on create and rename', () => {
  it('a new request named folder or collection, a folder named Environments, CON or "notes. " keep what they are', async () => {
    const made = await createCollection(dir, 'Mine')
    expect(made.ok).toBe(true)
    const env = await createFolder(dir, '', 'Environments')
    const nul = await createFolder(dir, '', 'NUL')
    const dots = await createFolder(dir, '', 'notes. ')
    expect([env, nul, dots].map((x) => x.ok && x.value)).toEqual([
      'environments-folder',
      'nul-folder',
      'notes',
    ])
    const atRoot = await createRequest(dir, '', {
      ...emptySavedRequest('collection'),
      url: 'http://127.0.0.1/c',
    })
    const inside = await createRequest(dir, 'environments-folder', {
      ...emptySavedRequest('folder'),
      url: 'http://127.0.0.1/f',
    })
    const com = await createRequest(dir, '', { ...emptySavedRequest('COM1'), url: 'http://127.0.0.1/com' })
    expect([atRoot, inside, com].map((x) => x.ok && x.value)).toEqual([
      'collection-request.yaml',
      'environments-folder/folder-request.yaml',
      'com1-request.yaml',
    ])
    const renamed = await renameNode(dir, 'com1-request.yaml', 'Folder')
    expect(renamed.ok && renamed.value).toBe('folder-request.yaml')
    const { info } = await loadCollection(dir)
    expect(info.problems).toEqual([])
    expect(info.environments).toEqual([])
    expect(requests(info.root).map((q) => [q.name, q.url])).toEqual(
      expect.arrayContaining([
        ['collection', 'http://127.0.0.1/c'],
        ['folder', 'http://127.0.0.1/f'],
        ['Folder', 'http://127.0.0.1/com'],
      ]),
    )
    expect(info.root.children.filter((c) => c.type === 'folder').map((c) => c.name)).toEqual(
      expect.arrayContaining(['Environments', 'NUL', 'notes. ']),
    )
  })

  it('a request saved to folder.yaml, collection.yaml or environments/ is refused with the reason; nothing changes', async () => {
    await createCollection(dir, 'Mine')
    await createFolder(dir, '', 'Users')
    const req = { ...emptySavedRequest('Sneaky'), url: 'http://127.0.0.1/s' }
    for (const [rel, why] of [
      ['users/folder.yaml', "users/folder.yaml holds a folder's settings; a request cannot be saved there"],
      ['collection.yaml', "collection.yaml holds the collection's settings; a request cannot be saved there"],
      ['environments/prod.yaml', 'environments/prod.yaml is an environment; a request cannot be saved there'],
    ] as const) {
      const r = await saveRequest(dir, rel, req, null)
      expect(r.ok ? 'saved' : r.error.message).toBe(why)
    }
    const { info } = await loadCollection(dir)
    expect(info.problems).toEqual([])
    expect(info.requestCount).toBe(0)
    expect(info.environments).toEqual([])
    expect(info.name).toBe('Mine')
  })
})
