import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { runFlightdeckProcess } from '../fixtures/cli-process'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { makeService } from '../engine/helpers'

/**
 * Symbolic links among a shared collection's files (git commits a link as a link). The scan left out a linked
 * request file or folder without a word, so a run passed with requests missing; and an environment file that was
 * a link was read wherever it led. Now every such link is listed as a problem — which file, that it is a link,
 * where it leads and whether that is inside the collection — and not read; `flightdeck run` fails it as an item.
 */

let server: Fixture
let root: string
let dir: string
let outside: string
let service: EngineService

const request = (name: string, path: string): string =>
  `name: ${name}\nmethod: GET\nurl: '${server.url}/hello?${path}'\n`

beforeAll(async () => {
  server = await startHttpServer()
  root = realpathSync(mkdtempSync(join(tmpdir(), 'fd-attack-links-')))
  dir = join(root, 'shared')
  outside = join(root, 'outside')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  mkdirSync(join(outside, 'folder'), { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shared\n')
  writeFileSync(join(dir, 'real.yaml'), request('Real', 'real'))
  writeFileSync(join(outside, 'secret.yaml'), request('Secret', 'secret'))
  writeFileSync(join(outside, 'folder', 'theirs.yaml'), request('Theirs', 'theirs'))
  writeFileSync(join(outside, 'env.yaml'), 'name: Prod\nvariables:\n  token: from-outside\n')
  writeFileSync(join(outside, 'ca.pem'), 'not read by the scan')
  symlinkSync('real.yaml', join(dir, 'inside-link.yaml'))
  symlinkSync(join(outside, 'secret.yaml'), join(dir, 'outside-link.yaml'))
  symlinkSync('nowhere.yaml', join(dir, 'dangling.yaml'))
  symlinkSync(join(outside, 'folder'), join(dir, 'linked'))
  symlinkSync(join(outside, 'env.yaml'), join(dir, 'environments', 'prod.yaml'))
  // Not a request file: left to the send's confinement, not listed.
  symlinkSync(join(outside, 'ca.pem'), join(dir, 'ca.pem'))
  service = makeService({ configDir: join(root, 'config'), persistWorkspace: false, watchCollections: false })
})

afterAll(async () => {
  await service.dispose()
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('symbolic links in a collection', () => {
  it('are listed as problems saying where they lead, and not read', async () => {
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const info = opened.value
    const problems = Object.fromEntries(info.problems.map((p) => [p.path, p.message]))
    expect(Object.keys(problems).sort()).toEqual([
      'dangling.yaml',
      'environments/prod.yaml',
      'inside-link.yaml',
      'linked',
      'outside-link.yaml',
    ])
    expect(problems['inside-link.yaml']).toMatch(
      /^A symbolic link to real\.yaml \(inside the collection\); not read/,
    )
    expect(problems['outside-link.yaml']).toContain(
      `A symbolic link to ${join(outside, 'secret.yaml')} (outside the collection); not read`,
    )
    expect(problems['dangling.yaml']).toContain('A symbolic link to nowhere.yaml (which does not exist)')
    expect(problems['linked']).toContain(
      `A symbolic link to the folder ${join(outside, 'folder')} (outside the collection); not followed`,
    )
    expect(problems['environments/prod.yaml']).toContain('(outside the collection); not read')
    expect(info.root.children.map((c) => c.path)).toEqual(['real.yaml'])
    expect(info.environments).toEqual([])
    expect(info.requestCount).toBe(1)
  })

  it('flightdeck run fails each linked request file or folder by name and runs the rest', async () => {
    const before = server.requests.length
    const r = await runFlightdeckProcess(['run', dir], { root, timeoutMs: 60_000 })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('1 passed, 4 failed')
    for (const name of ['inside-link.yaml', 'outside-link.yaml', 'dangling.yaml', 'linked'])
      expect(r.stdout).toMatch(
        new RegExp(`✗ ${name.replace('.', '\\.')} #1: parse: ${name}: A symbolic link`),
      )
    expect(server.requests.slice(before).map((q) => q.url)).toEqual(['/hello?real'])
  }, 70_000)

  it('a request named through a linked folder is not read, by send, grpc or the app', async () => {
    // The scan lists `linked` and never follows it; by hand, `--request linked/theirs.yaml` read and sent the
    // file where the link leads, and so did a link further down (`g/up`, committed beside real requests).
    mkdirSync(join(dir, 'g'), { recursive: true })
    symlinkSync('../../outside/folder', join(dir, 'g', 'up'))
    const before = server.requests.length
    const folder = join(outside, 'folder')
    for (const [path, link, target] of [
      ['linked/theirs.yaml', 'linked', folder],
      ['g/up/theirs.yaml', 'g/up', '../../outside/folder'],
    ] as const) {
      const says = `${path} line 0: ${link}: A symbolic link to the folder ${target} (outside the collection); not followed`
      for (const command of ['send', 'grpc']) {
        const r = await runFlightdeckProcess([command, '--collection', dir, '--request', path], {
          root,
          timeoutMs: 30_000,
        })
        expect(r.signal).toBeNull()
        expect(r.code).toBe(2)
        expect(r.stderr).toContain(says)
      }
      const read = await service.invoke('collection.read', { dir, path })
      expect(read.ok ? 'read' : read.error.message).toContain(says)
    }
    expect(server.requests.slice(before).map((q) => q.url)).toEqual([])
  }, 130_000)
})
