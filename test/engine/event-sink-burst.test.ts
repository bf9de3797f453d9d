import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_BATCH_EVENTS } from '../../src/engine/event-sink'
import { createEngineService, type EngineService } from '../../src/engine/service'
import type { TimelineBatch } from '../../src/shared/contract'
import { startHttpServer, type Fixture } from '../fixtures/servers'

/**
 * "Send ×1000" clicked five times at once queues 5,000 sessions within one flush interval. The page gets them
 * as batches of at most MAX_BATCH_EVENTS events, each one message and one main-thread task, in order: as one
 * batch, the page parsed, applied and drew them in a single task of ~65 ms of CPU.
 */

let service: EngineService
let server: Fixture

beforeAll(async () => {
  server = await startHttpServer()
  service = createEngineService({
    host: 'test',
    persistWorkspace: false,
    watchCollections: false,
    configDir: mkdtempSync(join(tmpdir(), 'fd-sink-burst-')),
  })
})

afterAll(async () => {
  await service.dispose()
  await server.close()
})

describe('a burst on the timeline', () => {
  it('reaches the page in batches of at most MAX_BATCH_EVENTS events, every session queued once, in order', async () => {
    const batches: TimelineBatch[] = []
    const off = service.onEvent((event) => {
      if (event.name === 'timeline.batch') batches.push(event.payload)
    })
    const request = {
      method: 'GET',
      url: `${server.url}/hello`,
      headers: [],
      body: { kind: 'none' as const },
      options: {},
    }
    const sends = await Promise.all(
      Array.from({ length: 5 }, () => service.invoke('http.send', { request, count: 1000 })),
    )
    for (const s of sends) expect(s.ok).toBe(true)
    const queuedSids = (): string[] =>
      batches.flatMap((b) => b.events.filter((e) => e.type === 'queued').map((e) => e.sid))
    const end = Date.now() + 20_000
    while (queuedSids().length < 5000 && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
    off()

    const sids = queuedSids()
    expect(sids).toHaveLength(5000)
    expect(new Set(sids).size).toBe(5000)
    const largest = Math.max(...batches.map((b) => b.events.length))
    expect(largest, 'events in the largest batch').toBeLessThanOrEqual(MAX_BATCH_EVENTS)
    // Every session's events keep their order across the parts: queued comes before anything else of it.
    const seen = new Set<string>()
    for (const e of batches.flatMap((b) => b.events)) {
      if (e.type === 'queued') seen.add(e.sid)
      else expect(seen.has(e.sid), `${e.type} of ${e.sid} before its queued`).toBe(true)
    }
  })
})
