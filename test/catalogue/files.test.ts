import { spawn } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { nodeAtomicFs, setAtomicFsForTests, type AtomicFs } from '../../src/engine/collections/atomic-write'
import type { EngineService } from '../../src/engine/service'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'
import { makeService } from '../engine/helpers'
import { childScriptArgs } from '../helpers/child-script'
import { CHILD_CASE_TIMEOUT_MS, childExit, childOutput } from '../helpers/child-wait'
import { hashTree, openCatalogue, underFault, type Catalogue } from './harness'

/**
 * The file half of the fault catalogue: collections in a temp folder, changed only through the service's
 * collection commands. Each case checks the user-visible refusal, that the engine and a healthy request and
 * stream carry on (harness), and which bytes on disk changed (hashTree before and after).
 */

let cat: Catalogue
let service: EngineService
let n = 0

beforeAll(async () => {
  cat = await openCatalogue()
  service = cat.service
})
afterAll(async () => {
  await cat.close()
})
afterEach(() => {
  setAtomicFsForTests(null)
})

function request(name: string, url: string): SavedRequest {
  return { ...emptySavedRequest(name), url }
}

/** A fresh open collection with two saved requests; returns its folder and the requests' paths. */
async function collection(): Promise<{ dir: string; a: string; b: string }> {
  const dir = join(cat.tmp, `collection-${++n}`)
  const opened = await service.invoke('collection.open', { dir, create: true, name: `Collection ${n}` })
  if (!opened.ok) throw new Error(opened.error.message)
  const a = await service.invoke('collection.createRequest', {
    dir,
    folder: '',
    request: request('Alpha', 'http://127.0.0.1/alpha'),
  })
  const b = await service.invoke('collection.createRequest', {
    dir,
    folder: '',
    request: request('Beta', 'http://127.0.0.1/beta'),
  })
  if (!a.ok || !b.ok) throw new Error('could not create requests')
  return { dir: opened.value.dir, a: a.value.path, b: b.value.path }
}

