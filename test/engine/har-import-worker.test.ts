import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HarDocument, HarEntry } from '../../src/engine/har/har-types'
import type { EngineService } from '../../src/engine/service'
import { configureSharedPool } from '../../src/engine/workers/pool'
import type { TimelineBatch } from '../../src/shared/contract'
import type { TimelineEvent } from '../../src/shared/timeline'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { makeService, send, spec } from './helpers'
import { HANG_GUARD_MS, guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * Opening a HAR as a user meets it: the parsing and body decoding happen in a pool worker, so a HAR too big
 * for the worker's memory fails with a plain error and adds nothing while live requests finish, and a HAR of
 * thousands of entries lands on the timeline without holding the engine's thread.
 */

function entry(i: number, body: string, base64: boolean): HarEntry {
  return {
    startedDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i * 3)).toISOString(),
    time: 12,
    request: {
      method: i % 2 ? 'post' : 'GET',
      url: `http://127.0.0.1:9/item/${i}?q=${i}`,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [{ name: 'X-Index', value: String(i) }],
      queryString: [{ name: 'q', value: String(i) }],
      headersSize: 40,
      bodySize: 0,
    },
    response: {
      status: 200 + (i % 5),
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [{ name: 'Content-Type', value: 'text/plain' }],
      content: {
        size: body.length,
        mimeType: 'text/plain',
        text: base64 ? Buffer.from(body).toString('base64') : body,
        ...(base64 ? { encoding: 'base64' } : {}),
      },
      redirectURL: '',
      headersSize: 60,
      bodySize: body.length,
    },
    cache: {},
    timings: { blocked: 1, dns: -1, connect: -1, ssl: -1, send: 1, wait: 8, receive: 2 },
  }
}

function harOf(entries: HarEntry[]): string {
  const doc: HarDocument = { log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } }
  return JSON.stringify(doc)
}

let fixture: Fixture
let service: EngineService
const events: TimelineEvent[] = []

beforeAll(async () => {
  fixture = await startHttpServer()
  service = makeService({ persistWorkspace: false, watchCollections: false })
  service.subscribe((b: TimelineBatch) => events.push(...b.events))
})

afterAll(async () => {
  await service.dispose()
  await fixture.close()
  // Later files get the default pool back.
  await configureSharedPool({}).close()
})

