import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CollectionInfo, FolderNode } from '../../../src/shared/collection'
import type { EngineService } from '../../../src/engine/service'
import { makeService } from '../helpers'

/**
 * A collection's and a folder's own scripts live in collection.yaml and folder.yaml: they read into the tree,
 * a save of the folder's variables keeps them, a save of its scripts writes them, and a script that is not text
 * or is too long is a problem naming its line (the rest of the collection still loads).
 */

let service: EngineService
const dirs: string[] = []
beforeAll(() => {
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-level-config-')) })
})
afterAll(async () => {
  await service.dispose()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function collection(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fd-level-'))
  dirs.push(dir)
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  return dir
}

async function open(dir: string): Promise<CollectionInfo> {
  const r = await service.invoke('collection.open', { dir })
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

const folderOf = (info: CollectionInfo, path: string): FolderNode =>
  info.root.children.find((c): c is FolderNode => c.type === 'folder' && c.path === path) as FolderNode

describe('collection and folder scripts on disk', () => {
  it('reads them into the tree, keeps them on a save of the variables, writes a save of them', async () => {
    const dir = collection({
      'collection.yaml': [
        'flightdeck: 1',
        'name: Shop',
        'scripts:',
        '  preRequest: |-',
        "    pm.request.headers.upsert({ key: 'Authorization', value: 'Bearer ' + pm.variables.get('token') })",
        '',
      ].join('\n'),
      'auth/folder.yaml': ['name: Auth', 'scripts:', '  test: |-', "    pm.test('json', () => {})", ''].join(
        '\n',
      ),
      'auth/login.yaml': 'name: Login\nurl: http://127.0.0.1:1/login\n',
    })
    const info = await open(dir)
    expect(info.root.scripts?.preRequest).toContain("key: 'Authorization'")
    expect(folderOf(info, 'auth').scripts).toEqual({ test: "pm.test('json', () => {})" })

    const saved = await service.invoke('collection.saveFolder', {
      dir: info.dir,
      path: 'auth',
      variables: [{ name: 'v', value: '1', secret: false }],
    })
    expect(saved.ok).toBe(true)
    expect(readFileSync(join(dir, 'auth/folder.yaml'), 'utf8')).toContain("pm.test('json', () => {})")

    const edited = await service.invoke('collection.saveFolder', {
      dir: info.dir,
      path: '',
      scripts: { preRequest: "pm.variables.set('a', '1')", test: '  ' },
    })
    expect(edited.ok).toBe(true)
    const text = readFileSync(join(dir, 'collection.yaml'), 'utf8')
    expect(text).toContain("preRequest: pm.variables.set('a', '1')")
    expect(text).not.toContain('test:')
    expect(text).toContain('name: Shop')
    const again = await open(dir)
    expect(again.root.scripts).toEqual({ preRequest: "pm.variables.set('a', '1')" })

    const removed = await service.invoke('collection.saveFolder', {
      dir: info.dir,
      path: 'auth',
      scripts: {},
    })
    expect(removed.ok).toBe(true)
    expect(readFileSync(join(dir, 'auth/folder.yaml'), 'utf8')).not.toContain('scripts')
  })

  it('a script that is not text, or over 1 MiB, is a problem naming the file and line', async () => {
    const dir = collection({
      'collection.yaml': 'flightdeck: 1\nname: Bad\n',
      'a/folder.yaml': 'name: A\nvariables: []\nscripts:\n  preRequest: 42\n',
      'b/folder.yaml': `name: B\nscripts:\n  test: "${'x'.repeat(1024 * 1024 + 1)}"\n`,
      'a/r.yaml': 'name: R\nurl: http://127.0.0.1:1/\n',
    })
    const info = await open(dir)
    const a = info.problems.find((p) => p.path === 'a/folder.yaml')
    expect(a?.message).toBe('scripts.preRequest: expected the script as text')
    expect(a?.line).toBe(4)
    const b = info.problems.find((p) => p.path === 'b/folder.yaml')
    expect(b?.message).toBe('scripts.test: a script may be at most 1,048,576 characters (1 MiB)')
    expect(info.requestCount).toBe(1)

    const tooLong = await service.invoke('collection.saveFolder', {
      dir: info.dir,
      path: 'a',
      scripts: { test: 'x'.repeat(1024 * 1024 + 1) },
    })
    expect(tooLong.ok).toBe(false)
  })
})
