import { execFileSync } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheProbeRun, cacheProbeScript, type CacheProbeRun } from './code-cache-probe'
import { runModuleScript } from './module-script'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * The built CLI's V8 code cache (src/cli/command-loader.ts) against an unlucky or hostile folder: the command
 * runs its current code and no file of the user's is written through a link. Runs a copy of the built CLI
 * (out/cli, or FLIGHTDECK_TEST_CLI's folder) so that its files can be edited; needs `npm run build` first.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const builtEntry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')

let work: string
let cli: string
let server: Server
let url: string

/** Runs `send url` with the copied CLI; `before` is code run first in the same process (it knows its pid). */
async function send(env: Record<string, string>, before = '', cwd = work): Promise<CacheProbeRun> {
  const run = await runModuleScript(cacheProbeScript(join(cli, 'index.js'), url, before), {
    cwd,
    env: { FLIGHTDECK_CONFIG_DIR: join(work, 'config'), ...env },
    // A start that hangs (on a cache it cannot finish reading) is killed: its exit code is then null.
  })
  return cacheProbeRun(run)
}

function caches(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.cache'))
}

let seeded: Promise<string> | undefined
/**
 * A whole cache of `send` copied into `dir` (made by one start, the first time asked: each start that makes a
 * cache compiles the 2 MB command), as a usual start leaves it; its file name.
 */
async function seedCache(dir: string): Promise<string> {
  const seedDir = join(work, 'seed')
  seeded ??= send({ FLIGHTDECK_CODE_CACHE_DIR: seedDir }).then((r) => {
    expect(r.cache).toEqual(['none'])
    const [name] = caches(seedDir)
    if (!name) throw new Error('the seeding start left no cache')
    return name
  })
  const name = await seeded
  mkdirSync(dir, { recursive: true })
  cpSync(join(seedDir, name), join(dir, name))
  return name
}

