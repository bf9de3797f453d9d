import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { IN_PROCESS_CASE_TIMEOUT_MS, withinCpu } from '../helpers/cpu-bound'
import { makeService, runCounts } from './helpers'

/**
 * A run that keeps only its failures (`flightdeck run` with only the table) lets go of each step's session record
 * and response body once the step is done: nothing exports or shows them after. At 200,000 iterations of one
 * request the engine's fixed stores (the last 20,000 sessions' records and bodies) were most of the process's
 * memory. A run that keeps every result keeps them as before (HAR export, the app's timeline).
 *
 * Three rounds of the run's ten workers show it for every step as well as 300 did: each step is let go of on its
 * own. The first run's CPU is mostly the engine's first script and check (~1 s); its wait is bounded by the CPU
 * the process spends, as at load 23 the first case took over 20 s of wall time.
 */

const ITERATIONS = 30
const BODY = JSON.stringify({ ok: true, note: 'x'.repeat(1000) })

let server: Server
let base: string
let root: string
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(BODY)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  root = mkdtempSync(join(tmpdir(), 'fd-run-release-'))
  writeFileSync(join(root, 'collection.yaml'), `flightdeck: 1\nname: Release\nvariables:\n  base: ${base}\n`)
  // The body is read (a JSON check, an extraction and a test script that reads the body it sent and got), so the
  // step needs it; it is let go of only after.
  writeFileSync(
    join(root, 'item.yaml'),
    [
      'name: Item',
      'method: POST',
      'url: "{{base}}/item"',
      'body:',
      '  kind: json',
      '  text: \'{"n": 1}\'',
      'assertions:',
      '  - kind: json',
      '    path: $.ok',
      '    equals: true',
      'extract:',
      '  - name: note',
      '    from: json',
      '    path: $.note',
      'scripts:',
      '  test: |',
      '    pm.test("sent and got", function () {',
      '      pm.expect(JSON.parse(pm.request.body.raw).n).to.equal(1);',
      '      pm.expect(pm.response.json().ok).to.equal(true);',
      '    });',
      '',
    ].join('\n'),
  )
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

const runIn = (service: EngineService): Promise<{ passed: number; failed: number }> =>
  withinCpu(
    'the run',
    runCounts(service, { dir: root, path: 'item.yaml', concurrency: 10, iterations: ITERATIONS }),
  )

/** How many of the first sessions' records (HAR export) and bodies the engine still holds. */
async function held(service: EngineService): Promise<{ records: number; bodies: number }> {
  const sids = Array.from({ length: ITERATIONS }, (_, i) => `s${i + 1}`)
  const har = await service.invoke('har.export', { sids })
  if (!har.ok) throw new Error(har.error.message)
  let bodies = 0
  for (let i = 1; i <= ITERATIONS; i++) if (service.http.bodies.get(`b${i}`)) bodies++
  return { records: sids.length - har.value.missing.length, bodies }
}

describe('a table-only run and the engine stores', () => {
  it(
    'lets go of each finished step’s record and body; every step still reads what it needs and passes',
    { timeout: IN_PROCESS_CASE_TIMEOUT_MS },
    async () => {
      const configDir = mkdtempSync(join(tmpdir(), 'fd-run-release-config-'))
      const service = makeService({ configDir, persistWorkspace: false, runResults: 'failures' })
      try {
        expect(await runIn(service)).toEqual({ passed: ITERATIONS, failed: 0 })
        expect(await held(service)).toEqual({ records: 0, bodies: 0 })
      } finally {
        await service.dispose()
        rmSync(configDir, { recursive: true, force: true })
      }
    },
  )

  it('keeps them in a run that keeps every result', { timeout: IN_PROCESS_CASE_TIMEOUT_MS }, async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'fd-run-release-config-'))
    const service = makeService({ configDir, persistWorkspace: false })
    try {
      expect(await runIn(service)).toEqual({ passed: ITERATIONS, failed: 0 })
      expect(await held(service)).toEqual({ records: ITERATIONS, bodies: ITERATIONS })
    } finally {
      await service.dispose()
      rmSync(configDir, { recursive: true, force: true })
    }
  })
})
