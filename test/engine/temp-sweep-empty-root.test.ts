import { spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sweepStaleTempDirs } from '../../src/engine/temp-files'

/**
 * The start-up sweep reads the temp root only when it may hold a folder (its link count is not 2): every
 * `flightdeck send` starts an engine, and reading an empty root cost it ~13M instructions. A killed process's
 * folder is still found and removed.
 */

let base: string
/** A pid that was running a moment ago and is gone now. */
let deadPid: number

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'flightdeck-sweep-empty-'))
  const child = spawnSync(process.execPath, ['-e', '0'], { timeout: 20_000 })
  deadPid = child.pid ?? 0
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

function rootWith(name: string, folders: string[], files: string[]): string {
  const root = join(base, name)
  mkdirSync(root)
  for (const f of folders) mkdirSync(join(root, f))
  for (const f of files) writeFileSync(join(root, f), 'x')
  return root
}

describe('the temp sweep', () => {
  it('does not read a root that holds no folder', async () => {
    const root = rootWith('files-only', [], ['a.tmp', `pid-${deadPid}-file`])
    // The rule rests on the file system counting a folder's subfolders in its link count (not btrfs, say).
    if (lstatSync(root).nlink !== 2) return
    expect(await sweepStaleTempDirs(root)).toEqual({ removed: [], kept: 0, scanned: 0 })
  })

  it('still removes the folder of a process that is gone, beside a running one', async () => {
    const dead = `pid-${deadPid}-abc`
    const alive = `pid-${process.pid}-def`
    const root = rootWith('with-folders', [dead, alive], ['a.tmp'])
    const report = await sweepStaleTempDirs(root)
    expect(report.removed).toEqual([dead])
    expect(report.kept).toBe(1)
    expect(report.scanned).toBe(3)
    expect(existsSync(join(root, dead))).toBe(false)
    expect(existsSync(join(root, alive))).toBe(true)
  })

  it('reads a root that is a symbolic link to a folder, as before', async () => {
    const target = rootWith('link-target', [`pid-${deadPid}-ghi`], [])
    const link = join(base, 'link')
    symlinkSync(target, link)
    const report = await sweepStaleTempDirs(link)
    expect(report.removed).toEqual([`pid-${deadPid}-ghi`])
  })

  it('finds nothing to do when the root is not there', async () => {
    expect(await sweepStaleTempDirs(join(base, 'missing'))).toEqual({ removed: [], kept: 0, scanned: 0 })
  })
})
