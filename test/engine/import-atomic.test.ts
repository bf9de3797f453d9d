import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptySavedRequest } from '../../src/shared/collection'
import { nodeAtomicFs, setAtomicFsForTests } from '../../src/engine/collections/atomic-write'
import { loadCollection } from '../../src/engine/collections/loader'
import { createCollection, createRequest } from '../../src/engine/collections/store'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'

const samples = fileURLToPath(new URL('../fixtures/samples/', import.meta.url))
const POSTMAN_V21 = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'

let base: string
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'fd-import-atomic-'))
})
afterEach(() => {
  setAtomicFsForTests(null)
  rmSync(base, { recursive: true, force: true })
})

/** Every file under `dir` (dot-files and folders too) with its bytes: what a person would find there. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const childAbs = join(abs, name)
      const childRel = rel === '' ? name : `${rel}/${name}`
      if (statSync(childAbs).isDirectory()) {
        out[`${childRel}/`] = ''
        walk(childAbs, childRel)
      } else out[childRel] = readFileSync(childAbs, 'utf8')
    }
  }
  walk(dir, '')
  return out
}

/** A full disk from the `n`th atomic write on (every later write fails too, as on a real full disk). */
function diskFullFrom(n: number): { writes: () => number } {
  let count = 0
  setAtomicFsForTests({
    ...nodeAtomicFs,
    open: async (path, flags, mode) => {
      if (++count >= n)
        throw Object.assign(new Error(`ENOSPC: no space left on device, open '${path}'`), { code: 'ENOSPC' })
      return nodeAtomicFs.open(path, flags, mode)
    },
  })
  return { writes: () => count }
}

async function existingCollection(dir: string): Promise<Record<string, string>> {
  const made = await createCollection(dir, 'Mine')
  if (!made.ok) throw new Error(made.error.message)
  const r = await createRequest(dir, '', { ...emptySavedRequest('Ping'), url: 'http://127.0.0.1:9/ping' })
  if (!r.ok) throw new Error(r.error.message)
  return snapshot(dir)
}

