import { execFileSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LINK_LEFT_OUT, LINK_OUTSIDE } from '../../src/engine/importers/folder-links'
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

/** The URL of every request the import wrote, sorted: what the imported collection would send. */
function sentUrls(dir: string): string[] {
  const urls: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name))
      else if (e.name.endsWith('.yaml') && e.name !== 'collection.yaml' && e.name !== 'folder.yaml') {
        const url = /^url: (.*)$/m.exec(readFileSync(join(d, e.name), 'utf8'))?.[1]
        if (url !== undefined) urls.push(url)
      }
    }
  }
  walk(dir)
  return urls.sort()
}

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
        `environments/zero.bru: ${LINK_OUTSIDE}`,
        `environments/pipe.bru: ${NOT_A_FILE}`,
      ]),
    )
  }, 40_000)

  it('Bruno: a linked request file is read only when it leads inside the folder; a linked folder is left out; each said', async () => {
    const dir = join(root, 'bruno-links')
    mkdirSync(join(dir, 'shared'), { recursive: true })
    writeFileSync(join(dir, 'bruno.json'), '{"version":"1","name":"Shared","type":"collection"}')
    const request = (name: string): string =>
      `meta {\n  name: ${name}\n  type: http\n  seq: 1\n}\n\nget {\n  url: http://127.0.0.1:9/${name}\n}\n`
    writeFileSync(join(dir, 'a.bru'), request('a'))
    writeFileSync(join(dir, 'shared', 'b.bru'), request('b'))
    writeFileSync(join(root, 'elsewhere.bru'), request('elsewhere'))
    symlinkSync(join(root, 'elsewhere.bru'), join(dir, 'linked.bru'))
    symlinkSync(join(dir, 'shared', 'b.bru'), join(dir, 'inside.bru'))
    symlinkSync(dir, join(dir, 'loop'))
    mkdirSync(join(root, 'private'))
    writeFileSync(join(root, 'private', 'prod.bru'), 'vars {\n  token: s3cret\n}\n')
    symlinkSync(join(root, 'private'), join(dir, 'environments'))
    const out = join(root, 'out')
    const r = await runImport({ file: dir }, 'auto', out, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.environments).toBe(0)
    expect(r.value.unmapped).toEqual(
      expect.arrayContaining([
        `linked.bru: ${LINK_OUTSIDE}`,
        `loop: ${LINK_LEFT_OUT}`,
        `environments: ${LINK_LEFT_OUT}`,
      ]),
    )
    expect(sentUrls(out)).toEqual(['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b', 'http://127.0.0.1:9/b'])
  })

  it('OpenCollection: the same rule: a linked file inside is read, one outside and a linked folder are left out and said', async () => {
    const dir = join(root, 'oc-links')
    mkdirSync(join(dir, 'shared'), { recursive: true })
    writeFileSync(join(dir, 'opencollection.yml'), 'opencollection: 1.0.0\ninfo:\n  name: Shared\n')
    const request = (name: string): string =>
      `info: {name: ${name}, type: http}\nhttp:\n  method: GET\n  url: http://127.0.0.1:9/${name}\n`
    writeFileSync(join(dir, 'a.yml'), request('a'))
    writeFileSync(join(dir, 'shared', 'b.yml'), request('b'))
    writeFileSync(join(root, 'elsewhere.yml'), request('elsewhere'))
    symlinkSync(join(root, 'elsewhere.yml'), join(dir, 'linked.yml'))
    symlinkSync(join(dir, 'shared', 'b.yml'), join(dir, 'inside.yml'))
    symlinkSync(dir, join(dir, 'loop'))
    const out = join(root, 'out')
    const r = await runImport({ file: dir }, 'auto', out, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.unmapped).toEqual(
      expect.arrayContaining([`linked.yml: ${LINK_OUTSIDE}`, `loop: ${LINK_LEFT_OUT}`]),
    )
    expect(sentUrls(out)).toEqual(['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b', 'http://127.0.0.1:9/b'])
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
      expect.arrayContaining([`zero.yml: ${LINK_OUTSIDE}`, `environments/pipe.yml: ${NOT_A_FILE}`]),
    )
  }, 40_000)
})
