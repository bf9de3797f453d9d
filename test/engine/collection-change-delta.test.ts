import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CollectionManager, type CollectionChange } from '../../src/engine/collections/manager'
import { loadCollection, ParseCache } from '../../src/engine/collections/loader'
import type { FolderNode, TreeNode } from '../../src/shared/collection'
import { patchTree } from '../../src/shared/collection-delta'
import { checkedCollectionChange } from '../../src/shared/collection-delta-schema'
import type { SecretStore } from '../../src/engine/secrets/secret-store'

/**
 * What `collection.changed` carries after a rescan: the folders that changed, not the collection. A window that
 * patches the tree it holds with each change (as the JSON that crossed to it) holds the tree a fresh open of
 * the folder gives, after every kind of edit, and the folders an edit did not touch stay the objects they were.
 * A one-file edit in a 5,000-request collection publishes about one folder's bytes.
 */

const made: string[] = []
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true })
})
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  made.push(d)
  return d
}

const noSecrets: SecretStore = { get: async () => null, set: async () => undefined } as unknown as SecretStore

function request(name: string, i: number): string {
  return `name: ${name}\nmethod: GET\nurl: http://127.0.0.1/items/${i}\n`
}

function folderNamed(root: FolderNode, name: string): FolderNode {
  const f = root.children.find((c) => c.type === 'folder' && c.name === name)
  if (f?.type !== 'folder') throw new Error(`no folder ${name}`)
  return f
}

const names = (nodes: readonly TreeNode[]): string[] => nodes.map((n) => n.name)

/** A manager over `dir` (no watcher: each edit is followed by the rescan the watcher would run). */
async function opened(dir: string): Promise<{
  manager: CollectionManager
  tree: FolderNode
  heard: CollectionChange[]
  bytes: number[]
}> {
  const manager = new CollectionManager({
    configDir: tempDir('fd-delta-config-'),
    secrets: noSecrets,
    watch: false,
    persist: false,
  })
  const heard: CollectionChange[] = []
  const bytes: number[] = []
  manager.onChange((c) => {
    // What crosses to a window is JSON (the browser host's socket) or a structured clone (Electron's IPC).
    const text = JSON.stringify(c)
    bytes.push(Buffer.byteLength(text))
    heard.push(JSON.parse(text) as CollectionChange)
  })
  const info = await manager.openDir(dir, false)
  if (!info.ok) throw new Error(info.error.message)
  return { manager, tree: JSON.parse(JSON.stringify(info.value.root)) as FolderNode, heard, bytes }
}

