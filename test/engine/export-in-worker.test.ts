import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { configureSharedPool, type WorkerPool } from '../../src/engine/workers/pool'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { makeService, send, spec } from './helpers'

/**
 * A collection export is built in the worker pool, not on the engine's thread: with workers of 32 MB, a
 * collection holding 60 MB of request bodies breaks its worker, and the user sees a plain error, nothing
 * written, while the requests in flight finish. A small export right after works (a fresh worker).
 */

const FILES = 60
/** About 1 MB of body text per request file. */
const BODY_LINES = 10_000

let fixture: Fixture
let pool: WorkerPool
let service: EngineService
let work: string
let big: string
let small: string

function requestFile(i: number): string {
  const line = `    line ${i} ${'x'.repeat(90)}\n`
  return `name: Upload ${i}\nmethod: POST\nurl: http://127.0.0.1/upload/${i}\nbody:\n  kind: text\n  text: |\n${line.repeat(BODY_LINES)}`
}

beforeAll(async () => {
  fixture = await startHttpServer()
  pool = configureSharedPool({ size: 1, memoryMb: 32, taskTimeoutMs: 60_000 })
  work = mkdtempSync(join(tmpdir(), 'fd-export-worker-'))
  big = join(work, 'big')
  mkdirSync(big)
  writeFileSync(join(big, 'collection.yaml'), 'flightdeck: 1\nname: Big\n')
  for (let i = 0; i < FILES; i++) writeFileSync(join(big, `upload-${i}.yaml`), requestFile(i))
  small = join(work, 'small')
  mkdirSync(small)
  writeFileSync(join(small, 'collection.yaml'), 'flightdeck: 1\nname: Small\n')
  writeFileSync(join(small, 'ping.yaml'), 'name: Ping\nmethod: GET\nurl: http://127.0.0.1/ping\n')
  service = makeService({ persistWorkspace: false, watchCollections: false })
  for (const dir of [big, small]) {
    const opened = await service.invoke('collection.open', { dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
  }
}, 60_000)

afterAll(async () => {
  await service.dispose()
  await pool.close()
  await fixture.close()
  rmSync(work, { recursive: true, force: true })
})

describe('collection export in the worker pool', () => {
  it('an export that outgrows its worker fails plainly and writes nothing; requests in flight finish; the next export works', async () => {
    const out = join(work, 'out')
    mkdirSync(out)
    const inFlight = Array.from({ length: 50 }, (_, i) =>
      send(service, spec(`${fixture.url}/delay?ms=${100 + (i % 20) * 10}`)),
    )
    const postman = await service.invoke('export.collection', {
      dir: big,
      format: 'postman',
      file: join(out, 'big.postman_collection.json'),
    })
    expect(postman.ok ? 'exported' : postman.error).toEqual({
      code: 'too_large',
      message: 'Exporting Big to Postman ran out of memory in its worker (limit 32 MB); nothing was written',
    })
    const finished = await Promise.all(inFlight)
    expect(finished.map((r) => (r.final.type === 'done' ? r.final.status : r.final.type))).toEqual(
      Array.from({ length: 50 }, () => 200),
    )

    const bruno = await service.invoke('export.collection', {
      dir: big,
      format: 'bruno',
      file: join(out, 'b'),
    })
    expect(bruno.ok ? 'exported' : bruno.error.message).toBe(
      'Exporting Big to Bruno ran out of memory in its worker (limit 32 MB); nothing was written',
    )
    expect(readdirSync(out)).toEqual([])

    const ok = await service.invoke('export.collection', {
      dir: small,
      format: 'postman',
      file: join(out, 'small.postman_collection.json'),
    })
    if (!ok.ok) throw new Error(ok.error.message)
    expect(JSON.parse(ok.value.text)).toMatchObject({
      info: { name: 'Small' },
      item: [{ name: 'Ping', request: { method: 'GET', url: 'http://127.0.0.1/ping' } }],
    })
    expect(existsSync(join(out, 'small.postman_collection.json'))).toBe(true)
  }, 120_000)
})
