import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptySavedRequest, findNode, type SavedRequest } from '../../src/shared/collection'
import { nodeAtomicFs, writeFileAtomic, type AtomicFs } from '../../src/engine/collections/atomic-write'
import { loadCollection, ParseCache } from '../../src/engine/collections/loader'
import {
  createCollection,
  createFolder,
  createRequest,
  deleteNode,
  duplicateRequest,
  moveNode,
  renameNode,
  saveFolderSettings,
  saveRequest,
} from '../../src/engine/collections/store'
import { watchDir } from '../../src/engine/collections/watcher'
import { readRequestFile } from '../../src/engine/collections/loader'
import { failsItem } from '../../src/engine/runner/unreadable-step'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-coll-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function createUser(): SavedRequest {
  return {
    ...emptySavedRequest('Create user'),
    method: 'POST',
    url: '{{baseUrl}}/users?verbose=1',
    headers: [
      { name: 'Content-Type', value: 'application/json', enabled: true },
      { name: 'X-Debug', value: '1', enabled: false },
    ],
    body: { kind: 'json', text: '{\n  "name": "{{userName}}",\n  "admin": false\n}\n' },
    auth: { type: 'bearer', token: '{{token}}' },
    options: { followRedirects: false },
  }
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

function diffLines(before: string, after: string): string[] {
  const a = before.split('\n')
  const b = after.split('\n')
  expect(b.length).toBe(a.length)
  return b.filter((line, i) => line !== a[i])
}

describe('collection storage', () => {
  it('round-trips a request, writes a readable file, and a one-field change is a one-line diff', async () => {
    unwrap(await createCollection(dir, 'Demo API'))
    const rel = unwrap(await createRequest(dir, '', createUser()))
    expect(rel).toBe('create-user.yaml')
    const text = readFileSync(join(dir, rel), 'utf8')
    expect(text).toBe(
      [
        'name: Create user',
        'method: POST',
        'url: "{{baseUrl}}/users?verbose=1"',
        'headers:',
        '  - name: Content-Type',
        '    value: application/json',
        '  - name: X-Debug',
        '    value: "1"',
        '    enabled: false',
        'body:',
        '  kind: json',
        '  text: |',
        '    {',
        '      "name": "{{userName}}",',
        '      "admin": false',
        '    }',
        'auth:',
        '  type: bearer',
        '  token: "{{token}}"',
        'options:',
        '  followRedirects: false',
        '',
      ].join('\n'),
    )
    const loaded = await readRequestFile(join(dir, rel), 'create-user')
    if (!loaded.ok) throw new Error(loaded.problem)
    expect(loaded.request).toEqual(createUser())

    // Change the URL only: exactly one line differs.
    unwrap(
      await saveRequest(dir, rel, { ...createUser(), url: '{{baseUrl}}/people?verbose=1' }, loaded.version),
    )
    const after = readFileSync(join(dir, rel), 'utf8')
    expect(diffLines(text, after)).toEqual(['url: "{{baseUrl}}/people?verbose=1"'])
  })

  it('keeps a multipart file part’s filename (curl’s ;filename=), typed in the app, through a save', async () => {
    unwrap(await createCollection(dir, 'Demo API'))
    const upload: SavedRequest = {
      ...emptySavedRequest('Upload'),
      method: 'POST',
      url: '{{baseUrl}}/upload',
      body: {
        kind: 'multipart',
        parts: [
          { kind: 'file', name: 'receipt', path: 'files/r.csv', fileName: 'march.csv', enabled: true },
          { kind: 'file', name: 'photo', path: 'files/p.png', contentType: 'image/png', enabled: true },
        ],
      },
    }
    const rel = unwrap(await createRequest(dir, '', upload))
    expect(readFileSync(join(dir, rel), 'utf8')).toContain('fileName: march.csv')
    const loaded = await readRequestFile(join(dir, rel), 'upload')
    if (!loaded.ok) throw new Error(loaded.problem)
    expect(loaded.request.body).toEqual(upload.body)
  })

  it('keeps comments and unknown keys a person added when saving over their file', async () => {
    const rel = 'hand-written.yaml'
    writeFileSync(
      join(dir, rel),
      '# Owned by the billing team\nname: Invoices\nmethod: GET\nurl: http://127.0.0.1/invoices # prod is elsewhere\nx-owner: billing\n',
    )
    const loaded = await readRequestFile(join(dir, rel), 'hand-written')
    if (!loaded.ok) throw new Error(loaded.problem)
    unwrap(await saveRequest(dir, rel, { ...loaded.request, method: 'HEAD' }, loaded.version))
    expect(readFileSync(join(dir, rel), 'utf8')).toBe(
      '# Owned by the billing team\nname: Invoices\nmethod: HEAD\nurl: http://127.0.0.1/invoices # prod is elsewhere\nx-owner: billing\n',
    )
  })

  it('a save that fails mid-write leaves the old file intact and no temp file behind', async () => {
    const file = join(dir, 'keep.yaml')
    writeFileSync(file, 'name: Keep me\nurl: http://127.0.0.1/\n')
    // A disk that fills up after 10 bytes of the new content.
    const fullDisk: AtomicFs = {
      ...nodeAtomicFs,
      open: async (path, flags, mode) => {
        const handle = await nodeAtomicFs.open(path, flags, mode)
        const realWrite = handle.write.bind(handle)
        let budget = 10
        Object.assign(handle, {
          write: async (buf: Uint8Array, offset: number, length: number, position: number) => {
            if (budget <= 0)
              throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
            const n = Math.min(budget, length)
            budget -= n
            return realWrite(buf, offset, n, position)
          },
        })
        return handle
      },
    }
    await expect(
      writeFileAtomic(file, 'name: Replaced\nurl: http://127.0.0.1/other\n', { fs: fullDisk }),
    ).rejects.toThrow(/ENOSPC/)
    expect(readFileSync(file, 'utf8')).toBe('name: Keep me\nurl: http://127.0.0.1/\n')
    expect(readdirSync(dir)).toEqual(['keep.yaml'])

    // And a failure at the rename step (the last moment) too.
    const noRename: AtomicFs = {
      ...nodeAtomicFs,
      rename: async () => Promise.reject(new Error('EIO: rename failed')),
    }
    await expect(writeFileAtomic(file, 'name: Replaced\n', { fs: noRename })).rejects.toThrow(/EIO/)
    expect(readFileSync(file, 'utf8')).toBe('name: Keep me\nurl: http://127.0.0.1/\n')
    expect(readdirSync(dir)).toEqual(['keep.yaml'])
  })

  it('reports a corrupt file with its path and line, loads the rest, and never rewrites it', async () => {
    unwrap(await createCollection(dir, 'Demo'))
    unwrap(await createRequest(dir, '', createUser()))
    mkdirSync(join(dir, 'admin'))
    const broken = 'name: Broken\nmethod: GET\nurl: [unclosed\nheaders: []\n'
    writeFileSync(join(dir, 'admin', 'broken.yaml'), broken)
    writeFileSync(
      join(dir, 'admin', 'wrong-type.yaml'),
      'name: Wrong\nmethod: GET\nheaders:\n  - name: A\n    enabled: maybe\n',
    )

    const { info } = await loadCollection(dir)
    expect(info.requestCount).toBe(1)
    expect(findNode(info.root, 'create-user.yaml')).toMatchObject({ name: 'Create user', method: 'POST' })
    expect(info.problems).toHaveLength(2)
    expect(info.problems[0]).toMatchObject({ path: 'admin/broken.yaml', line: 4 })
    expect(info.problems[1]).toMatchObject({ path: 'admin/wrong-type.yaml', line: 5 })
    expect(info.problems[1]?.message).toMatch(/headers\.0\.enabled/)

    const r = await saveRequest(dir, 'admin/broken.yaml', emptySavedRequest('Mine'), null)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatchObject({ code: 'parse' })
    expect(readFileSync(join(dir, 'admin', 'broken.yaml'), 'utf8')).toBe(broken)
  })

  it('leaves a collection folder inside it out of its tree and says so (an import into a subfolder)', async () => {
    unwrap(await createCollection(dir, 'Shop'))
    unwrap(await createRequest(dir, '', createUser()))
    mkdirSync(join(dir, 'petstore', 'pets'), { recursive: true })
    writeFileSync(join(dir, 'petstore', 'collection.yaml'), 'flightdeck: 1\nname: Petstore\n')
    writeFileSync(join(dir, 'petstore', 'pets', 'list.yaml'), 'name: List pets\nmethod: GET\nurl: /pets\n')

    const { info } = await loadCollection(dir)
    // Petstore is a collection of its own: neither its collection.yaml (read as a request "GET Petstore") nor
    // its requests (run with Shop's variables, not its own) are Shop's.
    expect(info.requestCount).toBe(1)
    expect(findNode(info.root, 'petstore')).toBeNull()
    expect(findNode(info.root, 'petstore/collection.yaml')).toBeNull()
    expect(info.problems).toHaveLength(1)
    expect(info.problems[0]).toMatchObject({ path: 'petstore/collection.yaml' })
    expect(info.problems[0]?.message).toMatch(/collection of its own/)
    // Nothing is broken: a run of Shop does not list it as a failed item.
    expect(info.problems.some((p) => failsItem(p, ''))).toBe(false)
  })

  it('refuses to save over a file that changed on disk since it was read', async () => {
    const rel = unwrap(await createRequest(dir, '', createUser()))
    const first = await readRequestFile(join(dir, rel), 'create-user')
    if (!first.ok) throw new Error(first.problem)
    writeFileSync(join(dir, rel), readFileSync(join(dir, rel), 'utf8').replace('POST', 'PUT'))
    const r = await saveRequest(dir, rel, { ...createUser(), url: 'x' }, first.version)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('conflict')
    expect(readFileSync(join(dir, rel), 'utf8')).toContain('method: PUT')
  })

  it('creates, renames, duplicates, moves and deletes requests and folders, keeping a folder order', async () => {
    unwrap(await createCollection(dir, 'Demo'))
    const users = unwrap(await createFolder(dir, '', 'Users'))
    expect(users).toBe('users')
    const a = unwrap(await createRequest(dir, users, emptySavedRequest('List users')))
    const b = unwrap(await createRequest(dir, users, emptySavedRequest('Get user')))
    unwrap(await saveFolderSettings(dir, users, { variables: [{ name: 'page', value: '1', secret: false }] }))
    // Give the folder an explicit order: b before a.
    writeFileSync(
      join(dir, 'users', 'folder.yaml'),
      'variables:\n  page: "1"\norder:\n  - get-user\n  - list-users\n',
    )

    const renamed = unwrap(await renameNode(dir, a, 'All users'))
    expect(renamed).toBe('users/all-users.yaml')
    expect(readFileSync(join(dir, 'users', 'folder.yaml'), 'utf8')).toContain('- all-users')
    const copy = unwrap(await duplicateRequest(dir, b))
    expect(copy).toBe('users/get-user-copy.yaml')
    const admin = unwrap(await createFolder(dir, '', 'Admin area'))
    const moved = unwrap(await moveNode(dir, copy, admin))
    expect(moved).toBe('admin-area/get-user-copy.yaml')
    const folderMoved = unwrap(await moveNode(dir, admin, users))
    expect(folderMoved).toBe('users/admin-area')
    expect((await moveNode(dir, users, 'users/admin-area')).ok).toBe(false)

    let { info } = await loadCollection(dir)
    const usersNode = findNode(info.root, 'users')
    expect(usersNode?.type === 'folder' && usersNode.children.map((c) => c.name)).toEqual([
      'Get user',
      'All users',
      'Admin area',
    ])
    expect(findNode(info.root, 'users/admin-area/get-user-copy.yaml')?.name).toBe('Get user copy')

    unwrap(await deleteNode(dir, 'users/admin-area'))
    unwrap(await deleteNode(dir, b))
    ;({ info } = await loadCollection(dir))
    expect(info.requestCount).toBe(1)
    expect(readFileSync(join(dir, 'users', 'folder.yaml'), 'utf8')).toBe(
      'variables:\n  page: "1"\norder:\n  - all-users\n',
    )
  })

  it('without an order, folders first, then requests by name as people read them: Step 2 before Step 10', async () => {
    unwrap(await createCollection(dir, 'Demo'))
    for (const name of ['Step 10', 'step 2', 'Step 1', 'Alpha'])
      unwrap(await createRequest(dir, '', emptySavedRequest(name)))
    unwrap(await createFolder(dir, '', 'Zeta'))
    const { info } = await loadCollection(dir)
    expect(info.root.children.map((c) => c.name)).toEqual(['Zeta', 'Alpha', 'Step 1', 'step 2', 'Step 10'])
  })

  it('picks up external edits, new files and deletes while watching', async () => {
    unwrap(await createCollection(dir, 'Demo'))
    const rel = unwrap(await createRequest(dir, '', createUser()))
    const cache = new ParseCache()
    await loadCollection(dir, cache)
    let changes = 0
    const watcher = watchDir(dir, () => changes++, { debounceMs: 30 })
    try {
      const waitForChange = async (): Promise<void> => {
        const before = changes
        for (let i = 0; i < 100 && changes === before; i++) await new Promise((r) => setTimeout(r, 20))
        expect(changes).toBeGreaterThan(before)
      }
      // An editor changes the method, as `git pull` would.
      writeFileSync(
        join(dir, rel),
        readFileSync(join(dir, rel), 'utf8').replace('method: POST', 'method: PATCH'),
      )
      await waitForChange()
      let { info } = await loadCollection(dir, cache)
      expect(findNode(info.root, rel)).toMatchObject({ method: 'PATCH' })
      expect(cache.changed).toEqual([rel])

      writeFileSync(join(dir, 'new-one.yaml'), 'name: New one\nurl: http://127.0.0.1/new\n')
      await waitForChange()
      ;({ info } = await loadCollection(dir, cache))
      expect(findNode(info.root, 'new-one.yaml')?.name).toBe('New one')

      rmSync(join(dir, rel))
      await waitForChange()
      ;({ info } = await loadCollection(dir, cache))
      expect(findNode(info.root, rel)).toBeNull()
      expect(cache.changed).toEqual([rel])

      // A collection of its own made inside this one (an import into a subfolder): a change the rescan reports,
      // so the open tree names it among its problems without a reload; and again when it goes.
      mkdirSync(join(dir, 'petstore'))
      writeFileSync(join(dir, 'petstore', 'collection.yaml'), 'flightdeck: 1\nname: Petstore\n')
      await waitForChange()
      ;({ info } = await loadCollection(dir, cache))
      expect(cache.changed).toEqual(['petstore/collection.yaml'])
      expect(info.problems.map((p) => p.path)).toEqual(['petstore/collection.yaml'])
      rmSync(join(dir, 'petstore'), { recursive: true })
      await waitForChange()
      ;({ info } = await loadCollection(dir, cache))
      expect(cache.changed).toEqual(['petstore/collection.yaml'])
      expect(info.problems).toEqual([])
    } finally {
      watcher.close()
    }
  })

  it('a one-field change made in the app shows as a one-line git diff', async () => {
    unwrap(await createCollection(dir, 'Demo'))
    const rel = unwrap(await createRequest(dir, '', createUser()))
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], {
        cwd: dir,
        encoding: 'utf8',
      })
    git('init', '-q')
    git('add', '.')
    git('commit', '-qm', 'init')
    const loaded = await readRequestFile(join(dir, rel), 'create-user')
    if (!loaded.ok) throw new Error(loaded.problem)
    const body = { kind: 'json' as const, text: '{\n  "name": "{{userName}}",\n  "admin": true\n}\n' }
    unwrap(await saveRequest(dir, rel, { ...createUser(), body }, loaded.version))
    const stat = git('diff', '--numstat')
    expect(stat.trim()).toBe(`1\t1\t${rel}`)
  })
})

