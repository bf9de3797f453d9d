import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TimelineEvent } from '../../src/shared/timeline'
import { createClock } from '../../src/engine/clock'
import { HttpEngine } from '../../src/engine/http/http-engine'
import type { RunStep, StepResult } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import { startRawServer, type RawServer } from '../catalogue/raw-server'
import { spec } from './helpers'

// A run nobody watches (no timeline, no records: `flightdeck run` without a HAR report) sends its plain steps lean:
// their requests make no queued, request-sent or response-headers events. What the run reports must not change:
// each step is run on an unwatched engine and on a watched one, against the same real servers.

let server: Server
let base = ''
let raw: RawServer
const answered = new WeakSet<Socket>()
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-answer': '42',
      'x-cookie': req.headers.cookie ?? 'none',
      'set-cookie': 'seen=1; Path=/',
    })
    res.end('{"ok":true}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // Each connection's first request is answered (kept alive); its second closes it unanswered: a GET goes again.
  raw = await startRawServer((socket) => {
    if (answered.has(socket)) return socket.destroy()
    answered.add(socket)
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Raw: yes\r\n\r\nok')
  })
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  raw.close()
})

function engine(unwatched: boolean, events: TimelineEvent[]): HttpEngine {
  return new HttpEngine({ clock: createClock(), emit: (e) => events.push(e), unwatched })
}

const step = (id: string, url: string, extra: Partial<RunStep> = {}): RunStep => ({
  id,
  name: id,
  request: spec(url),
  variables: new Map(),
  assertions: [
    { kind: 'status', equals: 200 },
    { kind: 'header', name: 'X-Answer', equals: '42' },
  ],
  extract: [],
  ...extra,
})

/** What a person reads of a result: everything but its session ids and clock readings, which differ by run. */
function seen(r: StepResult): Record<string, unknown> {
  return {
    stepId: r.stepId,
    iteration: r.iteration,
    status: r.status,
    passed: r.passed,
    error: r.error?.code,
    assertions: r.assertions,
    missing: r.missing,
    traced: r.traceId !== undefined && /^[0-9a-f]{32}$/.test(r.traceId),
    resent: r.resent,
    timed: Number.isFinite(r.timeMs) && r.timeMs >= 0,
  }
}

async function runOn(unwatched: boolean, steps: RunStep[], iterations = 3, trace?: 'per-run') {
  const events: TimelineEvent[] = []
  const http = engine(unwatched, events)
  try {
    const report = await runSteps(http, steps, { concurrency: 1, iterations, ...(trace ? { trace } : {}) })
    const results = [...report.results].sort((a, b) =>
      a.iteration !== b.iteration ? a.iteration - b.iteration : a.stepId.localeCompare(b.stepId),
    )
    return { results: results.map(seen), events }
  } finally {
    await http.dispose()
  }
}

const count = (events: TimelineEvent[], type: TimelineEvent['type']): number =>
  events.filter((e) => e.type === type).length

describe('a run nobody watches sends its plain steps lean', () => {
  it('the same checks on status and headers, cookies kept, extractions, timings and error kinds; no per-request events', async () => {
    const steps = [
      step('hit', `${base}/hit`, {
        extract: [{ name: 'answer', from: 'header', header: 'x-answer' }],
      }),
      // The cookie the first answer set goes with every later request, lean or not.
      step('cookie', `${base}/cookie`, {
        dependsOn: ['hit'],
        assertions: [
          { kind: 'status', equals: 200 },
          { kind: 'header', name: 'x-answer', equals: '{{answer}}' },
          { kind: 'header', name: 'x-cookie', equals: 'seen=1' },
        ],
      }),
      step('wrong', `${base}/wrong`, {
        assertions: [{ kind: 'header', name: 'x-answer', equals: '41' }],
      }),
      // Nothing listens on port 1: the step ends in the same error either way.
      step('refused', 'http://127.0.0.1:1/none', { assertions: [] }),
    ]
    const lean = await runOn(true, steps)
    const watched = await runOn(false, steps)
    expect(lean.results).toEqual(watched.results)
    expect(lean.results.filter((r) => r.passed).length).toBe(6)
    expect(lean.results.filter((r) => r.stepId === 'refused').map((r) => r.error)).toEqual(
      Array(3).fill(watched.results.find((r) => r.stepId === 'refused')?.error),
    )
    expect(lean.results.find((r) => r.stepId === 'wrong')?.passed).toBe(false)
    // Watched: every request's queued, request-sent and response-headers. Lean: none; each hop's end still goes out.
    expect(count(watched.events, 'queued')).toBe(12)
    expect(count(watched.events, 'response-headers')).toBe(9)
    expect(count(lean.events, 'queued')).toBe(0)
    expect(count(lean.events, 'request-sent')).toBe(0)
    expect(count(lean.events, 'response-headers')).toBe(0)
    expect(count(lean.events, 'done')).toBe(9)
    expect(count(lean.events, 'error')).toBe(3)
  })

  it('a traced step still reports its trace id (its request-sent is made); a resent one its resend', async () => {
    const steps = [step('traced', `${base}/traced`)]
    const lean = await runOn(true, steps, 2, 'per-run')
    const watched = await runOn(false, steps, 2, 'per-run')
    expect(lean.results).toEqual(watched.results)
    expect(lean.results.map((r) => r.traced)).toEqual([true, true])
    expect(count(lean.events, 'request-sent')).toBe(2)

    const closing = [step('again', `${raw.url}/again`, { assertions: [{ kind: 'status', equals: 200 }] })]
    const leanResent = await runOn(true, closing, 4)
    const watchedResent = await runOn(false, closing, 4)
    expect(leanResent.results).toEqual(watchedResent.results)
    expect(leanResent.results.map((r) => r.resent ?? 0)).toEqual([0, 1, 0, 1])
    expect(leanResent.results.every((r) => r.passed)).toBe(true)
    expect(count(leanResent.events, 'queued')).toBe(0)
  })
})
