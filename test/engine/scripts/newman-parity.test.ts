import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runImport } from '../../../src/engine/importers/index'
import type { StepResult } from '../../../src/engine/runner/run-step'
import { MemorySecretStore } from '../../../src/engine/secrets/secret-store'
import type { EngineService } from '../../../src/engine/service'
import { startScriptStub, type ScriptStub, type SeenRequest } from '../../fixtures/scripts/script-stub'
import { makeService } from '../helpers'
import { NEWMAN_TEST_MS } from '../../helpers/cold-start'

/**
 * Collections whose checks live in scripts, written as real public collections write them (token chaining,
 * an HMAC signature from a collection-level pre-request script, pm.sendRequest set-up calls, a setNextRequest
 * loop, legacy tests[...], JSON schema checks with Ajv and tv4, variable scopes and typed values, cookies and the cookie jar), run by newman and by Flightdeck against the same stub: the same requests reach it
 * (headers and values set by scripts included), in the same order, and the same tests pass and fail, by name.
 */

interface NewmanAssertion {
  item: { name: string }
  assertion: string
}
type NewmanRun = (
  options: { collection: unknown; reporters: string[]; timeout?: number },
  done: (err: Error | null) => void,
) => unknown

const require = createRequire(import.meta.url)
const newman = (): { run: NewmanRun } => require('newman') as { run: NewmanRun }
const fixtures = fileURLToPath(new URL('../../fixtures/scripts/', import.meta.url))

const COMPARED = [
  'authorization',
  'content-type',
  'x-signature',
  'x-timestamp',
  'x-sig-env',
  'x-path',
  'x-setup',
  'x-legacy',
  'cookie',
]

function what(seen: readonly SeenRequest[]): string[] {
  return seen.map((s) => {
    const headers = COMPARED.filter((h) => s.headers[h] !== undefined)
      .map((h) => `${h}: ${String(s.headers[h])}`)
      .join('; ')
    return `${s.method} ${s.url} [${headers}] ${s.body}`
  })
}

let stub: ScriptStub
let service: EngineService
beforeAll(async () => {
  stub = await startScriptStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-scripts-config-')) })
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
})

function load(file: string): { variable: { key: string; value: string }[] } {
  const data = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as {
    variable: { key: string; value: string }[]
  }
  data.variable = data.variable.map((v) => (v.key === 'baseUrl' ? { key: 'baseUrl', value: stub.url } : v))
  return data
}

async function flightdeck(file: string): Promise<{ tests: string[]; results: StepResult[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'fd-scripts-'))
  try {
    const imported = await runImport(
      { text: JSON.stringify(load(file)) },
      'auto',
      dir,
      new MemorySecretStore(),
    )
    if (!imported.ok) throw new Error(imported.error.message)
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const started = await service.invoke('run.start', {
      dir: opened.value.dir,
      path: '',
      concurrency: 1,
      iterations: 1,
    })
    if (!started.ok) throw new Error(started.error.message)
    const report = await service.waitForRun(started.value.runId)
    const results = report?.results ?? []
    const tests = results.flatMap((r) =>
      [...(r.scripts?.pre?.tests ?? []), ...(r.scripts?.post?.tests ?? [])].map(
        (t) => `${r.name}: ${t.name}: ${t.passed ? 'pass' : 'fail'}`,
      ),
    )
    return { tests, results }
  } finally {
    await service.invoke('collection.close', { dir })
    rmSync(dir, { recursive: true, force: true })
  }
}

/** newman's run of a fixture: every test it made (its `assertion` events), by request and name, in order. */
function newmanRun(file: string): Promise<string[]> {
  const tests: string[] = []
  return new Promise((resolve, reject) => {
    const emitter = newman().run({ collection: load(file), reporters: [], timeout: 30_000 }, (err) =>
      err ? reject(err) : resolve(tests),
    ) as { on: (event: 'assertion', listener: (err: Error | null, args: NewmanAssertion) => void) => void }
    emitter.on('assertion', (err, a) =>
      tests.push(`${a.item.name}: ${a.assertion}: ${err ? 'fail' : 'pass'}`),
    )
  })
}

const CASES: { file: string; requests: number; failing: string[] }[] = [
  {
    file: 'token-chaining.postman_collection.json',
    requests: 3,
    failing: ['Who am I: fails on purpose: expects 201: fail'],
  },
  { file: 'hmac-signature.postman_collection.json', requests: 2, failing: [] },
  { file: 'send-request-setup.postman_collection.json', requests: 4, failing: [] },
  { file: 'set-next-request-loop.postman_collection.json', requests: 5, failing: [] },
  {
    file: 'legacy-tests.postman_collection.json',
    requests: 2,
    failing: ['Legacy checks: deliberately false: fail'],
  },
  {
    file: 'json-schema.postman_collection.json',
    requests: 2,
    failing: [
      'First page: page as a string does not: fail',
      "First page: a draft-04 $schema is refused, as by Postman's Ajv: fail",
      'First page: formats are checked: fail',
    ],
  },
  { file: 'variable-scopes.postman_collection.json', requests: 3, failing: [] },
  { file: 'cookies.postman_collection.json', requests: 4, failing: [] },
]

describe(
  'script collections: newman and flightdeck run send the same requests and get the same test results',
  { timeout: NEWMAN_TEST_MS },
  () => {
    for (const c of CASES) {
      it(c.file, async () => {
        stub.seen.length = 0
        const theirs = await newmanRun(c.file)
        const theirRequests = what(stub.seen)
        stub.seen.length = 0
        const ours = await flightdeck(c.file)
        const ourRequests = what(stub.seen)
        expect(ourRequests).toEqual(theirRequests)
        expect(ourRequests).toHaveLength(c.requests)
        expect(ours.tests).toEqual(theirs)
        expect(ours.tests.filter((t) => t.endsWith(': fail'))).toEqual(c.failing)
        expect(
          ours.results.flatMap((r) => [r.scripts?.pre?.failure, r.scripts?.post?.failure]).filter(Boolean),
        ).toEqual([])
      })
    }
  },
)
