import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'
import { startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * A JSON data file whose row holds a value nested 200,000 deep (JSON.parse reads it; writing it back as the
 * variable's text overflowed the stack): `flightdeck run --data` said "Internal error in run.start" and exited
 * 1, as if the run had failed. It is bad input: exit 2, naming the file, the item and the column; nothing sent.
 */

let server: RawServer
let root: string

beforeAll(async () => {
  server = await startRawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
  root = mkdtempSync(join(tmpdir(), 'fd-attack-data-deep-'))
  mkdirSync(join(root, 'api'))
  writeFileSync(
    join(root, 'api', 'collection.yaml'),
    `flightdeck: 1\nname: Data\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(join(root, 'api', 'q.yaml'), "name: Q\nmethod: GET\nurl: '{{base}}/q?u={{user}}'\n")
  const depth = 200_000
  writeFileSync(join(root, 'deep.json'), `[{"n": 1}, {"user": ${'['.repeat(depth)}${']'.repeat(depth)}}]`)
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

function flightdeck(args: string[]): Promise<CliProcessRun> {
  return runFlightdeckProcess(args, { root })
}

describe('a data file with a value nested too deep', () => {
  it('is bad input: exit 2 naming the item and column, nothing sent', async () => {
    const r = await flightdeck(['run', join(root, 'api'), '--data', join(root, 'deep.json')])
    expect(r.stderr.trim()).toBe(
      `flightdeck: Data file ${join(root, 'deep.json')}: item 1, "user": nested too deeply to be written as a variable's text`,
    )
    expect(r.code).toBe(2)
    expect(server.heads).toEqual([])
  })
})
