import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { planRun } from '../../src/engine/runner/plan'
import type { EngineService } from '../../src/engine/service'
import type { RunProgressEvent } from '../../src/shared/run-schemas'
import { FOLLOW_JOB, startJobServer } from '../fixtures/job-server'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'
import { makeService } from './helpers'

/** run.start / run.get / run.cancel through the service, on a collection folder, against a real server. */

let server: RunnerServer
let service: EngineService
let dir: string
let configDir: string

function file(rel: string, text: string): void {
  const abs = join(dir, rel)
  mkdirSync(join(abs, '..'), { recursive: true })
  writeFileSync(abs, text)
}

beforeAll(async () => {
  server = await startRunnerServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-run-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-run-config-'))
  file(
    'collection.yaml',
    `flightdeck: 1\nname: Runner\nvariables:\n  base: ${server.url}\n  wsBase: ${server.wsUrl}\n`,
  )
  file('environments/local.yaml', 'name: Local\nvariables:\n  user: ada\n')
  file('environments/other.yaml', 'name: Other\nvariables:\n  user: bob\n')
  file(
    'auth/login.yaml',
    `name: Login
method: POST
url: "{{base}}/login"
body:
  kind: json
  text: '{"user": "{{user}}"}'
assertions:
  - kind: status
    equals: 200
extract:
  - name: token
    from: json
    path: $.token
`,
  )
  // The folder's bearer auth uses the token extracted by Login in the same iteration.
  file('api/folder.yaml', 'auth:\n  type: bearer\n  token: "{{token}}"\n')
  file(
    'api/me.yaml',
    `name: Me
method: GET
url: "{{base}}/me"
assertions:
  - kind: status
    equals: 200
  - kind: json
    path: $.user
    equals: ada
dependsOn:
  - auth/login
`,
  )
  file(
    'flaky/retry.yaml',
    `name: Flaky
method: GET
url: "{{base}}/flaky/{{$uuid}}?fails=2"
assertions:
  - kind: status
    equals: 200
retry:
  retries: 3
  onStatus:
    - 503
  backoffMs: 5
`,
  )
  file(
    'slow/slow.yaml',
    'name: Slow\nmethod: GET\nurl: "{{base}}/slow?ms=100"\nassertions:\n  - kind: status\n    equals: 200\n',
  )
  file(
    'failing/fails.yaml',
    'name: Fails\nmethod: GET\nurl: "{{base}}/status/500"\nassertions:\n  - kind: status\n    equals: 200\n',
  )
  file(
    'data/greet.yaml',
    'name: Greet\nmethod: GET\nurl: "{{base}}/echo?name={{name}}&city={{city}}"\nassertions:\n  - kind: json\n    path: $.query.name\n    exists: true\n',
  )
  file(
    'streams/ticks.yaml',
    `name: Ticks
kind: sse
url: "{{base}}/ticks?ms=5"
assertions:
  - kind: status
    equals: 200
  - kind: message-count
    equals: 3
stop:
  count: 3
`,
  )
  file(
    'streams/socket.yaml',
    `name: Socket
kind: ws
url: "{{wsBase}}/ws?ms=50"
messages:
  - name: hi
    text: hi {{user}}
stop:
  match: "^echo: hi ada$"
  durationMs: 5000
assertions:
  - kind: message-count
    min: 1
`,
  )
  file(
    'streams/short.yaml',
    `name: Short
kind: sse
url: "{{base}}/ticks?ms=5&n=2"
stop:
  count: 5
`,
  )
  service = makeService({ configDir, persistWorkspace: false, watchCollections: false })
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
  dir = opened.value.dir
})