async function readSaved(dir: string, path: string): Promise<{ request: SavedRequest; version: string }> {
  const r = await service.invoke('collection.read', { dir, path })
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

function errnoError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall}`), { code, syscall })
}

/** Atomic-write filesystem whose writes fail with `code` (the temp file opens, its first write fails). */
function failingWrites(code: string): AtomicFs {
  return {
    ...nodeAtomicFs,
    open: async (path, flags, mode) => {
      const handle = await nodeAtomicFs.open(path, flags, mode)
      return new Proxy(handle, {
        get(target, key, receiver) {
          if (key === 'write') return () => Promise.reject(errnoError(code, 'write'))
          const v: unknown = Reflect.get(target, key, receiver)
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
        },
      }) as FileHandle
    },
  }
}

const tempFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.fdtmp'))

describe('collections on disk', () => {
  it(
    'a writer killed between temp write and rename: the old file survives',
    async () => {
      const { dir, a } = await collection()
      const before = hashTree(dir)
      const original = readFileSync(join(dir, a), 'utf8')
      const run = await underFault(cat, async () => {
        const child = spawn(
          process.execPath,
          [...childScriptArgs(join(__dirname, 'crash-writer.ts')), dir, a, join(cat.tmp, 'child-config')],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        )
        try {
          // The child says TEMP once its write waits for the rename.
          const temp = (await childOutput(child, /TEMP (.+)\n/))[1] as string
          // The new bytes are fully written to the temp file: now the power goes.
          expect(readFileSync(temp, 'utf8')).toContain('changed-by-the-killed-writer.invalid')
          child.kill('SIGKILL')
          return { signal: (await childExit(child)).signal, temp }
        } finally {
          child.kill('SIGKILL')
        }
      })
      expect(run.value.signal).toBe('SIGKILL')
      expect(readFileSync(join(dir, a), 'utf8')).toBe(original)
      // The only new thing is the dot-file the killed writer left, which the loader ignores.
      const after = hashTree(dir)
      const added = Object.keys(after).filter((k) => !(k in before))
      expect(added).toEqual([run.value.temp.slice(dir.length + 1)])
      for (const k of Object.keys(before)) expect(after[k]).toBe(before[k])
      await service.invoke('collection.close', { dir })
      const reopened = await service.invoke('collection.open', { dir })
      if (!reopened.ok) throw new Error(reopened.error.message)
      expect(reopened.value.problems).toEqual([])
      expect(reopened.value.requestCount).toBe(2)
      expect((await readSaved(dir, a)).request.url).toBe('http://127.0.0.1/alpha')
      // Opening the collection again removed the dead writer's temp file: the folder is as it was.
      expect(tempFiles(dir)).toEqual([])
      expect(hashTree(dir)).toEqual(before)
    },
    CHILD_CASE_TIMEOUT_MS,
  )

  it(
    'a live writer’s temp file survives an open; once the writer is gone, the next open removes it',
    async () => {
      const { dir, a } = await collection()
      // Files the person made that look a little like ours are never touched.
      writeFileSync(join(dir, 'notes.fdtmp'), 'mine')
      writeFileSync(join(dir, '.draft.fdtmp'), 'mine too')
      // A temp file from before pids were in the name: removed once older than any write takes.
      const legacyOld = join(dir, `.${a}.0123456789ab.fdtmp`)
      const legacyNew = join(dir, `.${a}.ba9876543210.fdtmp`)
      writeFileSync(legacyOld, 'old')
      writeFileSync(legacyNew, 'new')
      const hourAgo = new Date(Date.now() - 3_600_000)
      utimesSync(legacyOld, hourAgo, hourAgo)
      const child = spawn(
        process.execPath,
        [...childScriptArgs(join(__dirname, 'crash-writer.ts')), dir, a, join(cat.tmp, 'live-config')],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      try {
        const temp = (await childOutput(child, /TEMP (.+)\n/))[1] as string
        expect(temp).toContain(`.${child.pid}-`)
        await service.invoke('collection.close', { dir })
        expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
        expect(existsSync(temp)).toBe(true)
        expect(existsSync(legacyOld)).toBe(false)
        expect(existsSync(legacyNew)).toBe(true)
        child.kill('SIGKILL')
        await childExit(child)
        await service.invoke('collection.close', { dir })
        expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
        expect(existsSync(temp)).toBe(false)
        expect(readdirSync(dir).sort()).toEqual(
          [
            '.draft.fdtmp',
            `.${a}.ba9876543210.fdtmp`,
            a,
            'beta.yaml',
            'collection.yaml',
            'notes.fdtmp',
          ].sort(),
        )
      } finally {
        child.kill('SIGKILL')
      }
    },
    CHILD_CASE_TIMEOUT_MS,
  )

  it('a save through a linked folder that leads outside is refused, and nothing is written outside', async () => {
    const { dir, a } = await collection()
    const outside = join(cat.tmp, `outside-${n}`)
    mkdirSync(outside)
    writeFileSync(join(outside, 'theirs.yaml'), 'name: Theirs\nmethod: GET\nurl: http://127.0.0.1/theirs\n')
    symlinkSync(outside, join(dir, 'linked'))
    const outsideBefore = hashTree(outside)
    const before = hashTree(dir)
    const saved = await readSaved(dir, a)
    const run = await underFault(cat, async () => ({
      create: await service.invoke('collection.createRequest', {
        dir,
        folder: 'linked',
        request: request('Escape', 'http://127.0.0.1/escape'),
      }),
      save: await service.invoke('collection.save', {
        dir,
        path: 'linked/theirs.yaml',
        request: request('Overwritten', 'http://127.0.0.1/overwritten'),
        baseVersion: null,
      }),
      folder: await service.invoke('collection.createFolder', { dir, parent: 'linked', name: 'Sub' }),
      move: await service.invoke('collection.move', { dir, path: a, toFolder: 'linked' }),
      remove: await service.invoke('collection.delete', { dir, path: 'linked/theirs.yaml' }),
      settings: await service.invoke('collection.saveFolder', { dir, path: 'linked', name: 'Renamed' }),
    }))
    for (const [what, r] of Object.entries(run.value)) {
      expect(r.ok, what).toBe(false)
      if (!r.ok) {
        expect(r.error.code, what).toBe('forbidden')
        expect(r.error.message, what).toContain(`outside the collection folder ${dir} (to ${outside}`)
        expect(r.error.message, what).toContain('through a symbolic link; nothing was changed')
      }
    }
    expect(hashTree(outside)).toEqual(outsideBefore)
    expect(hashTree(dir)).toEqual(before)
    expect((await readSaved(dir, a)).version).toBe(saved.version)
  })

  it('a save keeps the file’s mode (0600 stays 0600)', async () => {
    const { dir, a } = await collection()
    chmodSync(join(dir, a), 0o600)
    const saved = await readSaved(dir, a)
    const r = await service.invoke('collection.save', {
      dir,
      path: a,
      request: { ...saved.request, url: 'http://127.0.0.1/private' },
      baseVersion: saved.version,
    })
    expect(r.ok).toBe(true)
    expect(statSync(join(dir, a)).mode & 0o777).toBe(0o600)
    expect((await readSaved(dir, a)).request.url).toBe('http://127.0.0.1/private')
    // A new file still gets the usual mode.
    const created = await service.invoke('collection.createRequest', {
      dir,
      folder: '',
      request: request('Fresh', 'http://127.0.0.1/fresh'),
    })
    if (!created.ok) throw new Error(created.error.message)
    expect(statSync(join(dir, created.value.path)).mode & 0o077).not.toBe(0)
  })

  it('a request file that is a link is not saved through: refused with a message, link and target kept', async () => {
    const { dir } = await collection()
    const shared = join(cat.tmp, `shared-${n}.yaml`)
    const text = 'name: Shared\nmethod: GET\nurl: http://127.0.0.1/shared\n'
    writeFileSync(shared, text)
    symlinkSync(shared, join(dir, 'shared.yaml'))
    const before = hashTree(dir)
    const run = await underFault(cat, () =>
      service.invoke('collection.save', {
        dir,
        path: 'shared.yaml',
        request: request('Shared', 'http://127.0.0.1/edited'),
        baseVersion: null,
      }),
    )
    expect(run.value).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message:
          `shared.yaml is a symbolic link (to ${shared}); Flightdeck does not save through links, so nothing was ` +
          'written. Edit the file it points to, or replace the link with a copy of it',
      },
    })
    expect(lstatSync(join(dir, 'shared.yaml')).isSymbolicLink()).toBe(true)
    expect(readFileSync(shared, 'utf8')).toBe(text)
    expect(hashTree(dir)).toEqual(before)
  })

  it('a full disk (ENOSPC): the save is refused in plain words and the file is unchanged', async () => {
    const { dir, a } = await collection()
    const before = hashTree(dir)
    const saved = await readSaved(dir, a)
    setAtomicFsForTests(failingWrites('ENOSPC'))
    const run = await underFault(cat, () =>
      service.invoke('collection.save', {
        dir,
        path: a,
        request: { ...saved.request, url: 'http://127.0.0.1/new' },
        baseVersion: saved.version,
      }),
    )
    setAtomicFsForTests(null)
    expect(run.value).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'file',
        message: `Could not save ${a}: the disk is full; nothing on disk was changed`,
      }),
    })
    expect(hashTree(dir)).toEqual(before)
    expect(tempFiles(dir)).toEqual([])
  })

  it('a read-only collection folder: the save is refused and nothing changes', async () => {
    const { dir } = await collection()
    const before = hashTree(dir)
    // chmod means nothing to root (as in CI containers); then the same EACCES is injected where open() fails.
    const asRoot = process.getuid?.() === 0
    if (asRoot) {
      setAtomicFsForTests({
        ...nodeAtomicFs,
        open: () => Promise.reject(errnoError('EACCES', 'open')),
      })
    } else {
      chmodSync(dir, 0o555)
    }
    try {
      const run = await underFault(cat, () =>
        service.invoke('collection.createRequest', {
          dir,
          folder: '',
          request: request('Gamma', 'http://x/'),
        }),
      )
      expect(run.value).toEqual({
        ok: false,
        error: expect.objectContaining({
          code: 'file',
          message: expect.stringMatching(/^Could not save .*: the folder is read-only \(permission denied\)/),
        }),
      })
    } finally {
      setAtomicFsForTests(null)
      if (!asRoot) chmodSync(dir, 0o755)
    }
    expect(hashTree(dir)).toEqual(before)
  })

  it('a corrupt YAML file: reported with path and line, the rest loads, and it is never rewritten', async () => {
    const { dir, a, b } = await collection()
    await service.invoke('collection.close', { dir })
    const broken = 'name: Broken\nmethod: GET\nurl: [unclosed\nheaders:\n  - nope\n'
    writeFileSync(join(dir, b), broken)
    const before = hashTree(dir)
    const run = await underFault(cat, async () => {
      const opened = await service.invoke('collection.open', { dir })
      if (!opened.ok) throw new Error(opened.error.message)
      const saveOver = await service.invoke('collection.save', {
        dir,
        path: b,
        request: request('Mine', 'http://127.0.0.1/mine'),
        baseVersion: null,
      })
      return { info: opened.value, saveOver }
    })
    const { info, saveOver } = run.value
    expect(info.problems).toHaveLength(1)
    expect(info.problems[0]).toMatchObject({ path: b, line: expect.any(Number) })
    expect(info.problems[0]?.line).toBeGreaterThan(0)
    expect(info.requestCount).toBe(1)
    expect((await readSaved(dir, a)).request.url).toBe('http://127.0.0.1/alpha')
    expect(saveOver).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'parse',
        message: expect.stringMatching(/does not parse \(line \d+/),
      }),
    })
    expect(readFileSync(join(dir, b), 'utf8')).toBe(broken)
    expect(hashTree(dir)).toEqual(before)
  })

  it('two clients edit the same request: the second save is a conflict, the first one stays', async () => {
    const { dir, a } = await collection()
    // A second engine (another window or instance) on the same folder.
    const other = makeService({
      configDir: join(cat.tmp, 'other-config'),
      persistWorkspace: false,
      watchCollections: false,
    })
    try {
      const opened = await other.invoke('collection.open', { dir })
      if (!opened.ok) throw new Error(opened.error.message)
      const mine = await readSaved(dir, a)
      const theirsRead = await other.invoke('collection.read', { dir, path: a })
      if (!theirsRead.ok) throw new Error(theirsRead.error.message)
      const first = await service.invoke('collection.save', {
        dir,
        path: a,
        request: { ...mine.request, url: 'http://127.0.0.1/first' },
        baseVersion: mine.version,
      })
      expect(first.ok).toBe(true)
      const afterFirst = hashTree(dir)
      const run = await underFault(cat, () =>
        other.invoke('collection.save', {
          dir,
          path: a,
          request: { ...theirsRead.value.request, url: 'http://127.0.0.1/second' },
          baseVersion: theirsRead.value.version,
        }),
      )
      expect(run.value).toEqual({
        ok: false,
        error: { code: 'conflict', message: `${a} changed on disk since it was opened` },
      })
      expect(hashTree(dir)).toEqual(afterFirst)
      expect((await readSaved(dir, a)).request.url).toBe('http://127.0.0.1/first')
    } finally {
      await other.dispose()
    }
  })

  it('a file changed on disk while unsaved edits exist: conflict, the outside edit is kept', async () => {
    const { dir, a } = await collection()
    const opened = await readSaved(dir, a)
    // An editor (or git pull) rewrites the file while the person has unsaved edits in the app.
    const outside = readFileSync(join(dir, a), 'utf8').replace(
      'http://127.0.0.1/alpha',
      'http://127.0.0.1/from-git',
    )
    writeFileSync(join(dir, a), outside)
    const before = hashTree(dir)
    const run = await underFault(cat, () =>
      service.invoke('collection.save', {
        dir,
        path: a,
        request: { ...opened.request, url: 'http://127.0.0.1/unsaved-edit' },
        baseVersion: opened.version,
      }),
    )
    expect(run.value).toEqual({
      ok: false,
      error: { code: 'conflict', message: `${a} changed on disk since it was opened` },
    })
    expect(hashTree(dir)).toEqual(before)
    expect(readFileSync(join(dir, a), 'utf8')).toBe(outside)
  })
})

describe('imports', () => {
  const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'

  it('path-traversal names in a Postman import write nothing outside the target folder', async () => {
    const base = join(cat.tmp, `traversal-${++n}`)
    const into = join(base, 'deep', 'target')
    mkdirSync(into, { recursive: true })
    writeFileSync(join(base, 'sentinel.txt'), 'keep me')
    const outsideBefore = hashTree(base)
    const file = join(cat.tmp, `traversal-${n}.json`)
    writeFileSync(
      file,
      JSON.stringify({
        info: { name: '../../escape', schema: POSTMAN_SCHEMA },
        item: [
          { name: '../../etc/passwd', request: { method: 'GET', url: 'http://127.0.0.1/1' } },
          {
            name: '../../../outside',
            item: [{ name: '/etc/shadow', request: { method: 'GET', url: 'http://127.0.0.1/2' } }],
          },
          { name: '..\\..\\windows', request: { method: 'GET', url: 'http://127.0.0.1/3' } },
          { name: 'sentinel.txt', request: { method: 'GET', url: 'http://127.0.0.1/4' } },
        ],
      }),
    )
    const run = await underFault(cat, () => service.invoke('import.run', { format: 'auto', file, into }))
    if (!run.value.ok) throw new Error(run.value.error.message)
    expect(run.value.value.requests).toBe(4)
    // Everything outside the target is byte for byte as before, and every written file is inside it.
    const after = hashTree(base)
    for (const [k, h] of Object.entries(outsideBefore)) expect(after[k]).toBe(h)
    const added = Object.keys(after).filter((k) => !(k in outsideBefore))
    expect(added.length).toBeGreaterThan(0)
    for (const k of added) expect(k.startsWith(join('deep', 'target'))).toBe(true)
    expect(existsSync(join(base, 'etc'))).toBe(false)
  })

  it('a 50 MB import file is refused whole, quickly, with nothing written', async () => {
    const into = join(cat.tmp, `big-import-${++n}`)
    mkdirSync(into)
    const file = join(cat.tmp, `big-${n}.json`)
    // About 50 MB: 250,000 small requests.
    const item = Array.from({ length: 250_000 }, (_, i) => ({
      name: `request number ${i} with a longish name`,
      request: { method: 'GET', url: `http://127.0.0.1/items/${i}?page=${i % 100}&filter=abcdefghijklmnop` },
    }))
    writeFileSync(file, JSON.stringify({ info: { name: 'Huge', schema: POSTMAN_SCHEMA }, item }))
    const before = hashTree(into)
    const run = await underFault(cat, () => service.invoke('import.run', { format: 'auto', file, into }))
    expect(run.value).toEqual({
      ok: false,
      error: {
        code: 'too_large',
        message: expect.stringMatching(
          /^The file has 250,000 requests in 0 folders; Flightdeck imports at most 10,000/,
        ),
      },
    })
    expect(hashTree(into)).toEqual(before)
  })
})
