import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../../src/engine/service'
import type { RequestSpec } from '../../../src/shared/request'
import type { ScriptPhaseReport } from '../../../src/shared/scripts'
import type { ScriptEvent, TimelineEvent } from '../../../src/shared/timeline'
import { makeService } from '../helpers'

/**
 * Big request and response bodies against scripts that do not read them (they pass, whatever the size, with the
 * default 64 MB sandbox), that read them (a body that fits is seen exactly; one that does not is refused in words
 * naming the body and the limit), through the send path with a real server on 127.0.0.1.
 */

const MB = 1024 * 1024
/** What one send may spend waiting for its scripts' reports: CPU time of this process, and a wall ceiling for a hang. */
const SEND_CPU_MS = 30_000
const SEND_WALL_MS = 240_000
/** A case's vitest timeout: room for three sends at the wall ceiling (the first cases send three bodies each). */
const CASE_TIMEOUT_MS = 3 * SEND_WALL_MS + 30_000

/** CPU time this process (the test, the engine, its script workers, the server) has used, in ms. */
function processCpuMs(): number {
  const used = process.cpuUsage()
  return (used.user + used.system) / 1000
}
let server: Server
let base: string
let service: EngineService
let configDir: string
const events: TimelineEvent[] = []

/** The same text the scripts build for themselves: a 1 MB body of mixed characters (a multi-byte one too). */
const MIXED = "'ab\\u00e9\\u20ac\\n'.repeat(200000)"
const mixed = 'ab\u00e9\u20ac\n'.repeat(200000)

