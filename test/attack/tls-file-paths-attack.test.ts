import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess } from '../fixtures/cli-process'
import { startHttpsServer, type TlsFixture } from '../fixtures/servers'

/**
 * A shared collection names its CA file the way it names a body file: relative to the collection folder, and
 * confined to it after links are followed. Before, `caFile: certs/ca.pem` was read from wherever `flightdeck`
 * was started (so the collection's own CA was not found from any other folder), and `caFile: ~/.ssh/id_rsa`,
 * `../x` or a link leading out of the collection were read without a word. Now the relative path finds the
 * collection's file from any working folder, and a path leading out is refused unsent, naming where it leads
 * and the `--allow-files` that allows it.
 */

let server: TlsFixture
let root: string
let dir: string
let outside: string

beforeAll(async () => {
  server = await startHttpsServer('localhost')
  root = realpathSync(mkdtempSync(join(tmpdir(), 'fd-attack-tls-paths-')))
  dir = join(root, 'shared')
  outside = join(root, 'outside')
  mkdirSync(join(dir, 'certs'), { recursive: true })
  mkdirSync(outside)
  writeFileSync(join(dir, 'certs', 'ca.pem'), server.caPem)
  writeFileSync(join(outside, 'ca.pem'), server.caPem)
  symlinkSync(join(outside, 'ca.pem'), join(dir, 'certs', 'link.pem'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shared\n')
  const request = (name: string, caFile: string): string =>
    `name: ${name}\nmethod: GET\nurl: '${server.url}/hello?${name}'\noptions:\n  caFile: '${caFile}'\n`
  writeFileSync(join(dir, 'a-relative.yaml'), request('relative', 'certs/ca.pem'))
  writeFileSync(join(dir, 'b-escape.yaml'), request('escape', '../outside/ca.pem'))
  writeFileSync(join(dir, 'c-absolute.yaml'), request('absolute', join(outside, 'ca.pem')))
  writeFileSync(join(dir, 'd-link.yaml'), request('link', 'certs/link.pem'))
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

/** The request names the server saw, in order. */
function seen(): string[] {
  return server.requests.map((r) => r.url.split('?')[1] ?? '')
}

describe("a collection's CA file", () => {
  it('resolves against the collection, not the working folder, and one leading out is refused unsent', async () => {
    const before = server.requests.length
    const r = await runFlightdeckProcess(['run', dir], { root, timeoutMs: 60_000 })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('1 passed, 3 failed')
    expect(r.stdout).toContain(`The CA file ../outside/ca.pem (it leads to ${join(outside, 'ca.pem')})`)
    expect(r.stdout).toContain(`The CA file ${join(outside, 'ca.pem')} is outside the collection folder`)
    expect(r.stdout).toContain(`The CA file certs/link.pem (it leads to ${join(outside, 'ca.pem')})`)
    expect(r.stdout).toContain(`--allow-files ${outside}`)
    expect(seen().slice(before)).toEqual(['relative'])
  }, 70_000)

  it('a folder the user allows on the command line lets all of them through', async () => {
    const before = server.requests.length
    const r = await runFlightdeckProcess(['run', dir, '--allow-files', outside], { root, timeoutMs: 60_000 })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('4 passed')
    expect(seen().slice(before).sort()).toEqual(['absolute', 'escape', 'link', 'relative'])
  }, 70_000)

  it('flightdeck send from a collection reads it the same way', async () => {
    const before = server.requests.length
    const good = await runFlightdeckProcess(['send', '--collection', dir, '--request', 'a-relative'], {
      root,
      timeoutMs: 60_000,
    })
    expect(good.stderr).not.toContain('CA file')
    expect(good.code).toBe(0)
    const bad = await runFlightdeckProcess(['send', '--collection', dir, '--request', 'c-absolute'], {
      root,
      timeoutMs: 60_000,
    })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(`The CA file ${join(outside, 'ca.pem')} is outside the collection folder`)
    expect(seen().slice(before)).toEqual(['relative'])
  }, 130_000)
})