beforeAll(async () => {
  // Under the checkout, so the copy's external packages resolve from node_modules.
  mkdirSync(join(root, 'out'), { recursive: true })
  work = mkdtempSync(join(root, 'out', '.code-cache-attack-'))
  cli = join(work, 'cli')
  cpSync(dirname(builtEntry), cli, { recursive: true })
  server = createServer((_req, res) => res.end('ok'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(work, { recursive: true, force: true })
})

describe('the code cache against an unlucky or hostile folder', () => {
  it('a command file edited in place (same length) runs its new code, not the cached old one', async () => {
    const env = { FLIGHTDECK_CODE_CACHE_DIR: join(work, 'edited') }
    expect((await send(env)).cache).toEqual(['none'])
    const cached = await send(env)
    expect(cached.cache).toEqual(['taken'])
    expect(cached.out).toContain('HTTP/1.1 200 OK')
    const index = JSON.parse(readFileSync(join(cli, 'cached', 'index.json'), 'utf8')) as Record<
      string,
      string
    >
    const file = join(cli, 'cached', index['send-command'] ?? '')
    const before = readFileSync(file, 'latin1')
    const after = before.replace(
      '`HTTP/${report.httpVersion} ${report.status}',
      '`XTTP/${report.httpVersion} ${report.status}',
    )
    expect(after.length).toBe(before.length)
    expect(after).not.toBe(before)
    writeFileSync(file, after, 'latin1')
    try {
      const edited = await send(env)
      expect(edited.code).toBe(0)
      expect(edited.out).toContain('XTTP/1.1 200 OK')
      expect((await send(env)).out).toContain('XTTP/1.1 200 OK')
      // The old file's cache went with it.
      expect(caches(join(work, 'edited'))).toHaveLength(1)
    } finally {
      writeFileSync(file, before, 'latin1')
    }
  })

  it("a cache that is a link to a file of the user's: the file is left as it was, the command runs", async () => {
    const dir = join(work, 'linked')
    const name = await seedCache(dir)
    const victim = join(work, 'precious.txt')
    writeFileSync(victim, 'precious')
    rmSync(join(dir, name))
    symlinkSync(victim, join(dir, name))
    const r = await send({ FLIGHTDECK_CODE_CACHE_DIR: dir })
    expect(r.code).toBe(0)
    expect(r.out).toContain('HTTP/1.1 200 OK')
    // V8 refuses what it reads through the link (not a cache of its own) and the cache is made anew beside it.
    expect(r.cache).toEqual(['refused'])
    expect(readFileSync(victim, 'utf8')).toBe('precious')
    expect((await send({ FLIGHTDECK_CODE_CACHE_DIR: dir })).cache).toEqual(['taken'])
  })

  it('a link where the cache is written first (its temporary file): the linked file is left as it was', async () => {
    const dir = join(work, 'temp-linked')
    const name = await seedCache(dir)
    rmSync(join(dir, name))
    const victim = join(work, 'precious-temp.txt')
    writeFileSync(victim, 'precious')
    const link = `symlinkSync(${JSON.stringify(victim)}, ${JSON.stringify(join(dir, name))} + '.' + process.pid + '.tmp')`
    const r = await send({ FLIGHTDECK_CODE_CACHE_DIR: dir }, link)
    expect(r.code).toBe(0)
    expect(r.out).toContain('HTTP/1.1 200 OK')
    expect(readFileSync(victim, 'utf8')).toBe('precious')
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('a truncated cache is refused by V8 and made again; the command runs', async () => {
    const dir = join(work, 'truncated')
    const name = await seedCache(dir)
    truncateSync(join(dir, name), 1000)
    const r = await send({ FLIGHTDECK_CODE_CACHE_DIR: dir })
    expect(r.code).toBe(0)
    expect(r.out).toContain('HTTP/1.1 200 OK')
    expect(r.cache).toEqual(['refused'])
    expect((await send({ FLIGHTDECK_CODE_CACHE_DIR: dir })).cache).toEqual(['taken'])
  })

  it('a cache damaged in the middle (its length kept) is refused by V8, which aborted on one without its checksum; the command runs', async () => {
    const dir = join(work, 'damaged')
    const name = await seedCache(dir)
    const path = join(dir, name)
    const bytes = readFileSync(path)
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 4000; i++) bytes[i] = (bytes[i] ?? 0) ^ 0x5a
    writeFileSync(path, bytes)
    const r = await send({ FLIGHTDECK_CODE_CACHE_DIR: dir })
    expect(r.code).toBe(0)
    expect(r.out).toContain('HTTP/1.1 200 OK')
    expect(r.cache).toEqual(['refused'])
    expect((await send({ FLIGHTDECK_CODE_CACHE_DIR: dir })).cache).toEqual(['taken'])
  })

  it('a cache path that is a FIFO or a link to /dev/zero is no cache: the command starts and runs', async () => {
    for (const [dirName, make] of [
      ['fifo', (path: string) => execFileSync('mkfifo', [path])],
      ['zero', (path: string) => symlinkSync('/dev/zero', path)],
    ] as const) {
      const dir = join(work, dirName)
      const path = join(dir, await seedCache(dir))
      rmSync(path)
      make(path)
      const r = await send({ FLIGHTDECK_CODE_CACHE_DIR: dir })
      expect([r.code, r.cache], dirName).toEqual([0, ['none']])
      expect(r.out).toContain('HTTP/1.1 200 OK')
    }
  })

  it('a FLIGHTDECK_CODE_CACHE_DIR under /proc costs only the cache: the command starts and runs', async () => {
    // Under /proc a folder cannot be made and its parent answers ENOENT: Node's own recursive mkdir retried that
    // for ever at full CPU, so the start hung with no output (killed at 15 s, code null).
    const r = await send({ FLIGHTDECK_CODE_CACHE_DIR: '/proc/flightdeck-cache/x' })
    expect(r.code).toBe(0)
    expect(r.out).toContain('HTTP/1.1 200 OK')
    expect(r.cache).toEqual(['none'])
  })

  it('four starts at once with no cache all run and leave one whole cache', async () => {
    const dir = join(work, 'racing')
    const runs = await Promise.all([1, 2, 3, 4].map(() => send({ FLIGHTDECK_CODE_CACHE_DIR: dir })))
    for (const r of runs) {
      expect(r.code).toBe(0)
      expect(r.out).toContain('HTTP/1.1 200 OK')
    }
    expect(caches(dir)).toHaveLength(1)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect((await send({ FLIGHTDECK_CODE_CACHE_DIR: dir })).cache).toEqual(['taken'])
  })

  it('a relative FLIGHTDECK_CODE_CACHE_DIR that does not exist yet is made under the working folder', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fd-cache-cwd-'))
    try {
      const env = { FLIGHTDECK_CODE_CACHE_DIR: 'not/yet' }
      expect((await send(env, '', cwd)).cache).toEqual(['none'])
      expect(caches(join(cwd, 'not/yet'))).toHaveLength(1)
      const r = await send(env, '', cwd)
      expect(r.out).toContain('HTTP/1.1 200 OK')
      expect(r.cache).toEqual(['taken'])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  })
})