describe('an import that fails part-way leaves nothing', () => {
  it('a new collection: the disk fills up at the 10th file; no folder, no stage, and the message says so', async () => {
    const into = join(base, 'deploy-console')
    const disk = diskFullFrom(10)
    const r = await runImport(
      { file: join(samples, 'writer', 'openapi-reserved-names.yaml') },
      'auto',
      into,
      new MemorySecretStore(),
    )
    expect(disk.writes()).toBeGreaterThanOrEqual(10)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('file')
    expect(r.error.message).toMatch(
      /^The import stopped part-way \(could not write .+: the disk is full\)\. Nothing was imported: .+deploy-console is as it was/,
    )
    expect(existsSync(into)).toBe(false)
    // Nothing beside it either: the stage is gone.
    expect(readdirSync(base)).toEqual([])
  })

  it('into an existing collection: the disk fills up mid-way; every file is as it was', async () => {
    const dir = join(base, 'mine')
    const before = await existingCollection(dir)
    const secrets = new MemorySecretStore()
    diskFullFrom(5)
    const r = await runImport({ file: join(samples, 'insomnia-v4.json') }, 'auto', dir, secrets)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.message).toContain('Nothing was imported')
    setAtomicFsForTests(null)
    expect(snapshot(dir)).toEqual(before)
    const { info } = await loadCollection(dir)
    expect(info.requestCount).toBe(1)
    expect(info.environments).toEqual([])
  })

  it('into an existing collection whose environments is a file, not a folder: the requests written are taken back', async () => {
    const dir = join(base, 'mine')
    await existingCollection(dir)
    writeFileSync(join(dir, 'environments'), 'not a folder\n')
    const before = snapshot(dir)
    const r = await runImport(
      { file: join(samples, 'insomnia-v4.json') },
      'auto',
      dir,
      new MemorySecretStore(),
    )
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.message).toMatch(
      /^The import stopped part-way \(.*environments.*\)\. Nothing was imported/,
    )
    expect(snapshot(dir)).toEqual(before)
  })

  it('a whole import moves into place: the collection loads with every request and no stage left behind', async () => {
    const dir = join(base, 'mine')
    await existingCollection(dir)
    const r = await runImport(
      { file: join(samples, 'insomnia-v4.json') },
      'auto',
      dir,
      new MemorySecretStore(),
    )
    if (!r.ok) throw new Error(r.error.message)
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([])
    const { info } = await loadCollection(dir)
    expect(info.problems).toEqual([])
    expect(info.requestCount).toBe(1 + r.value.requests)
    expect(info.environments.length).toBe(r.value.environments)
    const fresh = join(base, 'fresh')
    const again = await runImport(
      { file: join(samples, 'insomnia-v4.json') },
      'auto',
      fresh,
      new MemorySecretStore(),
    )
    if (!again.ok) throw new Error(again.error.message)
    expect(readdirSync(base).sort()).toEqual(['fresh', 'mine'])
    expect((await loadCollection(fresh)).info.requestCount).toBe(again.value.requests)
  })

  it('a real write refused by the system (a file over ulimit -f, EFBIG) at the 20th request: nothing left, the request named', () => {
    // A Postman collection of 30 requests; the 20th has a 400 KB body, over the child's 256 KB file size limit.
    const items = Array.from({ length: 30 }, (_, i) => ({
      name: `Request ${String(i).padStart(2, '0')}`,
      request: {
        method: 'POST',
        header: [],
        body: { mode: 'raw', raw: i === 19 ? 'x'.repeat(400 * 1024) : `{"n": ${i}}` },
        url: { raw: `http://127.0.0.1:9/r/${i}` },
      },
    }))
    const file = join(base, 'big-body.postman_collection.json')
    writeFileSync(file, JSON.stringify({ info: { name: 'Big body', schema: POSTMAN_V21 }, item: items }))
    const into = join(base, 'big-body')
    const child = fileURLToPath(new URL('./import-atomic-child.ts', import.meta.url))
    // SIGXFSZ ignored, so the write fails with EFBIG instead of killing the process.
    const run = spawnSync(
      'bash',
      [
        '-c',
        `trap '' XFSZ; ulimit -f 256; exec "${process.execPath}" --import tsx "${child}" "${file}" "${into}"`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    )
    expect(run.status, run.stderr).toBe(0)
    const r = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
      ok: boolean
      error?: { message: string }
    }
    expect(r.ok).toBe(false)
    expect(r.error?.message).toBe(
      `The import stopped part-way (could not write request "Request 19": EFBIG). Nothing was imported: ${into} is as it was (the files written so far were removed)`,
    )
    expect(existsSync(into)).toBe(false)
    expect(readdirSync(base)).toEqual(['big-body.postman_collection.json'])
  })

  it('the stages an import killed mid-way left are removed by the next import; a live one stays', async () => {
    const dir = join(base, 'mine')
    await existingCollection(dir)
    // A pid that is certainly gone: a process that ran and exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid
    const staleInside = join(dir, `.fd-import-${dead}-aaaaaaaaaaaa`)
    const staleBeside = join(base, `.other.fd-import-${dead}-bbbbbbbbbbbb`)
    const live = join(dir, `.fd-import-${process.pid}-cccccccccccc`)
    for (const stage of [staleInside, staleBeside, live]) {
      mkdirSync(join(stage, 'users'), { recursive: true })
      writeFileSync(join(stage, 'users', 'create-user.yaml'), 'name: Create user\n')
    }
    const r = await runImport(
      { file: join(samples, 'insomnia-v4.json') },
      'auto',
      dir,
      new MemorySecretStore(),
    )
    if (!r.ok) throw new Error(r.error.message)
    expect(existsSync(staleInside)).toBe(false)
    expect(existsSync(staleBeside)).toBe(false)
    expect(existsSync(live)).toBe(true)
  })
})