describe('collection.changed', () => {
  it('patches a window’s tree into a fresh open’s after each kind of edit, keeping untouched folders', async () => {
    const dir = tempDir('fd-delta-')
    writeFileSync(join(dir, 'collection.yaml'), 'name: Delta\n')
    for (let f = 0; f < 4; f++) {
      mkdirSync(join(dir, `folder-${f}`))
      for (let i = 0; i < 20; i++)
        writeFileSync(join(dir, `folder-${f}`, `request-${i}.yaml`), request(`Request ${i}`, i))
    }
    mkdirSync(join(dir, 'folder-3', 'inner'))
    writeFileSync(join(dir, 'folder-3', 'inner', 'deep.yaml'), request('Deep', 1))
    const { manager, heard, ...start } = await opened(dir)
    let tree = start.tree
    let version = 0

    const edits: [string, () => void][] = [
      [
        'a request renamed inside its file',
        () => writeFileSync(join(dir, 'folder-1', 'request-7.yaml'), request('A first', 7)),
      ],
      [
        'a file renamed',
        () => renameSync(join(dir, 'folder-1', 'request-8.yaml'), join(dir, 'folder-1', 'eighth.yaml')),
      ],
      [
        'a file moved to another folder',
        () => renameSync(join(dir, 'folder-2', 'request-4.yaml'), join(dir, 'folder-0', 'moved.yaml')),
      ],
      ['a file deleted', () => unlinkSync(join(dir, 'folder-0', 'request-11.yaml'))],
      ['an empty folder made', () => mkdirSync(join(dir, 'folder-2', 'empty'))],
      [
        'a new folder with a request',
        () => {
          mkdirSync(join(dir, 'fresh'))
          writeFileSync(join(dir, 'fresh', 'one.yaml'), request('One', 1))
        },
      ],
      [
        'folder settings',
        () =>
          writeFileSync(
            join(dir, 'folder-2', 'folder.yaml'),
            'name: Second\nvariables:\n  page: "2"\norder:\n  - request-9\n',
          ),
      ],
      [
        'a file that no longer parses',
        () => writeFileSync(join(dir, 'folder-1', 'request-3.yaml'), 'name: [unclosed\n'),
      ],
      ['a folder renamed, with a folder inside', () => renameSync(join(dir, 'folder-3'), join(dir, 'third'))],
      ['a folder removed', () => rmSync(join(dir, 'folder-2', 'empty'), { recursive: true })],
      ['the collection renamed', () => writeFileSync(join(dir, 'collection.yaml'), 'name: Renamed\n')],
    ]
    for (const [what, edit] of edits) {
      const before = tree
      edit()
      await manager.rescan(dir)
      const change = checkedCollectionChange(heard.at(-1))
      expect(change, what).not.toBeNull()
      if (!change) continue
      expect(change.base, what).toBe(version)
      version = change.version
      const patched = patchTree(tree, change.folders)
      expect(patched, what).not.toBeNull()
      tree = patched as FolderNode
      expect(tree, what).toEqual((await loadCollection(dir, new ParseCache())).info.root)
      // Folders the edit did not reach are the objects the window had.
      for (const c of before.children) {
        if (c.type !== 'folder') continue
        const now = tree.children.find((n) => n.path === c.path)
        if (now && !change.folders.some((f) => f.path === c.path)) expect(now, `${what}: ${c.path}`).toBe(c)
      }
    }
    expect(heard).toHaveLength(edits.length)
    expect(tree.name).toBe('Renamed')
    expect(names(folderNamed(tree, 'Second').children)[0]).toBe('Request 9')
    expect(names(folderNamed(tree, 'folder-1').children)).not.toContain('Request 3')
    expect(names(folderNamed(folderNamed(tree, 'third'), 'inner').children)).toEqual(['Deep'])
    manager.dispose()
  })

  it('publishes about one folder’s bytes for a one-file edit in a 5,000-request collection', async () => {
    const dir = tempDir('fd-delta-big-')
    writeFileSync(join(dir, 'collection.yaml'), 'name: Big\n')
    for (let f = 0; f < 50; f++) mkdirSync(join(dir, `folder-${f}`))
    for (let i = 0; i < 5000; i++)
      writeFileSync(join(dir, `folder-${i % 50}`, `request-${i}.yaml`), request(`Request ${i}`, i))
    const { manager, heard, bytes, tree } = await opened(dir)
    const whole = Buffer.byteLength(JSON.stringify(tree))
    const folderBytes = Buffer.byteLength(JSON.stringify(folderNamed(tree, 'folder-7')))

    writeFileSync(join(dir, 'folder-7', 'request-7.yaml'), request('Edited', 7))
    await manager.rescan(dir)
    expect(heard).toHaveLength(1)
    expect(heard[0]?.changed).toEqual(['folder-7/request-7.yaml'])
    // The edited folder and the root's list of its 50 folders (by path), not 5,000 requests.
    expect(bytes[0]).toBeLessThan(folderBytes + 8 * 1024)
    expect(bytes[0]).toBeLessThan(whole / 20)
    const change = checkedCollectionChange(heard[0])
    const patched = change && patchTree(tree, change.folders)
    expect(names(folderNamed(patched as FolderNode, 'folder-7').children)).toContain('Edited')
    manager.dispose()
  }, 60_000)
})