beforeAll(async () => {
  server = createServer((req, res) => {
    let n = 0
    req.on('data', (c: Buffer) => (n += c.length))
    req.on('end', () => {
      const size = /^\/big\/(\d+)$/.exec(req.url ?? '')
      if (size) {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end(Buffer.alloc(Number(size[1]) * MB, 'y'))
        return
      }
      if (req.url === '/mixed') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(mixed))
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ bytes: n, marked: req.headers['x-marked'] ?? null }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  configDir = mkdtempSync(join(tmpdir(), 'fd-script-big-body-'))
  service = makeService({ configDir })
  service.subscribe((b) => events.push(...b.events))
})

afterAll(async () => {
  await service.dispose()
  await new Promise((r) => server.close(r))
  rmSync(configDir, { recursive: true, force: true })
})

/**
 * A send's script reports, once its test script's has come. The engine, its script workers and the server all
 * run in this process, so the wait is bounded by the CPU time the process spends (a send of the biggest body here
 * takes about 2 s of it): at load 20-27 a send took over 60 s of wall time waiting for a core. A hang spends
 * almost no CPU and fails on the wall ceiling.
 */
async function phases(sid: string): Promise<{ pre?: ScriptPhaseReport; post: ScriptPhaseReport }> {
  const cpuStart = processCpuMs()
  const wallStart = Date.now()
  for (;;) {
    const mine = events.filter((e): e is ScriptEvent => e.type === 'script' && e.sid === sid)
    const post = mine.find((e) => e.report.phase === 'post')
    if (post) {
      const pre = mine.find((e) => e.report.phase === 'pre')
      return { ...(pre ? { pre: pre.report } : {}), post: post.report }
    }
    const cpu = processCpuMs() - cpuStart
    const wall = Date.now() - wallStart
    if (cpu > SEND_CPU_MS || wall > SEND_WALL_MS) {
      throw new Error(
        `no test-script event for ${sid} after ${Math.round(cpu)} ms of CPU time, ${wall} ms of wall time`,
      )
    }
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function sendWith(
  request: RequestSpec,
  pre: string,
  test: string,
): Promise<{ pre?: ScriptPhaseReport; post: ScriptPhaseReport }> {
  const sent = await service.invoke('request.send', {
    request,
    auth: { type: 'none' },
    scripts: { preRequest: pre, test, translated: false },
  })
  if (!sent.ok) throw new Error(sent.error.message)
  return phases(sent.value.sids[0] as string)
}

function post(text: string): RequestSpec {
  return {
    method: 'POST',
    url: `${base}/echo`,
    headers: [],
    body: { kind: 'text', text, contentType: 'text/plain' },
    options: {},
  }
}

const STATUS_ONLY = "pm.test('ok', () => pm.response.to.have.status(200))"

function passed(r: ScriptPhaseReport | undefined): string {
  return JSON.stringify({ failure: r?.failure?.message, tests: r?.tests.map((t) => [t.name, t.passed]) })
}

describe('big bodies and scripts that do not read them', () => {
  it(
    'a request body of 8, 48 and 60 MB (the most a text body may be is 64 MB): a pre-request log and a status-only test run',
    async () => {
      for (const mb of [8, 48, 60]) {
        const before = process.memoryUsage().rss
        const r = await sendWith(post('x'.repeat(mb * MB)), "console.log('pre')", STATUS_ONLY)
        const grew = Math.round((process.memoryUsage().rss - before) / MB)
        console.log(`${mb} MB request body, scripts not reading it: rss +${grew} MB`)
        expect(r.pre?.failure, `${mb} MB`).toBeUndefined()
        expect(r.pre?.console.map((l) => l.text)).toEqual(['pre'])
        expect(passed(r.post), `${mb} MB`).toBe(JSON.stringify({ tests: [['ok', true]] }))
      }
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'a response body of 8, 48 and 100 MB: a status-only test runs',
    async () => {
      for (const mb of [8, 48, 100]) {
        const r = await sendWith(
          { method: 'GET', url: `${base}/big/${mb}`, headers: [], body: { kind: 'none' }, options: {} },
          '',
          STATUS_ONLY,
        )
        expect(passed(r.post), `${mb} MB`).toBe(JSON.stringify({ tests: [['ok', true]] }))
      }
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'a held-back request body naming {{$randomEmail}}: replaceIn of it gives an email (the fake-data library is loaded for it)',
    async () => {
      // Past 64 KB the body stays out of the phase's state, so only the body itself names the random-data variable;
      // no other case of this file names one, so the sandbox's worker has not loaded the library before this.
      const r = await sendWith(
        post(`{{$randomEmail}} ${'x'.repeat(100_000)}`),
        "pm.variables.set('head', pm.variables.replaceIn(pm.request.body.raw).slice(0, 80))",
        "pm.test('an email', () => pm.expect(pm.variables.get('head')).to.match(/^[^\\s@{}]+@[^\\s@{}]+\\.[a-z]{2,} x/i))",
      )
      expect(r.pre?.failure).toBeUndefined()
      expect(passed(r.post)).toBe(JSON.stringify({ tests: [['an email', true]] }))
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'a pre-request script that changes a header but not the 48 MB body: the body goes out whole',
    async () => {
      const r = await sendWith(
        post('x'.repeat(48 * MB)),
        "pm.request.headers.add({ key: 'x-marked', value: 'yes' })",
        "pm.test('whole', () => pm.expect(pm.response.json()).to.eql({ bytes: 48 * 1024 * 1024, marked: 'yes' }))",
      )
      expect(r.pre?.failure).toBeUndefined()
      expect(passed(r.post)).toBe(JSON.stringify({ tests: [['whole', true]] }))
    },
    CASE_TIMEOUT_MS,
  )
})

describe('big bodies a script reads', () => {
  it(
    'a 48 MB request body read by a test script: refused in words naming the body and the limit',
    async () => {
      const r = await sendWith(post('x'.repeat(48 * MB)), '', 'console.log(pm.request.body.raw.length)')
      expect(r.post.failure?.message).toBe(
        `test script of request "${base}/echo": RangeError: the request body (48.0 MB) does not fit in the script's 64 MB memory: ` +
          'a script reads a request body of up to 16.0 MB, a quarter of its memory (a fixed limit); the request went ' +
          'out whole, and the timeline has its body',
      )
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'an 8 MB response body read by a test script: refused in words, not cut to its first 4 MB',
    async () => {
      const r = await sendWith(
        { method: 'GET', url: `${base}/big/8`, headers: [], body: { kind: 'none' }, options: {} },
        '',
        "pm.test('length', () => pm.expect(pm.response.text().length).to.be.above(0))",
      )
      expect(r.post.failure).toBeUndefined()
      expect(r.post.tests[0]?.passed).toBe(false)
      expect(r.post.tests[0]?.error).toBe(
        "RangeError: the response body (8.0 MB) does not fit in the script's 64 MB memory: a script reads a response body of up " +
          'to 4.0 MB (a fixed limit); the response came in whole, and the timeline has its body',
      )
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'a 12 MB request body read, then split past the heap: the memory stop names the body it read',
    async () => {
      const r = await sendWith(post('x'.repeat(12 * MB)), '', "var parts = pm.request.body.raw.split('')")
      expect(r.post.failure?.message).toBe(
        `test script of request "${base}/echo": memory over 64 MB: the script was stopped (it had read the request body, 12.0 MB)`,
      )
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'a pm.sendRequest answered with an 8 MB body: reading it says why, not an empty text',
    async () => {
      const r = await sendWith(
        { method: 'GET', url: `${base}/echo`, headers: [], body: { kind: 'none' }, options: {} },
        '',
        [
          `pm.sendRequest('${base}/big/8', (err, res) => {`,
          '  try { console.log(res.code, res.text().length) } catch (e) { console.log(e.message) }',
          '})',
        ].join('\n'),
      )
      expect(r.post.failure).toBeUndefined()
      expect(r.post.console.map((l) => l.text)).toEqual([
        "the response body (8.0 MB) does not fit in the script's 64 MB memory: a script reads a response body of up " +
          'to 4.0 MB (a fixed limit); the response came in whole, and the timeline has its body',
      ])
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'a 1 MB request body and a 1 MB response body read: seen exactly (pre-request, test, Bruno and legacy)',
    async () => {
      const r = await sendWith(
        { ...post(JSON.stringify(mixed)), url: `${base}/mixed` },
        `pm.test('pre sees it', () => pm.expect(pm.request.body.raw === JSON.stringify(${MIXED})).to.be.true)`,
        [
          `var want = ${MIXED}`,
          "pm.test('request', () => pm.expect(pm.request.body.raw === JSON.stringify(want)).to.be.true)",
          "pm.test('text', () => pm.expect(pm.response.text() === JSON.stringify(want)).to.be.true)",
          "pm.test('json', () => pm.expect(pm.response.json() === want).to.be.true)",
          "pm.test('res', () => pm.expect(res.getBody() === want).to.be.true)",
          "pm.test('responseBody', () => pm.expect(responseBody === JSON.stringify(want)).to.be.true)",
        ].join('\n'),
      )
      expect(passed(r.pre)).toBe(JSON.stringify({ tests: [['pre sees it', true]] }))
      expect(passed(r.post)).toBe(
        JSON.stringify({
          tests: [
            ['request', true],
            ['text', true],
            ['json', true],
            ['res', true],
            ['responseBody', true],
          ],
        }),
      )
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'a pre-request script that rewrites a read 1 MB body: the new body goes out',
    async () => {
      const r = await sendWith(
        post('z'.repeat(MB)),
        "pm.request.body.update(pm.request.body.raw + 'tail')",
        "pm.test('sent', () => pm.expect(pm.response.json().bytes).to.equal(1024 * 1024 + 4))",
      )
      expect(passed(r.post)).toBe(JSON.stringify({ tests: [['sent', true]] }))
    },
    CASE_TIMEOUT_MS,
  )
})

/** A url-encoded form of `n` fields of `size` characters (a field's value is at most 1 MB), and what it encodes to. */
function form(n: number, size = MB): { request: RequestSpec; bytes: number } {
  const fields = Array.from({ length: n }, (_, i) => ({
    name: `f${i}`,
    value: 'x'.repeat(size),
    enabled: true,
  }))
  const bytes = fields.reduce((sum, f) => sum + f.name.length + 1 + f.value.length, 0) + n - 1
  return {
    request: {
      method: 'POST',
      url: `${base}/echo`,
      headers: [],
      body: { kind: 'form', fields },
      options: {},
    },
    bytes,
  }
}

describe('big url-encoded forms, and an unread body in words', () => {
  it(
    'a 30 MB form: a pre-request log of pm.request says its size in words, a status-only test runs, it goes out whole',
    async () => {
      const { request, bytes } = form(30)
      const r = await sendWith(
        request,
        'console.log(pm.request)',
        `pm.test('whole', () => pm.expect(pm.response.json().bytes).to.equal(${bytes}))`,
      )
      expect(r.pre?.failure).toBeUndefined()
      expect(r.pre?.console[0]?.text).toContain(
        '"body":{"mode":"urlencoded","urlencoded":"<body of 30.0 MB, not read by the script>"}',
      )
      expect(passed(r.post)).toBe(JSON.stringify({ tests: [['whole', true]] }))
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'a 48 MB raw body logged with pm.request: its size in words, not an internal placeholder',
    async () => {
      const r = await sendWith(post('x'.repeat(48 * MB)), 'console.log(pm.request)', STATUS_ONLY)
      expect(r.pre?.console[0]?.text).toContain(
        '"body":{"mode":"raw","raw":"<body of 48.0 MB, not read by the script>","language":"text","contentType":"text/plain"}',
      )
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'a 30 MB form read by a test script: refused in the body words',
    async () => {
      const r = await sendWith(
        form(30).request,
        '',
        "console.log(pm.request.body.urlencoded.get('f1').length)",
      )
      expect(r.post.failure?.message).toMatch(
        /^test script of request ".*": RangeError: the request body \(30\.0 MB\) does not fit in the script's 64 MB memory: a script reads a request body of up to 16\.0 MB/,
      )
    },
    CASE_TIMEOUT_MS,
  )

  it(
    'a 300 KB form (past the 64 KB sent inline) read by pre-request and test scripts: its fields seen exactly, a field changed goes out',
    async () => {
      const size = 100_000
      const { request, bytes } = form(3, size)
      const r = await sendWith(
        request,
        [
          `pm.test('pre sees it', () => pm.expect(pm.request.body.urlencoded.get('f2') === 'x'.repeat(${size})).to.be.true)`,
          "pm.request.body.urlencoded.upsert({ key: 'f0', value: 'short' })",
        ].join('\n'),
        [
          "pm.test('fields', () => pm.expect(pm.request.body.urlencoded.count()).to.equal(3))",
          `pm.test('text', () => pm.expect(pm.request.body.toString().length).to.equal(${bytes - size + 5}))`,
          `pm.test('sent', () => pm.expect(pm.response.json().bytes).to.equal(${bytes - size + 5}))`,
        ].join('\n'),
      )
      expect(passed(r.pre)).toBe(JSON.stringify({ tests: [['pre sees it', true]] }))
      expect(passed(r.post)).toBe(
        JSON.stringify({
          tests: [
            ['fields', true],
            ['text', true],
            ['sent', true],
          ],
        }),
      )
    },
    CASE_TIMEOUT_MS,
  )
})
