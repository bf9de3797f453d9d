import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LINK_LEFT_OUT } from '../../src/engine/importers/bruno'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'

/**
 * A Bruno or OpenCollection folder from a stranger (a clone keeps links; an archive can hold pipes) whose
 * environment file is a link to /dev/zero or a named pipe. Files were judged by stat's size and read whole:
 * /dev/zero ended `flightdeck import` with 'Invalid string length' and a stack trace, and a pipe held the
 * import (past its worker's 120 s timeout: the pool thread stuck in open() kept the process from ending).
 * Each such file is left out and named; the rest of the folder imports.
 */

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-import-special-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

const NOT_A_FILE = 'not a file (a pipe, a device or a folder); left out'

describe('an import folder holding a device and a pipe', () => {
  it('Bruno: the two environment files are left out and said, the request imports', async () => {
    const dir = join(root, 'bruno')
    mkdirSync(join(dir, 'environments'), { recursive: true })
    writeFileSync(join(dir, 'bruno.json'), '{"version":"1","name":"Shared","type":"collection"}')
    writeFileSync(
      join(dir, 'a.bru'),
      'meta {\n  name: A\n  type: http\n  seq: 1\n}\n\nget {\n  url: http://127.0.0.1:9/a\n}\n',
    )
    symlinkSync('/dev/zero', join(dir, 'environments', 'zero.bru'))
    execFileSync('mkfifo', [join(dir, 'environments', 'pipe.bru')])
    const started = Date.now()
    const r = await runImport({ file: dir }, 'auto', join(root, 'out'), new MemorySecretStore())
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.requests).toBe(1)
    expect(r.value.environments).toBe(0)
    expect(r.value.unmapped).toEqual(
      expect.arrayContaining([
        `environments/zero.bru: ${NOT_A_FILE}`,
        `environments/pipe.bru: ${NOT_A_FILE}`,
      ]),
    )
  }, 40_000)

  it('Bruno: a linked request file and a linked folder (one leading back up) are left out and said', async () => {
    const dir = join(root, 'bruno-links')
    mkdirSync(dir)
    writeFileSync(join(dir, 'bruno.json'), '{"version":"1","name":"Shared","type":"collection"}')
    const request = (name: string): string =>
      `meta {\n  name: ${name}\n  type: http\n  seq: 1\n}\n\nget {\n  url: http://127.0.0.1:9/${name}\n}\n`
    writeFileSync(join(dir, 'a.bru'), request('a'))
    writeFileSync(join(root, 'elsewhere.bru'), request('elsewhere'))
    symlinkSync(join(root, 'elsewhere.bru'), join(dir, 'linked.bru'))
    symlinkSync(dir, join(dir, 'loop'))
    const r = await runImport({ file: dir }, 'auto', join(root, 'out'), new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.requests).toBe(1)
    expect(r.value.unmapped).toEqual(
      expect.arrayContaining([`linked.bru: ${LINK_LEFT_OUT}`, `loop: ${LINK_LEFT_OUT}`]),
    )
  })

  it('OpenCollection: a request file and an environment that are not files are left out and said', async () => {
    const dir = join(root, 'oc')
    mkdirSync(join(dir, 'environments'), { recursive: true })
    writeFileSync(join(dir, 'opencollection.yml'), 'opencollection: 1.0.0\ninfo:\n  name: Shared\n')
    writeFileSync(
      join(dir, 'fine.yml'),
      'info: {name: fine, type: http}\nhttp:\n  method: GET\n  url: http://127.0.0.1:9/fine\n',
    )
    symlinkSync('/dev/zero', join(dir, 'zero.yml'))
    execFileSync('mkfifo', [join(dir, 'environments', 'pipe.yml')])
    const started = Date.now()
    const r = await runImport({ file: dir }, 'auto', join(root, 'out'), new MemorySecretStore())
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.requests).toBe(1)
    expect(r.value.unmapped).toEqual(
      expect.arrayContaining([`zero.yml: ${NOT_A_FILE}`, `environments/pipe.yml: ${NOT_A_FILE}`]),
    )
  }, 40_000)
})
