import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../../src/engine/service'
import { makeService } from '../helpers'

/**
 * A run's concurrency counts requests in flight: a step whose response is in hands its slot to the next request
 * while its test script waits for (or runs in) the sandbox. Six requests at `--concurrency 2`, each test script
 * waiting 1 s on a timer: all six reach the server well before the first pair's scripts end, instead of two at a
 * time behind the scripts; every test still passes, each on its own response.
 */

const WAIT_MS = 1000
let server: Server
let base = ''
const arrived: { path: string; at: number }[] = []
let service: EngineService

beforeAll(async () => {
  server = createServer((req, res) => {
    arrived.push({ path: req.url ?? '', at: Date.now() })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ path: req.url }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-slot-config-')) })
})
afterAll(async () => {
  await service.dispose()
  await new Promise((r) => server.close(r))
})

describe('a scripted step at concurrency > 1', () => {
  it('frees its request slot while its test script runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-slot-'))
    try {
      writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Slots\n')
      for (let i = 0; i < 6; i++)
        writeFileSync(
          join(dir, `r${i}.yaml`),
          [
            `name: R${i}`,
            'method: GET',
            `url: "${base}/item/${i}"`,
            'scripts:',
            '  test: |',
            `    setTimeout(function () {`,
            `      pm.test("own response", function () { pm.expect(pm.response.json().path).to.equal("/item/${i}") })`,
            `    }, ${WAIT_MS})`,
            '  translated: false',
            '',
          ].join('\n'),
        )
      const opened = await service.invoke('collection.open', { dir })
      if (!opened.ok) throw new Error(opened.error.message)
      arrived.length = 0
      const started = await service.invoke('run.start', { dir, path: '', concurrency: 2, iterations: 1 })
      if (!started.ok) throw new Error(started.error.message)
      const report = await service.waitForRun(started.value.runId)
      const results = report?.results ?? []
      expect(results.map((r) => r.scripts?.post?.tests.map((t) => t.passed))).toEqual(
        Array.from({ length: 6 }, () => [true]),
      )
      expect(arrived).toHaveLength(6)
      const first = arrived[0]?.at ?? 0
      const last = arrived[5]?.at ?? 0
      // Held slots: the fifth and sixth requests left after two rounds of scripts (2 s or more).
      expect(last - first).toBeLessThan(WAIT_MS)
    } finally {
      await service.invoke('collection.close', { dir })
      rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)
})
