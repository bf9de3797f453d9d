import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess } from '../fixtures/cli-process'
import { startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * A shared collection folder (a clone, a zip from a stranger) whose request file is a YAML "billion laughs":
 * anchors a0..a11, each nine times the one before, 1 KB on disk. js-yaml shares what an alias repeats, but
 * reading a request walks its values again (a header written `01234` keeps its text, and every value of the
 * file is then visited to turn the others back into numbers). Before, `flightdeck send` on such a file ran
 * past 60 s and 2.7 GB. The file is refused in words with its name, as a file with a YAML error is.
 */

let server: RawServer
let root: string
let dir: string

function laughs(): string[] {
  const lines = ['x-laughs:', '  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
  for (let i = 1; i < 12; i++)
    lines.push(
      `  a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    )
  return lines
}

beforeAll(async () => {
  server = await startRawServer((socket) => {
    socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok')
  })
  root = mkdtempSync(join(tmpdir(), 'fd-attack-collection-bomb-'))
  dir = join(root, 'shared')
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Shared\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(
    join(dir, 'bomb.yaml'),
    [
      'name: Bomb',
      'method: GET',
      "url: '{{base}}/bomb'",
      ...laughs(),
      'headers:',
      '  X-Zip: 01234',
      'messages: *a11',
    ].join('\n'),
  )
  writeFileSync(join(dir, 'ok.yaml'), "name: Ok\nmethod: GET\nurl: '{{base}}/ok'\n")
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

const REFUSED = /its YAML aliases expand to more than [\d,]+ values/

describe('a YAML alias bomb in a collection request file', () => {
  it('flightdeck send names the file and what is wrong within seconds', async () => {
    const started = Date.now()
    const r = await runFlightdeckProcess(['send', '--collection', dir, '--request', 'bomb'], {
      root,
      timeoutMs: 30_000,
    })
    expect(r.signal).toBeNull()
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(REFUSED)
    expect(r.stderr).toContain('bomb.yaml')
    expect(Date.now() - started).toBeLessThan(25_000)
  }, 40_000)

  it('flightdeck run fails the file as a named item, as any file it cannot read, and runs the rest', async () => {
    const r = await runFlightdeckProcess(['run', dir], { root, timeoutMs: 30_000 })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(REFUSED)
    expect(r.stdout).toContain('✗ bomb.yaml #1: parse: bomb.yaml line 1')
    expect(r.stdout).toContain('1 passed, 1 failed')
  }, 40_000)
})
