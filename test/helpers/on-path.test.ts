import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { executableOnPath } from './on-path'

const dir = mkdtempSync(join(tmpdir(), 'fd-on-path-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A folder holding `http` as given: a script (mode 755 or 644) or a folder. */
function folderWith(name: string, http: 'hangs' | 'not executable' | 'a folder'): string {
  const folder = join(dir, name)
  mkdirSync(folder)
  if (http === 'a folder') mkdirSync(join(folder, 'http'))
  else {
    writeFileSync(join(folder, 'http'), `#!/bin/sh\ntouch '${join(folder, 'ran')}'\nsleep 60\n`)
    chmodSync(join(folder, 'http'), http === 'hangs' ? 0o755 : 0o644)
  }
  return folder
}

describe('a tool found installed without running it', () => {
  it('finds an executable that would hang when run, at once, in any folder of PATH', () => {
    const hangs = folderWith('hangs', 'hangs')
    expect(executableOnPath('http', [join(dir, 'nothing-here'), hangs].join(delimiter))).toBe(true)
    // Nothing was run: a probe that ran this `http` waited out its limit, then called it missing.
    expect(existsSync(join(hangs, 'ran'))).toBe(false)
  })

  it('finds none where the file is not executable, is a folder, or PATH is empty', () => {
    const path = [folderWith('plain', 'not executable'), folderWith('folder', 'a folder')].join(delimiter)
    expect(executableOnPath('http', path)).toBe(false)
    expect(executableOnPath('http', '')).toBe(false)
  })
})
