import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { makeService, spec } from './helpers'

// Whoever waits for a request's result gets it: one waiter (a run's step), several on the same request, and one
// that asks after it ended. A request's waiters are kept without an array while there is one.

let server: Fixture
let service: EngineService
beforeAll(async () => {
  server = await startHttpServer()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await server.close()
})

describe('waiting for a request', () => {
  it('one, three and a late waiter all get the same result', async () => {
    const sent = service.http.send(spec(`${server.url}/json`), 1)
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] as string
    const three = await Promise.all([sid, sid, sid].map((s) => service.http.waitFor(s)))
    for (const r of three) {
      expect(r.final.type).toBe('done')
      expect(r).toBe(three[0])
    }
    const late = await service.http.waitFor(sid)
    expect(late).toBe(three[0])

    const one = service.http.send(spec(`${server.url}/json`), 1)
    if (!one.ok) throw new Error(one.error.message)
    const alone = await service.http.waitFor(one.value.sids[0] as string)
    expect(alone.final.type === 'done' && alone.final.status).toBe(200)
  })
})
