import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { runRunCli } from '../../../src/cli/run-command'
import { emptySavedRequest } from '../../../src/shared/collection'
import { createEngineService, type EngineService } from '../../../src/engine/service'
import { CHILD_CASE_TIMEOUT_MS, childExit } from '../../helpers/child-wait'

/**
 * Something in the way of a folder Flightdeck makes (its config folder, a collection's `environments/`, a
 * request folder, the collection folder itself): a clear `file` error or a problem shown with the collection,
 * naming the path and what to do, never `internal … EEXIST`; and whatever is in the way is left as it was.
 */

const services: EngineService[] = []
const roots: string[] = []
afterEach(async () => {
  for (const s of services.splice(0)) await s.dispose()
})
afterAll(() => {
  for (const r of roots) {
    chmodSync(r, 0o700)
    rmSync(r, { recursive: true, force: true })
  }
})

function root(): string {
  const r = mkdtempSync(join(tmpdir(), 'fd-in-the-way-'))
  roots.push(r)
  return r
}

function start(configDir: string): EngineService {
  const s = createEngineService({ host: 'test', configDir, watchCollections: false })
  services.push(s)
  return s
}

const MINE = 'someone committed this file\n'

describe('a file where the config folder should be', () => {
  it('the collection opens, shows why it will not be remembered, and the file stays as it was', async () => {
    const r = root()
    const configDir = join(r, 'flightdeck')
    writeFileSync(configDir, MINE)
    const s = start(configDir)
    const col = join(r, 'col')

    const opened = await s.invoke('collection.open', { dir: col, create: true, name: 'Col' })
    if (!opened.ok) throw new Error(`open failed: ${opened.error.code} ${opened.error.message}`)
    const problem = opened.value.problems.find((p) => p.path === configDir)
    expect(problem?.message).toContain(`config folder ${configDir}`)
    expect(problem?.message).toContain('is a file, not a folder')
    expect(problem?.message).toContain('will not be reopened at the next start')
    expect(problem?.message).toContain('FLIGHTDECK_CONFIG_DIR')

    const listed = await s.invoke('collection.list', {})
    expect(listed.ok && listed.value.open.map((c) => c.dir)).toEqual([col])

    const globals = await s.invoke('globals.save', { variables: [{ name: 'a', value: '1', secret: false }] })
    expect(globals.ok).toBe(false)
    if (!globals.ok) {
      expect(globals.error.code).toBe('file')
      expect(globals.error.message).toContain('Could not save the global variables')
      expect(globals.error.message).toContain(`move or rename ${configDir}`)
    }
    const allow = await s.invoke('files.allow', { folder: r })
    expect(!allow.ok && allow.error.code).toBe('file')
    const ws = await s.invoke('workspace.save', {
      workspace: {
        version: 1,
        tabs: [{ dir: null, path: null, request: emptySavedRequest('Untitled'), savedHash: 'k' }],
        activeTab: 0,
        activeDir: null,
        envByDir: {},
        sendCount: 1,
        notes: [],
      },
    })
    expect(!ws.ok && ws.error.code).toBe('file')
    expect(!ws.ok && ws.error.message).toContain('is a file, not a folder')

    expect(readFileSync(configDir, 'utf8')).toBe(MINE)
    expect(readdirSync(r).sort()).toEqual(['col', 'flightdeck'])

    // Once the file is moved away, the next open is remembered and the problem goes.
    rmSync(configDir)
    const again = await s.invoke('collection.open', { dir: join(r, 'col2'), create: true, name: 'Two' })
    expect(again.ok && again.value.problems).toEqual([])
    expect(JSON.parse(readFileSync(join(configDir, 'workspace.json'), 'utf8'))).toMatchObject({
      open: [col, join(r, 'col2')],
    })
  })

  it('a file as a parent of the config folder is named', async () => {
    const r = root()
    writeFileSync(join(r, 'config'), MINE)
    const configDir = join(r, 'config', 'flightdeck')
    const s = start(configDir)
    const opened = await s.invoke('collection.open', { dir: join(r, 'col'), create: true, name: 'Col' })
    expect(opened.ok).toBe(true)
    const message = opened.ok ? (opened.value.problems[0]?.message ?? '') : ''
    expect(message).toContain(`(${join(r, 'config')}) is a file, not a folder`)
    expect(readFileSync(join(r, 'config'), 'utf8')).toBe(MINE)
  })

  it('a config folder that is a link to nothing is named as such and the link is kept', async () => {
    const r = root()
    const configDir = join(r, 'flightdeck')
    symlinkSync(join(r, 'gone'), configDir)
    const s = start(configDir)
    const saved = await s.invoke('globals.save', { variables: [] })
    expect(!saved.ok && saved.error.code).toBe('file')
    expect(!saved.ok && saved.error.message).toContain(
      `is a symbolic link to ${join(r, 'gone')}, which does not exist`,
    )
    expect(readlinkSync(configDir)).toBe(join(r, 'gone'))
  })

  it.skipIf(process.getuid?.() === 0)(
    'a config folder nobody may create says permission denied',
    async () => {
      const r = root()
      chmodSync(r, 0o500)
      const s = start(join(r, 'flightdeck'))
      const saved = await s.invoke('globals.save', { variables: [] })
      expect(!saved.ok && saved.error.code).toBe('file')
      expect(!saved.ok && saved.error.message).toContain('permission denied')
    },
  )
})