afterAll(async () => {
  await service.dispose()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

/** Start a run and collect its progress events until the one that says it finished. */
async function run(
  payload: Partial<Parameters<EngineService['invoke']>[1]> & { path: string },
  during?: (runId: string, events: RunProgressEvent[]) => void,
): Promise<{
  runId: string
  total: number
  events: RunProgressEvent[]
  times: number[]
  last: RunProgressEvent
}> {
  const events: RunProgressEvent[] = []
  const times: number[] = []
  let resolveDone: (e: RunProgressEvent) => void = () => undefined
  const finished = new Promise<RunProgressEvent>((r) => (resolveDone = r))
  let runId = ''
  const off = service.onEvent((event) => {
    if (event.name !== 'run.progress') return
    const e = event.payload
    if (runId !== '' && e.runId !== runId) return
    events.push(e)
    times.push(performance.now())
    during?.(runId, events)
    if (e.finished) resolveDone(e)
  })
  try {
    const started = await service.invoke('run.start', {
      dir,
      concurrency: 2,
      iterations: 1,
      ...payload,
    } as never)
    if (!started.ok) throw new Error(`${started.error.code}: ${started.error.message}`)
    runId = started.value.runId
    const last = await finished
    return { runId, total: started.value.total, events, times, last }
  } finally {
    off()
  }
}

describe('run plan', () => {
  it('lists requests in tree order with scope variables and inherited auth; pulls in dependencies', async () => {
    const plan = await planRun(service.collections, dir, 'api', 'local')
    if (!plan.ok) throw new Error(plan.error.message)
    expect(plan.value.steps.map((s) => s.path)).toEqual(['api/me.yaml', 'auth/login.yaml'])
    const me = plan.value.steps[0]
    expect(me?.auth).toEqual({ type: 'bearer', token: '{{token}}' })
    expect(me?.dependsOn).toEqual(['auth/login.yaml'])
    expect(me?.variables?.get('user')).toBe('ada')
    expect(me?.variables?.get('base')).toBe(server.url)
    // Templates are left for the runner: the token only exists once Login has run.
    expect(me?.request.url).toBe('{{base}}/me')
    const one = await planRun(service.collections, dir, 'flaky/retry', undefined)
    expect(one.ok && one.value.steps.map((s) => s.name)).toEqual(['Flaky'])
  })

  it('refuses an unknown environment, a missing path and a bad data file with a reason', async () => {
    const env = await service.invoke('run.start', {
      dir,
      path: '',
      env: 'nope',
      concurrency: 1,
      iterations: 1,
    })
    expect(!env.ok && env.error.message).toMatch(/No environment "nope".*local, other/)
    const path = await service.invoke('run.start', { dir, path: 'nowhere', concurrency: 1, iterations: 1 })
    expect(!path.ok && path.error.code).toBe('not_found')
    const csv = join(dir, '..', `bad-${Date.now()}.csv`)
    writeFileSync(csv, 'name,city\n"ada,London\n')
    const data = await service.invoke('run.start', {
      dir,
      path: 'data',
      concurrency: 1,
      iterations: 1,
      dataFile: csv,
    })
    expect(!data.ok && data.error.message).toMatch(/line 2: a quoted field is never closed/)
    rmSync(csv)
    const bad = await service.invoke('run.start', { dir, path: '', concurrency: 0, iterations: 1 })
    expect(!bad.ok && bad.error.code).toBe('bad_payload')
  })

  it('refuses dependency cycles and dependencies that are not in the collection, naming them', async () => {
    const other = mkdtempSync(join(tmpdir(), 'fd-run-deps-'))
    try {
      writeFileSync(join(other, 'collection.yaml'), 'flightdeck: 1\nname: Deps\n')
      mkdirSync(join(other, 'cyc'))
      writeFileSync(join(other, 'cyc', 'a.yaml'), 'name: A\nurl: http://127.0.0.1:9/\ndependsOn: ./b\n')
      writeFileSync(
        join(other, 'cyc', 'b.yaml'),
        'name: B\nurl: http://127.0.0.1:9/\ndependsOn: cyc/a.yaml\n',
      )
      mkdirSync(join(other, 'broken'))
      writeFileSync(join(other, 'broken', 'ok.yaml'), 'name: Ok\nurl: http://127.0.0.1:9/\n')
      writeFileSync(
        join(other, 'broken', 'bad.yaml'),
        'name: Bad\nurl: http://127.0.0.1:9/\nassertions:\n  - kind: nope\n',
      )
      writeFileSync(join(other, 'lost.yaml'), 'name: Lost\nurl: http://127.0.0.1:9/\ndependsOn: ../outside\n')
      const cycle = await service.invoke('run.start', {
        dir: other,
        path: 'cyc',
        concurrency: 1,
        iterations: 1,
      })
      expect(!cycle.ok && cycle.error.message).toMatch(/cycle: (A → B → A|B → A → B)/)
      // A request file that does not parse is not silently left out of the run: it fails, named, and the rest runs.
      const broken = await service.invoke('run.start', {
        dir: other,
        path: 'broken',
        concurrency: 1,
        iterations: 1,
      })
      if (!broken.ok) throw new Error(broken.error.message)
      await service.waitForRun(broken.value.runId)
      const snap = service.runSnapshot(broken.value.runId)
      if (!snap.ok) throw new Error(snap.error.message)
      expect(snap.value.failed).toBe(2)
      expect(snap.value.results.map((r) => [r.path, r.error?.code])).toEqual([
        ['broken/bad.yaml', 'parse'],
        ['broken/ok.yaml', 'refused'],
      ])
      expect(snap.value.results[0]?.error?.message).toMatch(/^broken\/bad\.yaml line 4: assertions\.0/)
      const lost = await service.invoke('run.start', {
        dir: other,
        path: 'lost',
        concurrency: 1,
        iterations: 1,
      })
      expect(!lost.ok && lost.error.message).toBe(
        'lost.yaml: dependsOn "../outside" is not a request in this collection',
      )
    } finally {
      await service.invoke('collection.close', { dir: other })
      rmSync(other, { recursive: true, force: true })
    }
  })
})

describe('run.start', () => {
  it('chains login → token → folder bearer auth, retries 503s, and reports progress and stats', async () => {
    const { runId, total, events, last, times } = await run({
      path: '',
      env: 'local',
      concurrency: 2,
      iterations: 3,
    })
    const all = events.flatMap((e) => e.results)
    const http = all.filter((r) => !r.path.startsWith('streams/'))
    expect(total).toBe(9 * 3)
    expect(last.done).toBe(all.length)
    const me = all.filter((r) => r.path === 'api/me.yaml')
    expect(me).toHaveLength(3)
    expect(me.every((r) => r.passed && r.status === 200)).toBe(true)
    expect(server.headers('/me').map((h) => h.authorization)).toContain('Bearer tok-ada')
    const flaky = all.filter((r) => r.path === 'flaky/retry.yaml')
    expect(flaky.map((r) => [r.attempts, r.status, r.passed])).toEqual([
      [3, 200, true],
      [3, 200, true],
      [3, 200, true],
    ])
    // Fails fails; greet has no data row, so its variables are unknown and it never goes out.
    const fails = all.find((r) => r.path === 'failing/fails.yaml')
    expect(fails?.assertions).toEqual([
      { name: 'status equals 200', passed: false, message: 'status 500 is not 200' },
    ])
    const greet = all.find((r) => r.path === 'data/greet.yaml')
    expect(greet?.error).toEqual({
      code: 'unknown_variable',
      message: 'Unknown variables {{name}}, {{city}}',
    })
    expect(
      http
        .filter((r) => !r.passed)
        .map((r) => r.path)
        .sort(),
    ).toEqual([
      'data/greet.yaml',
      'data/greet.yaml',
      'data/greet.yaml',
      'failing/fails.yaml',
      'failing/fails.yaml',
      'failing/fails.yaml',
    ])
    // Progress: at most one event per 100 ms (the last one may follow sooner), counts that only grow.
    for (let i = 1; i < events.length - 1; i++) {
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(90)
      expect(events[i]?.done ?? 0).toBeGreaterThan(events[i - 1]?.done ?? 0)
    }
    expect(last.passed + last.failed).toBe(last.done)
    const f = last.finished
    expect(f?.cancelled).toBe(false)
    expect(f?.stats.total).toBe(last.done)
    expect(f?.stats.p50).toBeLessThanOrEqual(f?.stats.p90 ?? 0)
    expect(f?.stats.p99).toBeLessThanOrEqual(f?.stats.max ?? 0)
    // The histogram times the responses; a step that got none has no latency.
    expect(f?.stats.histogram.reduce((a, b) => a + b.count, 0)).toBe(f?.stats.responses)
    expect(f?.throughput.reduce((a, b) => a + b.rps, 0)).toBe(last.done)
    const snap = await service.invoke('run.get', { runId })
    if (!snap.ok) throw new Error(snap.error.message)
    expect(snap.value.state).toBe('finished')
    const perMe = snap.value.requests.find((r) => r.path === 'api/me.yaml')
    expect([perMe?.passed, perMe?.failed]).toEqual([3, 0])
    expect(perMe?.max).toBeGreaterThan(0)
  })

  it('SSE and WebSocket steps stop on their condition', async () => {
    const { last, events } = await run({ path: 'streams', env: 'local' })
    const all = events.flatMap((e) => e.results)
    const ticks = all.find((r) => r.path === 'streams/ticks.yaml')
    expect(ticks?.passed).toBe(true)
    expect(ticks?.status).toBe(200)
    expect(ticks?.assertions.map((a) => a.message)).toEqual(['status 200 is as expected', '3 messages'])
    const socket = all.find((r) => r.path === 'streams/socket.yaml')
    expect(socket?.error).toBeUndefined()
    expect(socket?.passed).toBe(true)
    expect(socket?.status).toBe(101)
    // The server closed after 2 events: a count of 5 was never reached, and the step says so.
    const short = all.find((r) => r.path === 'streams/short.yaml')
    expect(short?.passed).toBe(false)
    expect(short?.error?.message).toBe('the stream ended with 2 messages, before 5 messages')
    expect(last.done).toBe(3)
  })

  it('data file rows feed variables, one pass per iteration', async () => {
    // A relative data file is read from the collection folder.
    writeFileSync(join(dir, 'people.csv'), 'name,city\r\nada,"London, UK"\r\n"bob ""b""",Paris\r\n')
    server.urls('/echo').length = 0
    const { last } = await run({ path: 'data', concurrency: 1, iterations: 2, dataFile: 'people.csv' })
    expect(last.done).toBe(4)
    expect(last.passed).toBe(4)
    const seen = server.urls('/echo').map((u) => new URL(u, 'http://x').searchParams)
    expect(seen.map((q) => `${q.get('name')}|${q.get('city')}`)).toEqual([
      'ada|London, UK',
      'bob "b"|Paris',
      'ada|London, UK',
      'bob "b"|Paris',
    ])
  })

  it('bails after the first failure', async () => {
    const { last, total } = await run({ path: 'failing', concurrency: 1, iterations: 50, bail: true })
    expect(total).toBe(50)
    expect(last.finished?.bailed).toBe(true)
    expect(last.done).toBeLessThan(50)
    expect(last.failed).toBe(last.done)
  })

  it('cancels a run: no new requests start, and the last event says cancelled', async () => {
    let cancelled: Promise<unknown> | null = null
    const { last, total, runId, events } = await run(
      { path: 'slow', concurrency: 2, iterations: 500 },
      (id, events) => {
        if (!cancelled && events.length >= 1) cancelled = service.invoke('run.cancel', { runId: id })
      },
    )
    expect(await cancelled).toEqual({ ok: true, value: { cancelled: true } })
    expect(total).toBe(500)
    expect(last.finished?.cancelled).toBe(true)
    expect(last.done).toBeLessThan(500)
    // The requests in flight at the cancel were cancelled, not waited for.
    const all = events.flatMap((e) => e.results)
    expect(all.some((r) => r.error?.code === 'cancelled')).toBe(true)
    const again = await service.invoke('run.cancel', { runId })
    expect(again).toEqual({ ok: true, value: { cancelled: false } })
    const unknown = await service.invoke('run.get', { runId: 'r999' })
    expect(!unknown.ok && unknown.error.code).toBe('not_found')
  })
})

describe('names on the timeline', () => {
  it("a run's rows and a send from a request file carry the saved request's name; a loose send none", async () => {
    const queued = new Map<string, string | undefined>()
    const off = service.subscribe((batch) => {
      for (const e of batch.events) if (e.type === 'queued') queued.set(e.sid, e.name)
    })
    try {
      const r = await run({ path: 'flaky' })
      const sids = r.last.results.flatMap((x) => (x.sid ? [x.sid] : []))
      expect(sids).toHaveLength(1)
      service.flush()
      // Every attempt of the retried step (three 503s, then the 200) is named after the request.
      const named = [...queued.values()].filter((n) => n === 'Flaky')
      expect(named).toHaveLength(3)

      const request = {
        method: 'GET',
        url: `${server.url}/slow?ms=1`,
        headers: [],
        body: { kind: 'none' as const },
        options: {},
      }
      const fromFile = await service.invoke('request.send', {
        request,
        auth: { type: 'inherit' },
        context: { dir, path: 'slow/slow.yaml' },
      })
      const loose = await service.invoke('request.send', { request, auth: { type: 'none' } })
      if (!fromFile.ok || !loose.ok) throw new Error('send refused')
      await service.http.waitFor(fromFile.value.sids[0] as string)
      await service.http.waitFor(loose.value.sids[0] as string)
      service.flush()
      expect(queued.get(fromFile.value.sids[0] as string)).toBe('Slow')
      expect(queued.has(loose.value.sids[0] as string)).toBe(true)
      expect(queued.get(loose.value.sids[0] as string)).toBeUndefined()

      // Follow job from a saved request: the job's row is named after it too.
      const jobs = await startJobServer()
      try {
        const job = await service.invoke('job.follow', {
          request: { ...request, method: 'POST', url: `${jobs.url}/jobs?polls=1` },
          auth: { type: 'inherit' },
          context: { dir, path: 'slow/slow.yaml' },
          follow: FOLLOW_JOB,
        })
        if (!job.ok) throw new Error(job.error.message)
        await service.http.waitFor(job.value.sid)
        service.flush()
        expect(queued.get(job.value.sid)).toBe('Slow')
      } finally {
        await jobs.close()
      }
    } finally {
      off()
    }
  })
})