describe('opening a HAR in the worker pool', () => {
  it('a HAR too big for its worker fails plainly, adds nothing, and requests in flight finish', async () => {
    const pool = configureSharedPool({ size: 1, memoryMb: 32, taskTimeoutMs: HANG_GUARD_MS })
    const chunk = 'x'.repeat(30 * 1024)
    // About 7.5 MB of text (under the 8 MB refused before sending): the worker takes it, and finds its parse
    // and decoded bodies past its budget.
    const inWorker = harOf(Array.from({ length: 180 }, (_, i) => entry(i, chunk, true)))
    // About 48 MB: more than the worker could hold at all, refused before it is sent.
    const huge = harOf(Array.from({ length: 1200 }, (_, i) => entry(i, chunk, true)))
    service.flush()
    const before = events.length
    const started = pool.workersStarted
    for (const text of [inWorker, huge]) {
      const inFlight = Array.from({ length: 50 }, (_, i) =>
        send(service, spec(`${fixture.url}/delay?ms=${100 + i}`)),
      )
      const res = await service.invoke('har.import', { text, name: 'big.har' })
      expect(res.ok ? 'imported' : res.error.code).toBe('too_large')
      expect(res.ok ? 'imported' : res.error.message).toBe(
        'Opening the HAR ran out of memory in its worker (limit 32 MB); nothing was added to the timeline',
      )
      const finished = await Promise.all(inFlight)
      expect(finished.map((r) => (r.final.type === 'done' ? r.final.status : r.final.type))).toEqual(
        Array.from({ length: 50 }, () => 200),
      )
    }
    // The first died in its worker; the second never reached one.
    expect(pool.workersStarted).toBe(started + 1)
    service.flush()
    const added = events.slice(before).filter((e) => e.type === 'queued' && e.batch?.id.startsWith('har:'))
    expect(added).toEqual([])
    await pool.close()
  })

  it('a HAR of thousands of entries lands whole while the thread stays responsive', async () => {
    configureSharedPool({ size: 1 })
    const count = 16_000
    const source = Array.from({ length: count }, (_, i) =>
      entry(i, `body ${i} `.repeat(60 + (i % 40)), i % 3 === 0),
    )
    // Two entries the import skips, with the same reasons as ever.
    const raw: unknown[] = [...source, { startedDateTime: 'never' }, 7]
    const text = JSON.stringify({
      log: { version: '1.2', creator: { name: 't', version: '1' }, entries: raw },
    })
    service.flush()
    const before = events.length

    // What keeps the app responsive, counted at every turn of the thread's event loop rather than timed (a
    // loaded machine stretches any stall, however little the code holds the thread): the turns it took while
    // the HAR was parsed (in a worker, the thread is free meanwhile) and the most entries laid out between two
    // turns (a slice). Each turn delivers what was emitted, so the count is of entries on the timeline.
    let laid = 0
    const unsubscribe = service.subscribe((b: TimelineBatch) => {
      for (const e of b.events) if (e.type === 'queued' && e.batch?.id.startsWith('har:')) laid++
    })
    let importing = true
    let turnsBeforeFirst = 0
    let seen = 0
    let most = 0
    // The wall-clock figure, for the log only.
    let last = performance.now()
    let longest = 0
    const turn = (): void => {
      service.flush()
      if (laid === 0) turnsBeforeFirst++
      most = Math.max(most, laid - seen)
      seen = laid
      const now = performance.now()
      longest = Math.max(longest, now - last)
      last = now
      if (importing) setImmediate(turn)
    }
    setImmediate(turn)
    const res = await service.invoke('har.import', { text, name: 'many.har' })
    importing = false
    // The last slice, laid out after the last turn.
    service.flush()
    most = Math.max(most, laid - seen)
    unsubscribe()
    if (!res.ok) throw new Error(res.error.message)
    console.log(
      `HAR import of ${count} entries: ${turnsBeforeFirst} turns while it was parsed, at most ${most} entries between turns, longest gap ${longest.toFixed(1)} ms`,
    )
    // Parsed off the thread: it kept turning (parsed on it, the first entries came in the turn that parsed).
    expect(turnsBeforeFirst).toBeGreaterThanOrEqual(2)
    // Laid out in slices of at most 300 entries, the loop turning between them (in one go: all 16,000).
    expect(most).toBeGreaterThan(0)
    expect(most).toBeLessThanOrEqual(300)

    expect(res.value.sids).toHaveLength(count)
    expect(res.value.skipped).toEqual([
      { index: count, reason: 'no valid startedDateTime' },
      { index: count + 1, reason: 'not an object' },
    ])
    service.flush()
    const mine = events.slice(before)
    const queued = mine.filter((e): e is Extract<TimelineEvent, { type: 'queued' }> => e.type === 'queued')
    const done = mine.filter((e): e is Extract<TimelineEvent, { type: 'done' }> => e.type === 'done')
    expect(queued).toHaveLength(count)
    expect(done).toHaveLength(count)
    for (const i of [0, 1, 2, 999, count - 1]) {
      const src = source[i] as HarEntry
      const q = queued[i]
      const d = done[i]
      expect(q?.method).toBe(src.request.method.toUpperCase())
      expect(q?.url).toBe(src.request.url)
      expect(q?.wall).toBe(Date.parse(src.startedDateTime))
      expect(q?.batch?.index).toBe(i)
      expect(d?.status).toBe(src.response.status)
      expect(d?.timings.time).toBe(12)
      // The entries keep their spacing (3 ms apart in the file).
      expect((d?.t ?? 0) - (done[0]?.t ?? 0)).toBeCloseTo(i * 3, 6)
      const body = `body ${i} `.repeat(60 + (i % 40))
      expect(d?.bodyBytes).toBe(body.length)
      const read = await service.invoke('body.read', {
        bodyId: d?.body.id ?? '',
        offset: 0,
        length: 1024 * 1024,
        encoding: 'utf8',
      })
      expect(read.ok && read.value.data).toBe(body)
    }
  })

  it('refuses what is not a HAR with the same messages', async () => {
    const notJson = await service.invoke('har.import', { text: '{oops' })
    expect(notJson.ok ? 'ok' : notJson.error.message).toMatch(/^Could not import the HAR: Not JSON: /)
    const notHar = await service.invoke('har.import', { text: '{"log":{}}' })
    expect(notHar.ok ? 'ok' : notHar.error.message).toBe(
      'Could not import the HAR: Not a HAR file: no log.entries list',
    )
  })
})
