import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../../src/engine/service'
import { childScriptArgs } from '../../helpers/child-script'
import { CHILD_CASE_TIMEOUT_MS, childExit, childOutput } from '../../helpers/child-wait'

const temps = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.fdtmp'))

let service: EngineService | null = null
/** Children a case started: one a failed or timed-out case left running is killed, its pipes closed with it. */
const children: ChildProcess[] = []
afterEach(async () => {
  await service?.dispose()
  service = null
  await Promise.all(children.splice(0).map(ended))
})

/** Kills `child` if it still runs and resolves once it has exited and its pipes have closed. */
function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    if (child.stdout?.closed !== false && child.stderr?.closed !== false) return Promise.resolve()
  } else child.kill('SIGKILL')
  return new Promise((resolve) => child.once('close', () => resolve()))
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  })
  return Number(r.stdout)
}

describe('the config folder keeps no leftover temp files', () => {
  it(
    'a process that exits while its write waits for the rename leaves no temp file',
    async () => {
      const configDir = mkdtempSync(join(tmpdir(), 'fd-exit-mid-write-'))
      const child = spawn(
        process.execPath,
        [...childScriptArgs(join(__dirname, 'exit-mid-write-child.ts')), configDir],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      )
      children.push(child)
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const { code } = await childExit(child)
      expect(stderr).toBe('')
      expect(code).toBe(0)
      expect(temps(configDir)).toEqual([])
    },
    CHILD_CASE_TIMEOUT_MS,
  )

  it(
    'a process killed while opening six collections at once leaves at most one workspace.json temp',
    async () => {
      const configDir = mkdtempSync(join(tmpdir(), 'fd-open-many-config-'))
      const child = spawn(
        process.execPath,
        [...childScriptArgs(join(__dirname, 'open-many-child.ts')), configDir, '6'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      children.push(child)
      // The child says HELD once a workspace.json write waits at its rename.
      await childOutput(child, /HELD\n/)
      // Time for any other overlapping write to reach its rename too.
      await new Promise((r) => setTimeout(r, 500))
      child.kill('SIGKILL')
      await childExit(child)
      expect(temps(configDir).filter((f) => f.startsWith('.workspace.json.'))).toHaveLength(1)
    },
    CHILD_CASE_TIMEOUT_MS,
  )

  it('temp files of dead writers are swept at start-up; live ones, other files and symlinks stay', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'fd-config-sweep-'))
    const dead = deadPid()
    const stale = [`.workspace.json.${dead}-0123456789ab.fdtmp`, `.secrets.json.${dead}-ba9876543210.fdtmp`]
    for (const name of stale) writeFileSync(join(configDir, name), '{"open":[]}')
    const live = `.workspace.json.${process.pid}-00000000abcd.fdtmp`
    writeFileSync(join(configDir, live), '')
    // A pid that answers but whose temp is two hours old: the pid was reused, the writer is long gone.
    const reused = `.workspace.json.${process.pid}-11111111abcd.fdtmp`
    writeFileSync(join(configDir, reused), '{}')
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000)
    utimesSync(join(configDir, reused), twoHoursAgo, twoHoursAgo)
    writeFileSync(join(configDir, '.workspace.json.notes'), 'mine')
    const outside = mkdtempSync(join(tmpdir(), 'fd-config-sweep-outside-'))
    writeFileSync(join(outside, 'target'), 'keep me')
    const link = `.globals.yaml.${dead}-aaaaaaaaaaaa.fdtmp`
    symlinkSync(join(outside, 'target'), join(configDir, link))

    service = createEngineService({ host: 'test', configDir, watchCollections: false })
    const listed = await service.invoke('collection.list', {})
    expect(listed.ok).toBe(true)

    expect(temps(configDir).sort()).toEqual([link, live].sort())
    expect(existsSync(join(configDir, '.workspace.json.notes'))).toBe(true)
    expect(readFileSync(join(outside, 'target'), 'utf8')).toBe('keep me')
  })

  it('an engine for tests given no config folder never writes the real one', async () => {
    const home = mkdtempSync(join(tmpdir(), 'fd-config-home-'))
    const collection = join(mkdtempSync(join(tmpdir(), 'fd-config-coll-')), 'api')
    const saved = { dir: process.env['FLIGHTDECK_CONFIG_DIR'], xdg: process.env['XDG_CONFIG_HOME'] }
    delete process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['XDG_CONFIG_HOME'] = home
    try {
      service = createEngineService({ host: 'test', watchCollections: false })
      const opened = await service.invoke('collection.open', { dir: collection, create: true, name: 'Api' })
      expect(opened.ok).toBe(true)
    } finally {
      if (saved.dir === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved.dir
      if (saved.xdg === undefined) delete process.env['XDG_CONFIG_HOME']
      else process.env['XDG_CONFIG_HOME'] = saved.xdg
    }
    expect(readdirSync(home)).toEqual([])
  })
})
