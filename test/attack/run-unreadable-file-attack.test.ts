import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess } from '../fixtures/cli-process'
import { startHttpServer, type Fixture } from '../fixtures/servers'

/**
 * One request file of a collection that does not parse (a merge conflict, a typo) stopped `flightdeck run`
 * before it sent anything: exit 2, as for bad input, and none of the other requests ran. Now, as newman reports
 * an item it cannot send and goes on, the file is a failed item named with its line and reason, the rest runs,
 * the requests that depend on it are not run, and the run exits 1. `--bail` still stops at the first failure.
 */

let server: Fixture
let root: string
let dir: string

beforeAll(async () => {
  server = await startHttpServer()
  root = mkdtempSync(join(tmpdir(), 'fd-attack-run-unreadable-'))
  dir = join(root, 'shared')
  mkdirSync(join(dir, 'sub'), { recursive: true })
  const request = (name: string, extra = ''): string =>
    `name: ${name}\nmethod: GET\nurl: '${server.url}/hello?${name}'\n${extra}`
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shared\n')
  writeFileSync(join(dir, 'a.yaml'), request('a'))
  writeFileSync(join(dir, 'b.yaml'), 'name: b\nmethod: [GET\nurl: x\n')
  writeFileSync(join(dir, 'sub', 'c.yaml'), request('c'))
  writeFileSync(join(dir, 'd.yaml'), request('d', 'dependsOn: b\n'))
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

function sent(from: number): string[] {
  return server.requests
    .slice(from)
    .map((r) => r.url.split('?')[1] ?? '')
    .sort()
}

describe('a request file that cannot be read', () => {
  it('is a failed item named with its reason; the rest runs and the run fails', async () => {
    const before = server.requests.length
    const r = await runFlightdeckProcess(['run', dir], { root, timeoutMs: 60_000 })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      '✗ b.yaml #1: parse: b.yaml line 3: missed comma between flow collection entries',
    )
    expect(r.stdout).toContain('2 passed, 1 failed, 1 not run')
    expect(sent(before)).toEqual(['a', 'c'])
  }, 70_000)

  it('with --bail the run stops at it, as at any first failure', async () => {
    const before = server.requests.length
    const r = await runFlightdeckProcess(['run', dir, '--bail'], { root, timeoutMs: 60_000 })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('0 passed, 1 failed, 3 not run')
    expect(r.stdout).toContain('Stopped after the first failure (--bail).')
    expect(sent(before)).toEqual([])
  }, 70_000)

  it('a broken collection.yaml still refuses the run: every request inherits from it', async () => {
    const other = join(root, 'broken-settings')
    mkdirSync(other)
    writeFileSync(join(other, 'collection.yaml'), 'flightdeck: 1\nname: [Broken\n')
    writeFileSync(join(other, 'a.yaml'), `name: a\nmethod: GET\nurl: '${server.url}/hello?other'\n`)
    const before = server.requests.length
    const r = await runFlightdeckProcess(['run', other], { root, timeoutMs: 60_000 })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('collection.yaml line')
    expect(sent(before)).toEqual([])
  }, 70_000)
})
