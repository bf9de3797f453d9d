import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService, runCounts } from './helpers'

/**
 * What a table-only run (`flightdeck run` with only the table) lets go of besides its HTTP steps' final records
 * and bodies (run-table-only-release.test.ts): the hops a step's redirects went through (each hop's response
 * body is stored as it arrives, and no event names it after) and the logs of its stream steps. Before, these
 * were bounded only by the engine's stores of the last 20,000 sessions.
 */

const ITERATIONS = 60
const REDIRECT_BODY = `<p>moved: ${'x'.repeat(2000)}</p>`

let server: Server
let base: string
let root: string
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/final', 'content-type': 'text/html' })
      res.end(REDIRECT_BODY)
    } else if (req.url === '/ticks') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end('data: one\n\ndata: two\n\n')
    } else {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  root = mkdtempSync(join(tmpdir(), 'fd-run-release-hops-'))
  writeFileSync(join(root, 'collection.yaml'), `flightdeck: 1\nname: Hops\nvariables:\n  base: ${base}\n`)
  writeFileSync(
    join(root, 'moved.yaml'),
    'name: Moved\nurl: "{{base}}/moved"\nassertions:\n  - kind: status\n    equals: 200\n',
  )
  writeFileSync(
    join(root, 'ticks.yaml'),
    'name: Ticks\nkind: sse\nurl: "{{base}}/ticks"\nstop:\n  count: 2\nassertions:\n  - kind: message-count\n    min: 2\n',
  )
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

const runIn = (service: EngineService, path: string): Promise<{ passed: number; failed: number }> =>
  runCounts(service, { dir: root, path, concurrency: 5, iterations: ITERATIONS })

/** Stream logs the engine still holds, of the first `upTo` SSE sessions (e1, e2, …). */
function logsHeld(service: EngineService, upTo: number): number {
  let held = 0
  for (let i = 1; i <= upTo; i++) if (service.streams.logs.get(`e${i}`)) held++
  return held
}

/** Bodies still in the engine's store, of the first `upTo` it made. */
function bodiesHeld(service: EngineService, upTo: number): number {
  let held = 0
  for (let i = 1; i <= upTo; i++) if (service.http.bodies.get(`b${i}`)) held++
  return held
}

async function withService<T>(
  runResults: 'failures' | undefined,
  body: (s: EngineService) => Promise<T>,
): Promise<T> {
  const configDir = mkdtempSync(join(tmpdir(), 'fd-run-release-hops-config-'))
  const service = makeService({
    configDir,
    persistWorkspace: false,
    ...(runResults ? { runResults } : {}),
  })
  try {
    return await body(service)
  } finally {
    await service.dispose()
    rmSync(configDir, { recursive: true, force: true })
  }
}

describe('a table-only run lets go of redirect hops and stream logs', () => {
  it('keeps no body of a redirect hop nor of the final hop', async () => {
    await withService('failures', async (service) => {
      expect(await runIn(service, 'moved.yaml')).toEqual({ passed: ITERATIONS, failed: 0 })
      expect(bodiesHeld(service, ITERATIONS * 4)).toBe(0)
    })
  })

  it('keeps no log of a finished stream step', async () => {
    await withService('failures', async (service) => {
      expect(await runIn(service, 'ticks.yaml')).toEqual({ passed: ITERATIONS, failed: 0 })
      expect(logsHeld(service, ITERATIONS)).toBe(0)
    })
  })

  it('a run that keeps every result keeps the final hops’ bodies (not the redirect hops’, which no event names) and the stream logs', async () => {
    await withService(undefined, async (service) => {
      expect(await runIn(service, 'moved.yaml')).toEqual({ passed: ITERATIONS, failed: 0 })
      expect(bodiesHeld(service, ITERATIONS * 4)).toBe(ITERATIONS)
      expect(await runIn(service, 'ticks.yaml')).toEqual({ passed: ITERATIONS, failed: 0 })
      expect(logsHeld(service, ITERATIONS)).toBe(ITERATIONS)
    })
  })
})
