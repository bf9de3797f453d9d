import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'

/**
 * `flightdeck run --reporter har` on a run whose responses add up to more than a HAR should hold: 90 responses
 * of ~1 MB each (under the 1 MB a body may have in the HAR). Every body went in, so a few hundred of them ran
 * the HAR's worker out of memory and a run that passed exited 2 with no run.har at all. The HAR holds bodies
 * up to a total and says, per entry and on stderr, which were left out.
 */

const BODY = 1_000_000
const RUNS = 90

interface HarFile {
  log: { entries: { response: { content: { size: number; text?: string; comment?: string } } }[] }
}

let server: Server
let root: string

beforeAll(async () => {
  const body = Buffer.alloc(BODY, 'a')
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(body))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  root = mkdtempSync(join(tmpdir(), 'fd-attack-har-budget-'))
  mkdirSync(join(root, 'api'))
  writeFileSync(join(root, 'api', 'collection.yaml'), 'flightdeck: 1\nname: Big\n')
  writeFileSync(
    join(root, 'api', 'big.yaml'),
    `name: Big\nmethod: GET\nurl: http://127.0.0.1:${port}/\nassertions:\n  - kind: status\n    equals: 200\n`,
  )
})

afterAll(async () => {
  await new Promise<void>((r) => {
    server.close(() => r())
    server.closeAllConnections()
  })
  rmSync(root, { recursive: true, force: true })
})

function flightdeck(args: string[]): Promise<CliProcessRun> {
  return runFlightdeckProcess(args, { root, timeoutMs: 90_000 })
}

describe('run.har of a run with many big bodies', () => {
  it('holds bodies up to its total, names the rest per entry and on stderr, and the run still passes', async () => {
    const out = join(root, 'out')
    const r = await flightdeck([
      'run',
      join(root, 'api'),
      '--iterations',
      String(RUNS),
      '--concurrency',
      '4',
      '--reporter',
      'cli,har',
      '--out',
      out,
    ])
    expect(r.code).toBe(0)
    const har = JSON.parse(readFileSync(join(out, 'run.har'), 'utf8')) as HarFile
    const entries = har.log.entries
    expect(entries).toHaveLength(RUNS)
    const kept = entries.filter((e) => e.response.content.text !== undefined)
    const left = entries.filter((e) => e.response.content.text === undefined)
    expect(kept.length * BODY).toBeLessThanOrEqual(64 * 1024 * 1024)
    expect(kept.length).toBeGreaterThan(0)
    expect(left.length).toBe(RUNS - kept.length)
    for (const e of left)
      expect(e.response.content.comment).toMatch(
        /^Body of 1,000,000 bytes left out \(the HAR's bodies reached 64 MiB \(67,108,864 bytes\)\)$/,
      )
    expect(r.stderr).toContain(
      `run.har: ${left.length} response bodies left out (a HAR holds at most 64 MiB (67,108,864 bytes) of bodies)`,
    )
  }, 120_000)
})