describe('a file where a collection needs a folder', () => {
  it('environments/, a request folder and the collection folder itself are named; the files stay', async () => {
    const r = root()
    const s = start(join(r, 'config'))
    const col = join(r, 'col')
    expect((await s.invoke('collection.open', { dir: col, create: true, name: 'Col' })).ok).toBe(true)

    writeFileSync(join(col, 'environments'), MINE)
    const env = await s.invoke('environment.save', { dir: col, id: 'dev', name: 'Dev', variables: [] })
    expect(!env.ok && env.error.code).toBe('file')
    expect(!env.ok && env.error.message).toContain(`${join(col, 'environments')} is a file, not a folder`)
    expect(readFileSync(join(col, 'environments'), 'utf8')).toBe(MINE)

    writeFileSync(join(col, 'users'), MINE)
    const folder = await s.invoke('collection.createFolder', { dir: col, parent: 'users', name: 'admin' })
    expect(!folder.ok && folder.error.code).toBe('file')
    expect(!folder.ok && folder.error.message).toContain(`move or rename ${join(col, 'users')}`)
    expect(readFileSync(join(col, 'users'), 'utf8')).toBe(MINE)

    const taken = join(r, 'taken')
    writeFileSync(taken, MINE)
    const made = await s.invoke('collection.open', { dir: taken, create: true, name: 'Taken' })
    expect(!made.ok && made.error.code).toBe('file')
    expect(!made.ok && made.error.message).toContain(`${taken} is a file, not a folder`)
    expect(readFileSync(taken, 'utf8')).toBe(MINE)
  })

  it('an environments/ link leading out of the collection is refused and nothing lands outside', async () => {
    const r = root()
    const s = start(join(r, 'config'))
    const col = join(r, 'col')
    const outside = join(r, 'outside')
    mkdirSync(outside)
    expect((await s.invoke('collection.open', { dir: col, create: true, name: 'Col' })).ok).toBe(true)
    symlinkSync(outside, join(col, 'environments'))
    const env = await s.invoke('environment.save', { dir: col, id: 'dev', name: 'Dev', variables: [] })
    expect(!env.ok && env.error.code).toBe('forbidden')
    expect(readdirSync(outside)).toEqual([])
  })
})

