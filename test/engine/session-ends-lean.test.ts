import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClock } from '../../src/engine/clock'
import { HttpEngine } from '../../src/engine/http/http-engine'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import { SessionEnds } from '../../src/engine/sessions/session-bodies'
import { spec } from './helpers'

// A run that keeps no records holds each session's end until its step is let go of, to free the body it kept. A
// lean request (a run nobody watches) keeps no body: there is nothing to hold for it, and its redirects still lead
// a forget to any body a later hop kept.

let server: Server
let base = ''
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    if (req.url === '/hop') {
      res.writeHead(302, { location: '/end', 'content-length': 0 })
      res.end()
      return
    }
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

const step = (id: string, path: string): RunStep => ({
  id,
  name: id,
  request: spec(`${base}${path}`, {}, { followRedirects: true }),
  variables: new Map(),
  assertions: [{ kind: 'status', equals: 200 }],
  extract: [],
})

async function held(unwatched: boolean): Promise<{ afterRun: number; afterForget: number; bodies: number }> {
  const ends = new SessionEnds()
  const bodyIds: string[] = []
  const http = new HttpEngine({
    clock: createClock(),
    emit: (e) => {
      ends.record(e)
      if (e.type === 'done') bodyIds.push(e.body.id)
    },
    unwatched,
  })
  try {
    const report = await runSteps(http, [step('plain', '/plain'), step('moved', '/hop')], {
      concurrency: 4,
      iterations: 5,
    })
    expect(report.results).toHaveLength(10)
    expect(report.results.every((r) => r.passed)).toBe(true)
    const afterRun = ends.size
    const kept = (): number => bodyIds.filter((id) => http.bodies.get(id) !== undefined).length
    const bodies = kept()
    for (const r of report.results) ends.forget(http.bodies, r.sids)
    // Let go of, a kept body leaves the store.
    expect(kept()).toBe(0)
    return { afterRun, afterForget: ends.size, bodies }
  } finally {
    await http.dispose()
  }
}

describe('the session ends a run holds', () => {
  it('a lean run holds only its redirects (no body to free); a watched one every end, till each is let go of', async () => {
    const lean = await held(true)
    // Five redirects: each leads a forget on to its next hop. No `done` is held: its body was never kept.
    expect(lean).toEqual({ afterRun: 5, afterForget: 0, bodies: 0 })
    const watched = await held(false)
    expect(watched).toEqual({ afterRun: 15, afterForget: 0, bodies: 10 })
  })
})
