import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { eventsOf, makeService, sleep, spec } from './helpers'

/**
 * Requests waiting in the engine's queue for a slot (more copies than the concurrency allows): what a person sees
 * of them, whether they run, are cancelled or time out while they wait. The exchange of a waiting request is made
 * only when its slot comes (or when it ends first), so these pin that the waiting request still ends as before.
 */

let server: Fixture
let service: EngineService

beforeAll(async () => {
  server = await startHttpServer()
  service = makeService({ settings: { globalConcurrency: 1, perOriginConcurrency: 1 } })
})
afterAll(async () => {
  await service.dispose()
  await server.close()
})

async function sendCopies(url: string, count: number, options = {}): Promise<string[]> {
  const r = await service.invoke('http.send', { request: spec(url, {}, options), count })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sids
}

describe('requests waiting for a slot', () => {
  it('run one after another, each with its own phases, the later ones blocked while they waited', async () => {
    const sids = await sendCopies(`${server.url}/delay?ms=40`, 3)
    const results = await Promise.all(sids.map((sid) => service.http.waitFor(sid)))
    for (const r of results) {
      expect(r.final.type).toBe('done')
      expect(eventsOf(r, 'request-sent')).toHaveLength(1)
      expect(eventsOf(r, 'response-headers')[0]?.status).toBe(200)
    }
    const blocked = results.map((r) => (r.final.type === 'done' ? r.final.timings.blocked : -1))
    // The third waited for two 40 ms exchanges before its own could start.
    expect(blocked[2]).toBeGreaterThanOrEqual(60)
    expect(blocked[2]).toBeGreaterThan(blocked[0] as number)
  })

  it('a request cancelled while it waits ends cancelled, never sent, and the rest still run', async () => {
    const sids = await sendCopies(`${server.url}/delay?ms=80`, 3)
    await sleep(20)
    expect(service.http.cancel(sids[2] as string)).toBe(true)
    const [first, second, third] = await Promise.all(sids.map((sid) => service.http.waitFor(sid)))
    expect(third?.final.type).toBe('cancelled')
    expect(third?.events.map((e) => e.type)).toEqual(['queued', 'cancelled'])
    if (third?.final.type === 'cancelled') {
      expect(third.final.timings.send).toBe(0)
      expect(third.final.timings.blocked).toBeGreaterThanOrEqual(15)
    }
    expect(first?.final.type).toBe('done')
    expect(second?.final.type).toBe('done')
  })

  it('a request whose total timeout passes while it waits fails with the timeout, never sent', async () => {
    const sids = await sendCopies(`${server.url}/delay?ms=150`, 2, { totalTimeoutMs: 60 })
    const [first, second] = await Promise.all(sids.map((sid) => service.http.waitFor(sid)))
    for (const r of [first, second]) {
      expect(r?.final.type).toBe('error')
      if (r?.final.type === 'error') expect(r.final.code).toBe('timeout_total')
    }
    // The second never got its slot: no request went out for it.
    expect(second?.events.map((e) => e.type)).toEqual(['queued', 'error'])
  })

  it('a waiting request carries the cookies the jar had when it was queued', async () => {
    const jarService = makeService({ settings: { globalConcurrency: 1, perOriginConcurrency: 1 } })
    try {
      const set = await jarService.invoke('http.send', {
        request: spec(`${server.url}/set-cookie?name=early&value=1`),
      })
      if (!set.ok) throw new Error(set.error.message)
      await jarService.http.waitFor(set.value.sids[0] as string)
      const r = await jarService.invoke('http.send', { request: spec(`${server.url}/cookies`), count: 2 })
      if (!r.ok) throw new Error(r.error.message)
      const results = await Promise.all(r.value.sids.map((sid) => jarService.http.waitFor(sid)))
      for (const one of results) {
        const sent = eventsOf(one, 'request-sent')[0]
        expect(sent?.headers).toContainEqual(['cookie', 'early=1'])
      }
    } finally {
      await jarService.dispose()
    }
  })
})
