import fs, { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { FolderNode, TreeNode } from '../../src/shared/collection'
import { loadCollection, ParseCache } from '../../src/engine/collections/loader'

/**
 * What a scan of a big collection does once per file, counted rather than timed: a cold open looks each request
 * file's path up once (opened and read through one descriptor, not stat'ed by path and then read by path), and
 * the rescan after one edit keeps every folder the edit did not touch, node for node, as the last scan built it,
 * while the tree it gives is the one a fresh open of the folder gives.
 */

const FOLDERS = 4
const PER_FOLDER = 50

const dir = mkdtempSync(join(tmpdir(), 'fd-scan-reuse-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function request(name: string, i: number): string {
  return `name: ${name}\nmethod: GET\nurl: http://127.0.0.1/items/${i}\nheaders:\n  - name: Accept\n    value: application/json\n`
}

function folder(root: FolderNode, name: string): FolderNode {
  const f = root.children.find((c) => c.type === 'folder' && c.name === name)
  if (f?.type !== 'folder') throw new Error(`no folder ${name}`)
  return f
}

const names = (nodes: readonly TreeNode[]): string[] => nodes.map((n) => n.name)

/** Calls of `fs[name]` whose first argument is a path under `dir`, while `f` runs. */
async function countingPathCalls(
  names: readonly ('statSync' | 'readFileSync' | 'openSync' | 'lstatSync')[],
  f: () => Promise<unknown>,
): Promise<Map<string, number>> {
  const byPath = new Map<string, number>()
  const saved = names.map((n) => [n, fs[n]] as const)
  for (const [n, real] of saved) {
    const counted = (...args: unknown[]): unknown => {
      const p = args[0]
      if (typeof p === 'string' && p.startsWith(dir)) byPath.set(p, (byPath.get(p) ?? 0) + 1)
      return (real as (...a: unknown[]) => unknown)(...args)
    }
    ;(fs as unknown as Record<string, unknown>)[n] = counted
  }
  // The engine imports these by name: the ESM bindings follow the module object only when told to.
  syncBuiltinESMExports()
  try {
    await f()
  } finally {
    for (const [n, real] of saved) (fs as unknown as Record<string, unknown>)[n] = real
    syncBuiltinESMExports()
  }
  return byPath
}

describe('scanning a collection', () => {
  writeFileSync(join(dir, 'collection.yaml'), 'name: Reuse\n')
  for (let f = 0; f < FOLDERS; f++) {
    mkdirSync(join(dir, `folder-${f}`))
    for (let i = 0; i < PER_FOLDER; i++)
      writeFileSync(join(dir, `folder-${f}`, `request-${i}.yaml`), request(`Request ${i}`, i))
  }

  it('looks up each request file by its path once on a cold open', async () => {
    let count = 0
    const calls = await countingPathCalls(['statSync', 'readFileSync', 'openSync', 'lstatSync'], async () => {
      count = (await loadCollection(dir, new ParseCache())).info.requestCount
    })
    expect(count).toBe(FOLDERS * PER_FOLDER)
    const requestCalls = [...calls].filter(([p]) => /request-\d+\.yaml$/.test(p))
    expect(requestCalls).toHaveLength(FOLDERS * PER_FOLDER)
    expect(requestCalls.filter(([, n]) => n !== 1)).toEqual([])
  })

  it('keeps the folders an edit did not touch and gives the tree a fresh open gives', async () => {
    const cache = new ParseCache()
    const first = (await loadCollection(dir, cache)).info.root
    expect(names(folder(first, 'folder-1').children).slice(0, 3)).toEqual([
      'Request 0',
      'Request 1',
      'Request 2',
    ])

    // Renamed so that it sorts first in its folder.
    writeFileSync(join(dir, 'folder-1', 'request-7.yaml'), request('A first', 7))
    const second = (await loadCollection(dir, cache)).info.root
    expect(cache.changed).toEqual(['folder-1/request-7.yaml'])
    expect(names(folder(second, 'folder-1').children).slice(0, 2)).toEqual(['A first', 'Request 0'])
    for (const f of ['folder-0', 'folder-2', 'folder-3']) expect(folder(second, f)).toBe(folder(first, f))
    expect(folder(second, 'folder-1')).not.toBe(folder(first, 'folder-1'))
    expect(second).toEqual((await loadCollection(dir, new ParseCache())).info.root)

    // A folder's settings (its order and name), a file moved between folders, one deleted, a new subfolder and
    // the collection's own name: each scan's tree is a fresh open's.
    const edits: (() => void)[] = [
      () => writeFileSync(join(dir, 'folder-2', 'folder.yaml'), 'name: Second\norder:\n  - request-9\n'),
      () => renameSync(join(dir, 'folder-3', 'request-4.yaml'), join(dir, 'folder-0', 'moved.yaml')),
      () => unlinkSync(join(dir, 'folder-0', 'request-11.yaml')),
      () => {
        mkdirSync(join(dir, 'folder-3', 'inner'))
        writeFileSync(join(dir, 'folder-3', 'inner', 'deep.yaml'), request('Deep', 1))
      },
      () => writeFileSync(join(dir, 'collection.yaml'), 'name: Renamed\n'),
    ]
    let before = second
    for (const edit of edits) {
      edit()
      const now = (await loadCollection(dir, cache)).info.root
      expect(now).toEqual((await loadCollection(dir, new ParseCache())).info.root)
      expect(now).not.toBe(before)
      before = now
    }
    expect(before.name).toBe('Renamed')
    expect(folder(before, 'Second').children[0]?.name).toBe('Request 9')
    expect(names(folder(before, 'folder-0').children)).toContain('Request 4')
    expect(names(folder(before, 'folder-0').children)).not.toContain('Request 11')
    expect(names(folder(folder(before, 'folder-3'), 'inner').children)).toEqual(['Deep'])
    // The collection's own settings changed, not its folders': the folders are the last scan's.
    const unchanged = (await loadCollection(dir, cache)).info.root
    expect(cache.changed).toEqual([])
    expect(folder(unchanged, 'folder-0')).toBe(folder(before, 'folder-0'))
  })
})
