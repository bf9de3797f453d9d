import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BodyViews } from '../../src/engine/body-view/body-views'
import { BodyStore } from '../../src/engine/http/body-store'
import { runImport } from '../../src/engine/importers/index'
import { planInWorker } from '../../src/engine/importers/plan-in-worker'
import { configureSharedPool, WorkerDied, WorkerPool } from '../../src/engine/workers/pool'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { done, makeService, send, spec } from './helpers'

/**
 * The worker pool as a user meets it: a body whose index outgrows its worker's memory fails with a plain
 * error on that body, while requests in flight finish and the next body is indexed by a fresh worker.
 */

const MiB = 1024 * 1024
const BIG = 64 * MiB
/** `[0,0,…,0]`: a line per two bytes, the densest index the pretty view builds (8 MB or more for 64 MB). */
function bigArray(): Buffer {
  const body = Buffer.alloc(BIG, ',0')
  body[0] = 0x5b
  body[BIG - 2] = 0x30
  body[BIG - 1] = 0x5d
  return body
}

/**
 * Seven levels of 50 properties, each naming the next level: 20 KB of text, a tree of 50^6 schemas once its
 * references are followed, which OpenAPI validation walks for hours.
 */
function multiplyingSpec(): unknown {
  const schemas: Record<string, unknown> = { L6: { type: 'string' } }
  for (let level = 5; level >= 0; level--) {
    const properties: Record<string, unknown> = {}
    for (let p = 0; p < 50; p++) properties[`p${p}`] = { $ref: `#/components/schemas/L${level + 1}` }
    schemas[`L${level}`] = { type: 'object', properties }
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Laughs', version: '1' },
    paths: {
      '/x': {
        post: {
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/L0' } } } },
          responses: { '200': { description: 'ok' } },
        },
      },
    },
    components: { schemas },
  }
}

/** The multiplying spec with 300 operations each naming its top schema. */
function manyMultiplying(): unknown {
  const spec = multiplyingSpec() as { paths: Record<string, unknown> }
  const operation = spec.paths['/x']
  const paths: Record<string, unknown> = {}
  for (let i = 0; i < 300; i++) paths[`/x${i}`] = operation
  return { ...spec, paths }
}

let fixture: Fixture
let big: Server
let bigUrl: string
let pool: WorkerPool
const POOL_32MB = { size: 1, memoryMb: 32, taskTimeoutMs: 15_000 }

beforeAll(async () => {
  fixture = await startHttpServer()
  const body = bigArray()
  big = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
    res.end(body)
  })
  await new Promise<void>((r) => big.listen(0, '127.0.0.1', r))
  bigUrl = `http://127.0.0.1:${(big.address() as AddressInfo).port}/big.json`
  // A budget an import's parse of a few MB outgrows; a time limit long enough for everything legitimate here.
  pool = configureSharedPool(POOL_32MB)
})

afterAll(async () => {
  await pool.close()
  await new Promise<void>((r) => big.close(() => r()))
  await fixture.close()
})