describe('a file where `flightdeck run --out` should make its folder', () => {
  it('names the file, exits 2 and leaves it as it was; a folder that cannot be made under /proc ends too', async () => {
    const r = root()
    const server = createServer((_req, res) => res.end('ok'))
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    try {
      const port = (server.address() as AddressInfo).port
      const col = join(r, 'col')
      mkdirSync(col)
      writeFileSync(join(col, 'collection.yaml'), 'flightdeck: 1\nname: Col\n')
      writeFileSync(join(col, 'get.yaml'), `name: Get\nmethod: GET\nurl: http://127.0.0.1:${port}/\n`)
      const out = join(r, 'reports')
      writeFileSync(out, MINE)
      let stderr = ''
      const io = { out: () => undefined, err: (t: string) => void (stderr += t) }
      const saved = process.env['FLIGHTDECK_CONFIG_DIR']
      process.env['FLIGHTDECK_CONFIG_DIR'] = join(r, 'config')
      let code: number
      // Under /proc, mkdir says ENOENT while the parent exists: Node's recursive mkdir then spins forever.
      const proc = existsSync('/proc/self') ? '/proc/flightdeck-no-such/reports' : null
      let procCode: number | null = null
      let procErr = ''
      try {
        code = await runRunCli([col, '--reporter', 'json', '--out', out], io)
        if (proc !== null)
          procCode = await runRunCli([col, '--reporter', 'junit', '--out', proc], {
            out: () => undefined,
            err: (t: string) => void (procErr += t),
          })
      } finally {
        if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
        else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
      }
      expect(code).toBe(2)
      expect(stderr).toContain(`cannot write reports to ${out}: ${out} is a file, not a folder`)
      expect(readFileSync(out, 'utf8')).toBe(MINE)
      if (proc !== null) {
        expect(procCode).toBe(2)
        expect(procErr).toContain(`cannot write reports to ${proc}: ENOENT`)
      }
    } finally {
      await new Promise<void>((done) => server.close(() => done()))
    }
  })
})

/**
 * Under /proc, mkdir says ENOENT while the parent exists: Node's recursive mkdir then retries forever at full CPU.
 * An import or export aimed there ends with mkdir's words instead.
 */
describe.skipIf(!existsSync('/proc/self'))('a folder that cannot be made (under /proc)', () => {
  const nowhere = '/proc/flightdeck-no-such'

  it(
    'flightdeck import --into ends with a clear error, as a child process',
    async () => {
      const r = root()
      const file = join(r, 'one.postman_collection.json')
      writeFileSync(
        file,
        JSON.stringify({
          info: {
            name: 'One',
            schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
          },
          item: [{ name: 'Get', request: { method: 'GET', url: 'http://127.0.0.1:9/' } }],
        }),
      )
      const bin = fileURLToPath(new URL('../../../bin/flightdeck.js', import.meta.url))
      const child = spawn(process.execPath, [bin, 'import', file, '--into', `${nowhere}/col`], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FLIGHTDECK_CONFIG_DIR: join(r, 'config') },
      })
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
      child.stdout.resume()
      // A child because a hang must be killable; the wait is bounded by the child's CPU time (test/helpers/child-wait.ts),
      // not by the wall clock: 20 s killed a start that was only waiting for a core at load 35.
      const closed = new Promise<void>((done) => child.once('close', () => done()))
      try {
        const { code } = await childExit(child)
        await closed
        expect(code).toBe(2)
      } finally {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL')
          await closed
        }
      }
      expect(stderr).toContain(`cannot import ${file}`)
      expect(stderr).toContain('ENOENT')
    },
    CHILD_CASE_TIMEOUT_MS,
  )

  it('a Bruno or Postman export there is refused with a clear file error', async () => {
    const r = root()
    const col = join(r, 'col')
    mkdirSync(col)
    writeFileSync(join(col, 'collection.yaml'), 'flightdeck: 1\nname: Col\n')
    writeFileSync(join(col, 'get.yaml'), 'name: Get\nmethod: GET\nurl: http://127.0.0.1:9/\n')
    const service = start(join(r, 'config'))
    expect((await service.invoke('collection.open', { dir: col })).ok).toBe(true)
    const out = await service.invoke('export.collection', {
      dir: col,
      format: 'bruno',
      file: `${nowhere}/bruno`,
    })
    expect(out.ok).toBe(false)
    expect(!out.ok && out.error).toMatchObject({ code: 'file' })
    expect(!out.ok && out.error.message).toContain(
      `Could not write the Bruno export to ${nowhere}/bruno: ENOENT`,
    )
    const postman = await service.invoke('export.collection', {
      dir: col,
      format: 'postman',
      file: `${nowhere}/col.postman_collection.json`,
    })
    expect(!postman.ok && postman.error).toMatchObject({ code: 'file' })
  })
})
