import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { EngineServiceOptions } from '../../src/engine/service-types'
import { makeService, runCounts } from './helpers'

/**
 * `flightdeck run` without `--reporter har` (httpTimeline and httpRecords off) keeps no record of its requests:
 * nothing exports or shows them, and a record per request was work and memory a run paid for nothing. Counted as
 * what a HAR export finds: none of 1,000 sessions unobserved, all 1,000 with records on. What read the records
 * still works without them: a test script sees the body it sent (`pm.request.body`, with the `{{$guid}}` that
 * went out, not one made again), and a table-only run lets
 * every response body go once its step is done, also at the end of a redirect. A real server on 127.0.0.1.
 */

/** Each iteration is two sessions (a redirect and the response it led to): 1,000 sessions a run. */
const ITERATIONS = 500
const SCRIPTED = 50
/** Sessions and bodies looked for: every id a run of these could have used. */
const IDS = 3 * ITERATIONS

let server: Server
let root: string
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/echo') {
      // The body as it came, so a script can tell the body sent from one filled in again.
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(Buffer.concat(chunks))
      })
      return
    }
    req.resume()
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/item', 'content-length': '0' })
      res.end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  root = mkdtempSync(join(tmpdir(), 'fd-run-unobserved-'))
  writeFileSync(
    join(root, 'collection.yaml'),
    `flightdeck: 1\nname: Unobserved\nvariables:\n  base: ${base}\n`,
  )
  writeFileSync(
    join(root, 'hit.yaml'),
    [
      'name: Hit',
      'method: GET',
      'url: "{{base}}/moved"',
      'assertions:',
      '  - kind: status',
      '    equals: 200',
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(root, 'post.yaml'),
    [
      'name: Post',
      'method: POST',
      'url: "{{base}}/echo"',
      'body:',
      '  kind: json',
      '  text: \'{"id": "{{$guid}}"}\'',
      'scripts:',
      '  test: |',
      '    pm.test("sent", function () {',
      '      pm.expect(pm.request.body.raw).to.equal(pm.response.text());',
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

/** How many sessions a HAR export finds, and how many response bodies the engine still holds. */
async function held(service: EngineService): Promise<{ records: number; bodies: number }> {
  const sids = Array.from({ length: IDS }, (_, i) => `s${i + 1}`)
  const har = await service.invoke('har.export', { sids })
  if (!har.ok) throw new Error(har.error.message)
  let bodies = 0
  for (let i = 1; i <= IDS; i++) if (service.http.bodies.get(`b${i}`)) bodies++
  return { records: sids.length - har.value.missing.length, bodies }
}

async function withService<T>(
  options: Partial<EngineServiceOptions>,
  body: (s: EngineService) => Promise<T>,
) {
  const configDir = mkdtempSync(join(tmpdir(), 'fd-run-unobserved-config-'))
  const service = makeService({ configDir, persistWorkspace: false, httpTimeline: false, ...options })
  try {
    return await body(service)
  } finally {
    await service.dispose()
    rmSync(configDir, { recursive: true, force: true })
  }
}

const run = (service: EngineService, path: string, iterations: number) =>
  runCounts(service, { dir: root, path, concurrency: 50, iterations })

describe('a run nobody watches', { timeout: 90_000 }, () => {
  it('keeps no record of its 1,000 sessions nor their bodies (a run whose report is json or junit keeps every result)', async () => {
    await withService({ httpRecords: false }, async (service) => {
      expect(await run(service, 'hit.yaml', ITERATIONS)).toEqual({ passed: ITERATIONS, failed: 0 })
      // A plain step's lean request counts its body's bytes and keeps none (unkept-body.ts): nothing reads them.
      expect(await held(service)).toEqual({ records: 0, bodies: 0 })
    })
  })

  it('keeps a record of each of them when records are on (a run with --reporter har)', async () => {
    await withService({}, async (service) => {
      expect(await run(service, 'hit.yaml', ITERATIONS)).toEqual({ passed: ITERATIONS, failed: 0 })
      expect(await held(service)).toEqual({ records: 2 * ITERATIONS, bodies: ITERATIONS })
    })
  })

  it('lets every body go in a table-only run without records, also at the end of a redirect', async () => {
    await withService({ httpRecords: false, runResults: 'failures' }, async (service) => {
      expect(await run(service, 'hit.yaml', ITERATIONS)).toEqual({ passed: ITERATIONS, failed: 0 })
      expect(await held(service)).toEqual({ records: 0, bodies: 0 })
    })
  })

  it('shows a test script the body it sent, without records', async () => {
    await withService({ httpRecords: false, runResults: 'failures' }, async (service) => {
      expect(await run(service, 'post.yaml', SCRIPTED)).toEqual({ passed: SCRIPTED, failed: 0 })
      expect(await held(service)).toEqual({ records: 0, bodies: 0 })
    })
  })
})
