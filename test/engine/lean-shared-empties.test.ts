import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestSentEvent, TimelineEvent } from '../../src/shared/timeline'
import { createClock } from '../../src/engine/clock'
import { HttpEngine } from '../../src/engine/http/http-engine'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import { spec } from './helpers'

// A run's plain requests (lean: nobody reads their events) share what every one of them would otherwise make empty:
// the result's event list, the step result's missing and unknown lists. Shared lists are frozen, so nothing can add
// to one and change every other result. What a person reads stays as it was: the run's counts and error words, each
// request's connection (new, then reused) on a watched timeline.

let server: Server
let base = ''
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const step = (url: string): RunStep => ({
  id: 'hit',
  name: 'hit',
  request: spec(url),
  variables: new Map(),
  assertions: [{ kind: 'status', equals: 200 }],
  extract: [],
})

describe('lean requests share their empty lists', () => {
  it("a lean result's events are one frozen empty list; a watched one's are its own", async () => {
    const http = new HttpEngine({ clock: createClock(), emit: () => {}, unwatched: true })
    try {
      const link = { name: 'hit' }
      const [a, b] = await Promise.all(
        [1, 2].map((i) => http.waitFor(http.sendFixedLean(spec(`${base}/lean/${i}`), link))),
      )
      expect(a?.final.type === 'done' && a.final.status).toBe(200)
      expect(a?.events).toEqual([])
      expect(a?.events).toBe(b?.events)
      expect(Object.isFrozen(a?.events)).toBe(true)
      const sent = http.send(spec(`${base}/watched`), 1)
      if (!sent.ok) throw new Error(sent.error.message)
      const watched = await http.waitFor(sent.value.sids[0] as string)
      expect(watched.events.map((e) => e.type)).toEqual([
        'queued',
        'request-sent',
        'response-headers',
        'done',
      ])
    } finally {
      await http.dispose()
    }
  })

  it("a run's results share a frozen empty missing list; a request that cannot be sent fails each iteration in words", async () => {
    const http = new HttpEngine({ clock: createClock(), emit: () => {}, unwatched: true })
    try {
      const ok = await runSteps(http, [step(`${base}/run`)], { concurrency: 2, iterations: 4 })
      expect(ok.results.map((r) => r.passed)).toEqual([true, true, true, true])
      expect(ok.stats.responses).toBe(4)
      const [first, second] = ok.results
      expect(first?.missing).toEqual([])
      expect(first?.missing).toBe(second?.missing)
      expect(Object.isFrozen(first?.missing)).toBe(true)
      expect(first?.unknown).toBe(second?.unknown)

      const bad = await runSteps(http, [step('http://')], { concurrency: 2, iterations: 3 })
      expect(bad.results.map((r) => [r.passed, r.error?.code, r.error?.message])).toEqual(
        Array(3).fill([false, 'invalid_url', 'Invalid URL: http://']),
      )
      expect(bad.stats.failed).toBe(3)
    } finally {
      await http.dispose()
    }
  })

  it('a kept-alive connection: its first request opens it, the next ones say reused, on the same connection', async () => {
    const events: TimelineEvent[] = []
    const http = new HttpEngine({ clock: createClock(), emit: (e) => events.push(e) })
    try {
      for (let i = 0; i < 3; i++) {
        const sent = http.send(spec(`${base}/again/${i}`), 1)
        if (!sent.ok) throw new Error(sent.error.message)
        await http.waitFor(sent.value.sids[0] as string)
      }
      const sent = events.filter((e): e is RequestSentEvent => e.type === 'request-sent')
      expect(sent.map((e) => e.reused)).toEqual([false, true, true])
      expect(new Set(sent.map((e) => e.connectionId)).size).toBe(1)
      expect(sent.map((e) => [e.remoteAddress, e.protocol])).toEqual(Array(3).fill(['127.0.0.1', 'http/1.1']))
    } finally {
      await http.dispose()
    }
  })
})