describe('collection commands', () => {
  it('name requests and folders only: never a settings file, the environments folder, a hidden entry or ../', async () => {
    const { makeService } = await import('./helpers')
    const configDir = mkdtempSync(join(tmpdir(), 'fd-coll-config-'))
    const service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
    try {
      const opened = await service.invoke('collection.open', { dir, create: true, name: 'Guarded' })
      expect(opened.ok).toBe(true)
      const before = readFileSync(join(dir, 'collection.yaml'), 'utf8')
      const request = emptySavedRequest('Sneaky')
      for (const path of [
        'collection.yaml',
        'users/folder.yaml',
        'environments/prod.yaml',
        '../outside.yaml',
        '.git/config',
        'notes.txt',
      ]) {
        const r = await service.invoke('collection.save', { dir, path, request, baseVersion: null })
        expect(r.ok, path).toBe(false)
        if (!r.ok) expect(r.error.code, path).toBe('invalid_request')
      }
      for (const folder of ['environments', '../elsewhere', '.git']) {
        const r = await service.invoke('collection.createRequest', { dir, folder, request })
        expect(r.ok, folder).toBe(false)
      }
      expect((await service.invoke('collection.delete', { dir, path: 'collection.yaml' })).ok).toBe(false)
      expect((await service.invoke('collection.read', { dir, path: 'collection.yaml' })).ok).toBe(false)
      expect(readFileSync(join(dir, 'collection.yaml'), 'utf8')).toBe(before)
      expect(readdirSync(dir).sort()).toEqual(['collection.yaml'])
      // And an ordinary request still works.
      const ok = await service.invoke('collection.createRequest', { dir, folder: '', request })
      expect(ok.ok && ok.value.path).toBe('sneaky.yaml')
    } finally {
      await service.dispose()
      rmSync(configDir, { recursive: true, force: true })
    }
  })
})
