import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runImport } from '../../../src/engine/importers/index'
import { MemorySecretStore } from '../../../src/engine/secrets/secret-store'
import type { EngineService } from '../../../src/engine/service'
import { makeService } from '../helpers'
import { NEWMAN_TEST_MS } from '../../helpers/cold-start'

/**
 * What scripts set lives on across a run's iterations, as in newman: `pm.environment`, `pm.collectionVariables`,
 * `pm.globals` and `pm.variables` values written in iteration 1 are what iteration 2's scripts read and what its
 * `{{templates}}` send; a name a script unset stays gone. The same collection, run by newman and by Flightdeck
 * for two iterations against one local server, makes the same tests (named by the values the scripts read) and
 * sends the same URLs.
 */

interface NewmanAssertion {
  item: { name: string }
  assertion: string
}
type NewmanRun = (
  options: { collection: unknown; reporters: string[]; iterationCount: number; timeout?: number },
  done: (err: Error | null) => void,
) => { on: (event: 'assertion', listener: (err: Error | null, args: NewmanAssertion) => void) => void }

const require = createRequire(import.meta.url)
const newman = (): { run: NewmanRun } => require('newman') as { run: NewmanRun }
const FIXTURE = fileURLToPath(
  new URL('../../fixtures/scripts/iteration-values.postman_collection.json', import.meta.url),
)

let server: Server
let base = ''
const seen: string[] = []
let service: EngineService

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-iter-values-config-')) })
})
afterAll(async () => {
  await service.dispose()
  await new Promise((r) => server.close(r))
})

function collection(): unknown {
  return JSON.parse(readFileSync(FIXTURE, 'utf8').replace('http://localhost:3000', base))
}

function newmanTests(iterations: number): Promise<string[]> {
  const tests: string[] = []
  return new Promise((resolve, reject) => {
    newman()
      .run({ collection: collection(), reporters: [], iterationCount: iterations, timeout: 30_000 }, (err) =>
        err ? reject(err) : resolve(tests),
      )
      .on('assertion', (err, a) => tests.push(`${a.item.name}: ${a.assertion}: ${err ? 'fail' : 'pass'}`))
  })
}

async function flightdeckTests(iterations: number, concurrency = 1): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fd-iter-values-'))
  try {
    const imported = await runImport(
      { text: JSON.stringify(collection()) },
      'auto',
      dir,
      new MemorySecretStore(),
    )
    if (!imported.ok) throw new Error(imported.error.message)
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const started = await service.invoke('run.start', { dir, path: '', concurrency, iterations })
    if (!started.ok) throw new Error(started.error.message)
    const report = await service.waitForRun(started.value.runId)
    const results = report?.results ?? []
    for (const r of results) if (r.error) throw new Error(`${r.name}: ${r.error.message}`)
    return results.flatMap((r) =>
      [...(r.scripts?.pre?.tests ?? []), ...(r.scripts?.post?.tests ?? [])].map(
        (t) => `${r.name}: ${t.name}: ${t.passed ? 'pass' : 'fail'}`,
      ),
    )
  } finally {
    await service.invoke('collection.close', { dir })
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('values scripts set, across iterations', { timeout: NEWMAN_TEST_MS }, () => {
  it('are kept from one iteration to the next, as newman keeps them (tests and sent URLs alike)', async () => {
    seen.length = 0
    const theirs = await newmanTests(3)
    const theirUrls = [...seen]
    seen.length = 0
    const ours = await flightdeckTests(3)
    expect(ours).toEqual(theirs)
    expect(seen).toEqual(theirUrls)
    // What the comparison rests on, spelled out: iteration 3 starts from what iteration 2 left.
    expect(ours).toContain(
      'Count: before, iteration 2: env 2, collection 2, globals 2, local set-in-iteration-1, from the file changed, gone undefined: pass',
    )
    expect(seen).toContain('/count?env=3&coll=3&glob=3&file=changed')
    expect(ours.filter((t) => t.endsWith(': fail'))).toEqual([])
  })
})
