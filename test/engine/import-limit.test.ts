import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { harCollectionPlan } from '../../src/engine/importers/har-collection'
import { configureSharedPool, type WorkerPool } from '../../src/engine/workers/pool'
import { makeService } from './helpers'

const SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'

function requests(count: number, prefix: string): unknown[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix} request ${i} with a longish name`,
    request: { method: 'GET', url: `http://127.0.0.1/items/${i}?page=${i % 100}&filter=abcdefghijklmnop` },
  }))
}

let dir: string
let pool: WorkerPool
let service: EngineService

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-import-limit-'))
  // A worker budget the parsed file fits in and its whole plan does not (50,000 requests: about 45 MB of
  // plan), so an import that planned before counting ran out of memory instead of saying it was too large.
  pool = configureSharedPool({ size: 1, memoryMb: 40 })
  service = makeService({ persistWorkspace: false, watchCollections: false })
})

afterAll(async () => {
  await service.dispose()
  await pool.close()
  rmSync(dir, { recursive: true, force: true })
})

async function importFile(name: string, collection: unknown): Promise<{ result: unknown; into: string }> {
  const file = join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify(collection))
  const into = mkdtempSync(join(dir, `${name}-into-`))
  const run = await service.invoke('import.run', { format: 'auto', file, into })
  return { result: run, into }
}

describe('an import over the item limit', () => {
  it('is refused as too large, counted before planning, even when its plan would not fit the worker', async () => {
    const { result, into } = await importFile('many', {
      info: { name: 'Many', schema: SCHEMA },
      item: requests(50_000, 'top'),
    })
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'too_large',
        message:
          'The file has 50,000 requests in 0 folders; Flightdeck imports at most 10,000 at a time (nothing was written)',
      },
    })
    expect(readdirSync(into)).toEqual([])
  })

  it('counts folders as the plan does: 9,999 requests in 2 folders are over', async () => {
    const { result, into } = await importFile('folders', {
      info: { name: 'Folders', schema: SCHEMA },
      item: [
        { name: 'A', item: requests(5_000, 'a') },
        { name: 'B', item: [...requests(4_999, 'b'), { name: 'not a request' }] },
      ],
    })
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'too_large',
        message: expect.stringMatching(/^The file has 9,999 requests in 2 folders;/),
      },
    })
    expect(readdirSync(into)).toEqual([])
  })

  it('counts in words that agree with the number: 1 folder, 1 entry', async () => {
    const { result } = await importFile('one-folder', {
      info: { name: 'One folder', schema: SCHEMA },
      item: [{ name: 'Only', item: requests(10_000, 'only') }],
    })
    expect(result).toMatchObject({
      ok: false,
      error: {
        message:
          'The file has 10,000 requests in 1 folder; Flightdeck imports at most 10,000 at a time (nothing was written)',
      },
    })
    // A HAR one entry over (one host folder and 9,999 requests fit) says "1 entry".
    const entries = Array.from({ length: 10_000 }, (_, i) => ({
      startedDateTime: '2024-01-01T00:00:00.000Z',
      time: 1,
      request: {
        method: 'GET',
        url: `http://127.0.0.1:18000/item/${i}`,
        httpVersion: 'HTTP/1.1',
        headers: [],
      },
      response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], content: { size: 0 } },
    }))
    const plan = harCollectionPlan({ log: { version: '1.2', entries } })
    expect(plan.unmapped).toContain(
      '1 entry past the first 9,999 left out (an import writes at most 10,000 requests and folders)',
    )
  })
})