describe('the worker pool', () => {
  it('a body that outgrows its worker mid-index fails on that body alone; requests in flight finish; a fresh worker takes the next body', async () => {
    // The budget is what a worker holds once it has drawn a small body, plus 3 MB: the big body's first screen
    // fits, its whole index (8 MB or more) cannot. A fixed budget made the result hang on when the buffers
    // already read were collected (the index itself is a few MB since it keeps a few bytes per 64 lines).
    const probe = makeService({ persistWorkspace: false, watchCollections: false })
    let budgetMb: number
    try {
      const small = done(await send(probe, spec(`${fixture.url}/json`))).body.id
      const drawn = await probe.invoke('body.lines', { bodyId: small, view: 'pretty', from: 0, count: 3 })
      expect(drawn.ok).toBe(true)
      budgetMb = Math.ceil((await pool.measureMemory(true)) / MiB) + 3
    } finally {
      await probe.dispose()
    }
    pool = configureSharedPool({ size: 1, memoryMb: budgetMb, taskTimeoutMs: 15_000 })
    const service = makeService({
      memoryBodyLimit: 1024 * 1024,
      persistWorkspace: false,
      watchCollections: false,
    })
    try {
      const bodyId = done(await send(service, spec(bigUrl))).body.id
      // The first screen comes back while the index is still being built.
      const first = await service.invoke('body.lines', { bodyId, view: 'pretty', from: 0, count: 3 })
      expect(first.ok && first.value.lines).toEqual(['[', '  0,', '  0,'])
      expect(first.ok && first.value.complete).toBe(false)
      const started = pool.workersStarted

      // 200 requests in flight while the worker dies.
      const inFlight = Array.from({ length: 200 }, (_, i) =>
        send(service, spec(`${fixture.url}/delay?ms=${200 + (i % 50)}`)),
      )
      const end = await service.invoke('body.lines', { bodyId, view: 'pretty', from: 33_000_000, count: 3 })
      expect(end.ok).toBe(false)
      if (!end.ok) {
        expect(end.error.code).toBe('too_large')
        expect(end.error.message).toBe(
          `Indexing this body ran out of memory in its worker (limit ${budgetMb} MB); the body is kept: download it or view it raw`,
        )
      }
      const finished = await Promise.all(inFlight)
      expect(finished.map((r) => (r.final.type === 'done' ? r.final.status : r.final.type))).toEqual(
        Array.from({ length: 200 }, () => 200),
      )

      // The same view answers with the same error at once, without breaking another worker.
      const again = await service.invoke('body.lines', { bodyId, view: 'pretty', from: 0, count: 3 })
      expect(again.ok ? 'ok' : again.error.message).toMatch(/ran out of memory in its worker/)

      // The body is kept: its raw view works (a fresh worker), and it saves whole.
      const raw = await service.invoke('body.lines', { bodyId, view: 'raw', from: 0, count: 1 })
      expect(raw.ok && raw.value.lines[0]?.startsWith('[0,0,0')).toBe(true)
      expect(pool.workersStarted).toBe(started + 1)
      const dir = await mkdtemp(join(tmpdir(), 'fd-worker-save-'))
      try {
        const saved = await service.invoke('body.save', { bodyId, path: join(dir, 'big.json') })
        expect(saved.ok && saved.value.bytes).toBe(BIG)
        expect((await stat(join(dir, 'big.json'))).size).toBe(BIG)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }

      // Another body is indexed and searched as before.
      const small = done(await send(service, spec(`${fixture.url}/json`))).body.id
      const lines = await service.invoke('body.lines', { bodyId: small, view: 'pretty', from: 0, count: 100 })
      expect(lines.ok && lines.value.lines).toEqual(
        JSON.stringify({ ok: true, items: [1, 2, 3] }, null, 2).split('\n'),
      )
      const found = await service.invoke('body.search', {
        bodyId: small,
        view: 'pretty',
        query: 'ITEMS',
        caseSensitive: false,
        from: 0,
      })
      expect(found.ok && found.value.matches.map((m) => m.line)).toEqual([2])
    } finally {
      await service.dispose()
      pool = configureSharedPool(POOL_32MB)
    }
  }, 120_000)

  it('an OpenAPI spec whose $refs multiply is imported in its worker with its example cut; the engine keeps serving requests meanwhile', async () => {
    const laughs = multiplyingSpec()
    const service = makeService({ persistWorkspace: false, watchCollections: false })
    const into = await mkdtemp(join(tmpdir(), 'fd-worker-import-'))
    const delay = monitorEventLoopDelay({ resolution: 5 })
    try {
      delay.enable()
      const importing = runImport({ text: JSON.stringify(laughs) }, 'auto', join(into, 'api'), null)
      let importDone = false
      void importing.finally(() => (importDone = true))
      // Requests keep being sent and answered while the import runs: one every 100 ms, each timed.
      const answered: { status: number; ms: number }[] = []
      while (!importDone) {
        const t0 = performance.now()
        const r = await send(service, spec(`${fixture.url}/json`))
        answered.push({ status: r.final.type === 'done' ? r.final.status : 0, ms: performance.now() - t0 })
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const imported = await importing
      delay.disable()
      // Its references are followed once each (openapi-deref.ts) and its example stops at its budget.
      expect(imported.ok && imported.value.requests).toBe(1)
      expect(imported.ok && imported.value.unmapped).toContain(
        "POST /x: the example body stops at 10,000 values (its schema's $refs repeat); the rest are null",
      )
      expect(answered.length).toBeGreaterThan(0)
      expect(answered.every((a) => a.status === 200)).toBe(true)
      expect(Math.max(...answered.map((a) => a.ms))).toBeLessThan(1000)
      // The engine's thread never stalled on the import.
      expect(delay.max / 1e6).toBeLessThan(1000)
    } finally {
      delay.disable()
      await rm(into, { recursive: true, force: true })
      await service.dispose()
    }
  }, 120_000)

  it("an import whose parse outgrows its worker's budget ends with a plain error and nothing written; the process is not aborted", async () => {
    // A file of tiny arrays is ~12 times its size once parsed: 4.5 MB is ~55 MB, past this pool's 32 MB budget.
    // With V8's own heap limit at the budget, V8 aborted the whole process ("FATAL ERROR: Reached heap limit"
    // inside JSON.parse: a 60 MB file did it to the CLI) instead of the worker's check ending the worker alone.
    const dir = await mkdtemp(join(tmpdir(), 'fd-worker-heap-'))
    try {
      const file = join(dir, 'tiny-arrays.json')
      await writeFile(file, '[' + '[],'.repeat(1_500_000) + '[]]')
      const into = join(dir, 'out')
      const imported = runImport({ file }, 'auto', into, null).then(
        (r) => (r.ok ? 'imported' : r.error.message),
        (e: unknown) => (e instanceof WorkerDied ? `stopped: ${e.reason}` : String(e)),
      )
      // Parsed whole (the worker's V8 limit is far above its budget), it is no collection: refused in words.
      expect(await imported).toMatch(/^unrecognised format: /)
      await expect(stat(into)).rejects.toThrow(/ENOENT/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('a task held behind one that runs over its time limit runs again on a fresh worker and answers', async () => {
    // Only the long import has a short limit: the others' are long enough for a worker to start and load
    // its code on a loaded machine, which can take seconds, so nothing here but the walk runs over its time.
    const own = new WorkerPool({ size: 1, taskTimeoutMs: 60_000 })
    const store = new BodyStore({ memoryLimit: 1024 * 1024 })
    const views = new BodyViews(store, own)
    try {
      const w = store.create('application/json')
      w.write(Buffer.from('{"a":[1,2]}'))
      w.endInMemory()
      // The worker loads the importer first (a small valid spec), so the long one is soon at work.
      const warm = await planInWorker(
        {
          text: JSON.stringify({
            ...(multiplyingSpec() as object),
            components: { schemas: { L0: { type: 'string' } } },
          }),
        },
        'auto',
        own,
      )
      expect(warm.plan.children.length).toBe(1)
      // One worker: the body's lines, asked after the import, wait behind it in that worker. 300 operations
      // each naming the multiplying schema make a million example values, far more than 250 ms of work.
      const importing = own
        .run('import.plan', { text: JSON.stringify(manyMultiplying()), format: 'auto' }, { timeoutMs: 250 })
        .then(
          () => 'imported',
          (e: unknown) => (e instanceof WorkerDied ? `stopped: ${e.reason}` : String(e)),
        )
      const lines = await views.lines(w.id, 'pretty', 0, 10)
      expect(lines.ok ? lines.value.lines : lines.error.message).toEqual([
        '{',
        '  "a": [',
        '    1,',
        '    2',
        '  ]',
        '}',
      ])
      expect(await importing).toBe('stopped: timeout')
      expect(own.workersStarted).toBe(2)
    } finally {
      await own.close()
    }
  }, 120_000)
})
