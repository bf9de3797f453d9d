import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { REQUEST_KEYS } from '../../src/engine/collections/collection-file-format'
import { requestPlain } from '../../src/engine/collections/collection-file-write'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { renderYaml } from '../../src/engine/collections/yaml-doc'
import { mentionsWebhook, planRun } from '../../src/engine/runner/plan'
import { summarize } from '../../src/engine/runner/run-summary'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import { WebhookInbox, type WebhookCall } from '../../src/engine/webhooks/webhook-inbox'
import { WEBHOOK_NOT_RUNNING } from '../../src/shared/async-schemas'
import type { SavedRequest } from '../../src/shared/collection'
import type { TimelineEvent } from '../../src/shared/timeline'
import { startCallbackServer, type CallbackServer } from '../fixtures/callback-server'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { makeService, spec } from './helpers'

/** `waitForWebhook`: a run step that waits for the callback its request asked for, against real servers. */

let callbacks: CallbackServer
let fixture: Fixture
let service: EngineService
let inbox: WebhookInbox
const seen: WebhookCall[] = []

beforeAll(async () => {
  callbacks = await startCallbackServer()
  fixture = await startHttpServer()
  service = makeService({ watchCollections: false, persistWorkspace: false })
  inbox = new WebhookInbox({ clock: service.clock, bodies: service.http.bodies })
  await inbox.start()
  inbox.onCall((c) => seen.push(c))
})
afterAll(async () => {
  await inbox.stop()
  await service.dispose()
  await callbacks.close()
  await fixture.close()
})

/** POST /subscribe with `{{$webhook}}` as the callback; the server calls it back after `delay` ms. */
function subscribeStep(id: string, event: string, delay: number, extra: Partial<RunStep> = {}): RunStep {
  return {
    id,
    name: id,
    request: spec(`${callbacks.url}/subscribe?delay=${delay}`, {
      method: 'POST',
      body: { kind: 'json', text: `{"callback": "{{$webhook}}", "event": "${event}"}` },
    }),
    assertions: [{ kind: 'status', equals: 202 }],
    extract: [],
    ...extra,
  }
}

describe('runner: waitForWebhook', { timeout: 20_000 }, () => {
  it('waits for the delayed callback, checks it, links it to the request and extracts from it', async () => {
    const first = subscribeStep('build', 'built', 150, {
      waitForWebhook: {
        timeoutMs: 2000,
        assertions: [
          { kind: 'method', equals: 'post' },
          { kind: 'path', equals: '/done' },
          { kind: 'header', name: 'x-signature', equals: 'sig-123' },
          { kind: 'json', path: '$.event', equals: 'built' },
        ],
        extract: [{ name: 'event', from: 'json', path: '$.event' }],
      },
    })
    // The value taken from the first call feeds the second request, whose own callback proves it arrived.
    const second = subscribeStep('deploy', '{{event}}-deployed', 20, {
      dependsOn: ['build'],
      waitForWebhook: {
        timeoutMs: 2000,
        assertions: [{ kind: 'json', path: '$.event', equals: 'built-deployed' }],
      },
    })
    const report = await runSteps(service.http, [first, second], {
      concurrency: 2,
      iterations: 1,
      webhooks: inbox,
    })
    const byId = new Map(report.results.map((r) => [r.stepId, r]))
    const build = byId.get('build')
    expect(build?.status).toBe(202)
    expect(build?.webhook?.assertions.map((a) => [a.passed, a.message])).toEqual([
      [true, 'webhook: method POST'],
      [true, 'webhook: path "/done"'],
      [true, 'webhook: header x-signature is "sig-123"'],
      [true, 'webhook: $.event is "built"'],
    ])
    expect(build?.passed).toBe(true)
    expect(byId.get('deploy')?.passed).toBe(true)
    // The call is a session of its own, owned by the step's request: what the timeline draws as its cause.
    const call = seen.find((c) => c.id === build?.webhook?.call?.id)
    expect(call?.owner).toBe(build?.sids[0])
    expect(call?.query).toBe('attempt=1')
    expect(build?.webhook?.call?.waitedMs).toBeGreaterThanOrEqual(0)
    // What the app and the CLI show: the wait as a passed check, then the checks on the call.
    const summary = summarize(build ?? report.results[0]!)
    expect(summary.webhook).toMatchObject({
      timeoutMs: 2000,
      callSid: call?.id,
      method: 'POST',
      path: '/done',
    })
    expect(summary.assertions.map((a) => a.name)).toEqual([
      'status equals 202',
      'webhook call within 2000 ms',
      'webhook method equals post',
      'webhook path equals "/done"',
      'webhook header x-signature equals "sig-123"',
      'webhook $.event equals "built"',
    ])
    expect(summary.assertions[1]?.message).toMatch(/^webhook POST \/done came \d+ ms after the response$/)
  })

  it('a failed check on the call fails the step with its message', async () => {
    const report = await runSteps(
      service.http,
      [
        subscribeStep('wrong', 'other', 20, {
          waitForWebhook: {
            timeoutMs: 2000,
            assertions: [{ kind: 'json', path: '$.event', equals: 'built' }],
          },
        }),
      ],
      { concurrency: 1, iterations: 1, webhooks: inbox },
    )
    const r = report.results[0]
    expect(r?.passed).toBe(false)
    expect(r?.error).toBeUndefined()
    expect(r?.webhook?.assertions[0]?.message).toBe('webhook: $.event is "other", expected "built"')
  })

  it('no call within the timeout fails the step (the request itself still answered)', async () => {
    // The fixture answers 200 and never calls back.
    const step: RunStep = {
      id: 'silent',
      name: 'Silent',
      request: spec(`${fixture.url}/hello`, {
        headers: [{ name: 'x-callback', value: '{{$webhook}}', enabled: true }],
      }),
      assertions: [],
      extract: [],
      waitForWebhook: { timeoutMs: 300 },
    }
    const report = await runSteps(service.http, [step], { concurrency: 1, iterations: 1, webhooks: inbox })
    const r = report.results[0]
    expect(r?.status).toBe(200)
    expect(r?.passed).toBe(false)
    expect(r?.error).toBeUndefined()
    expect(r?.webhook?.missed).toBe('No webhook call within 300 ms')
    const summary = summarize(r!)
    expect(summary.assertions.find((a) => !a.passed)).toEqual({
      name: 'webhook call within 300 ms',
      passed: false,
      message: 'No webhook call within 300 ms',
    })
    expect(report.stats.errors).toBe(0)
  })

  it('a call the inbox cut is named in the step that waited for it (the CLI prints it)', async () => {
    // Answers 200 once it has called the x-callback URL the way a broken sender does: 10 of 1,000 bytes, gone.
    const sender = createServer((req, res) => {
      const target = new URL(String(req.headers['x-callback']))
      const s = connect(Number(target.port), target.hostname, () =>
        s.end(`POST ${target.pathname} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789`),
      )
      s.on('error', () => undefined)
      s.on('close', () => res.end('sent'))
    })
    await new Promise<void>((r) => sender.listen(0, '127.0.0.1', r))
    try {
      const step: RunStep = {
        id: 'broken',
        name: 'Broken sender',
        request: spec(`http://127.0.0.1:${(sender.address() as AddressInfo).port}/`, {
          headers: [{ name: 'x-callback', value: '{{$webhook}}', enabled: true }],
        }),
        assertions: [],
        extract: [],
        waitForWebhook: { timeoutMs: 300 },
      }
      const report = await runSteps(service.http, [step], { concurrency: 1, iterations: 1, webhooks: inbox })
      expect(report.results[0]?.webhook?.missed).toBe(
        'No webhook call within 300 ms (a call from 127.0.0.1 was cut: it hung up after 10 B of its body of 1000 B)',
      )
    } finally {
      await new Promise((r) => sender.close(r))
    }
  })

  it('calls to URLs the inbox did not give out during the wait are named when it ends empty (a stale URL)', async () => {
    // Answers 200 once it has called an old URL of the same inbox twice (each answered 404), as a service
    // holding a stale callback URL does.
    const sender = createServer((req, res) => {
      const origin = new URL(String(req.headers['x-callback'])).origin
      const post = (): Promise<Response> => fetch(`${origin}/hooks/staleToken12345/done`, { method: 'POST' })
      void post()
        .then(post)
        .then(() => res.end('sent'))
        .catch(() => res.end('failed'))
    })
    await new Promise<void>((r) => sender.listen(0, '127.0.0.1', r))
    try {
      const step: RunStep = {
        id: 'stale',
        name: 'Stale sender',
        request: spec(`http://127.0.0.1:${(sender.address() as AddressInfo).port}/`, {
          headers: [{ name: 'x-callback', value: '{{$webhook}}', enabled: true }],
        }),
        assertions: [{ kind: 'body-contains', text: 'sent' }],
        extract: [],
        waitForWebhook: { timeoutMs: 300 },
      }
      const report = await runSteps(service.http, [step], { concurrency: 1, iterations: 1, webhooks: inbox })
      expect(report.results[0]?.assertions[0]?.passed).toBe(true)
      expect(report.results[0]?.webhook?.missed).toBe(
        'No webhook call within 300 ms; 2 calls reached URLs this inbox did not give out (the first: /hooks/staleToken12345/done): a stale URL?',
      )
    } finally {
      await new Promise((r) => sender.close(r))
    }
  })

  it('cancelling the run ends the wait', async () => {
    const controller = new AbortController()
    const step: RunStep = {
      id: 'waiting',
      name: 'Waiting',
      request: spec(`${fixture.url}/hello`, {
        headers: [{ name: 'x-callback', value: '{{$webhook}}', enabled: true }],
      }),
      assertions: [],
      extract: [],
      waitForWebhook: { timeoutMs: 2000 },
    }
    // Cancel once the response is in, so the wait has begun (this is the only request in flight).
    const off = service.subscribe((b) => {
      if (b.events.some((e) => e.type === 'done')) controller.abort()
    })
    try {
      const report = await runSteps(service.http, [step], {
        concurrency: 1,
        iterations: 1,
        webhooks: inbox,
        signal: controller.signal,
      })
      expect(report.cancelled).toBe(true)
      expect(report.results[0]?.status).toBe(200)
      expect(report.results[0]?.webhook?.missed).toBe('Cancelled while waiting for a webhook call')
    } finally {
      off()
    }
  })

  it('without an inbox, {{$webhook}} refuses the step with what to do', async () => {
    const step = subscribeStep('no-inbox', 'x', 20, { waitForWebhook: { timeoutMs: 500 } })
    const report = await runSteps(service.http, [step], { concurrency: 1, iterations: 1 })
    expect(report.results[0]?.error).toEqual({ code: 'unknown_variable', message: WEBHOOK_NOT_RUNNING })
  })
})

describe('request files: waitForWebhook', () => {
  const FILE = `name: Build
method: POST
url: "{{base}}/subscribe"
body:
  kind: json
  text: '{"callback": "{{$webhook}}"}'
assertions:
  - kind: status
    equals: 202
waitForWebhook:
  timeoutMs: 2000
  assertions:
    - kind: method
      equals: POST
    - kind: json
      path: $.event
      equals: done
    - kind: header
      name: x-signature
      equals: sig-123
  extract:
    - name: event
      from: json
      path: $.event
`
  const parse = (text: string): SavedRequest => {
    const r = parseRequestText(text, 'stem')
    if (!r.ok) throw new Error(`line ${r.problem.line}: ${r.problem.message}`)
    return r.value
  }
  const problem = (text: string): { line: number; message: string } => {
    const r = parseRequestText(text, 'stem')
    if (r.ok) throw new Error('expected a problem')
    return r.problem
  }

  it('reads and writes back byte-identical, in canonical order; absent stays absent', () => {
    const req = parse(FILE)
    expect(req.waitForWebhook).toEqual({
      timeoutMs: 2000,
      assertions: [
        { kind: 'method', equals: 'POST' },
        { kind: 'json', path: '$.event', equals: 'done' },
        { kind: 'header', name: 'x-signature', equals: 'sig-123' },
      ],
      extract: [{ name: 'event', from: 'json', path: '$.event' }],
    })
    expect(renderYaml(requestPlain(req), null, REQUEST_KEYS)).toBe(FILE)
    // Keys written in another order come back in the canonical one.
    const reordered = parse(
      'name: B\nurl: x\nwaitForWebhook:\n  extract:\n    - path: $.a\n      from: json\n      name: a\n  timeoutMs: 5\n',
    )
    expect(renderYaml(requestPlain(reordered), null, REQUEST_KEYS)).toBe(
      'name: B\nmethod: GET\nurl: x\nwaitForWebhook:\n  timeoutMs: 5\n  extract:\n    - name: a\n      from: json\n      path: $.a\n',
    )
    expect(parse('name: P\nurl: x\n')).not.toHaveProperty('waitForWebhook')
  })

  it('reports a bad entry with its path and line', () => {
    const noTimeout = problem('name: A\nurl: x\nwaitForWebhook:\n  assertions: []\n')
    expect(noTimeout.message).toMatch(/^waitForWebhook\.timeoutMs: /)
    // A missing key is reported at its map (or the first line in it).
    expect([3, 4]).toContain(noTimeout.line)
    const badKind = problem(
      'name: A\nurl: x\nwaitForWebhook:\n  timeoutMs: 100\n  assertions:\n    - kind: status\n      equals: 200\n',
    )
    expect(badKind.message).toMatch(/^waitForWebhook\.assertions\.0\.kind: /)
    expect(badKind.line).toBe(6)
    const extra = problem('name: A\nurl: x\nwaitForWebhook:\n  timeoutMs: 100\n  timeout: 5\n')
    expect(extra.message).toMatch(/waitForWebhook/)
    const zero = problem('name: A\nurl: x\nwaitForWebhook:\n  timeoutMs: 0\n')
    expect(zero.message).toMatch(/^waitForWebhook\.timeoutMs: /)
    expect(zero.line).toBe(4)
  })
})

describe('run.start with waitForWebhook', { timeout: 20_000 }, () => {
  let dir: string
  let svc: EngineService
  const file = (rel: string, text: string): void => {
    const abs = join(dir, rel)
    mkdirSync(join(abs, '..'), { recursive: true })
    writeFileSync(abs, text)
  }
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-run-hook-'))
    file(
      'collection.yaml',
      `flightdeck: 1\nname: Hooks\nvariables:\n  base: ${callbacks.url}\n  hook: "{{$webhook}}"\n`,
    )
    file(
      'ok/build.yaml',
      `name: Build\nmethod: POST\nurl: "{{base}}/subscribe?delay=100"\nbody:\n  kind: json\n  text: '{"callback": "{{hook}}", "event": "built"}'\nwaitForWebhook:\n  timeoutMs: 2000\n  assertions:\n    - kind: json\n      path: $.event\n      equals: built\n`,
    )
    file(
      'plain/plain.yaml',
      `name: Plain\nmethod: POST\nurl: "{{base}}/subscribe"\nwaitForWebhook:\n  timeoutMs: 100\n`,
    )
    file(
      'streamy/s.yaml',
      `name: S\nkind: sse\nurl: "{{base}}/{{$webhook}}"\nwaitForWebhook:\n  timeoutMs: 100\n`,
    )
  })
  afterEach(async () => {
    await svc.dispose()
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('starts the inbox for the run, passes, and puts the call on the timeline caused by the request', async () => {
    svc = makeService({ watchCollections: false, persistWorkspace: false })
    const events: TimelineEvent[] = []
    svc.subscribe((b) => events.push(...b.events))
    const before = await svc.invoke('webhook.status', {})
    expect(before.ok && before.value.running).toBe(false)
    const started = await svc.invoke('run.start', { dir, path: 'ok', concurrency: 1, iterations: 1 })
    if (!started.ok) throw new Error(started.error.message)
    expect(started.value.webhookInbox?.startedForRun).toBe(true)
    expect(started.value.webhookInbox?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const report = await svc.runs.wait(started.value.runId)
    const r = report?.results[0]
    expect(r?.passed).toBe(true)
    // The inbox stays up for what comes next; the app's inbox status shows it.
    const status = await svc.invoke('webhook.status', {})
    expect(status.ok && status.value.running).toBe(true)
    const snap = svc.runs.get(started.value.runId)
    expect(snap.ok && snap.value.webhookInbox?.startedForRun).toBe(true)
    svc.flush()
    const callSid = r?.webhook?.call?.id
    const queued = events.find((e) => e.type === 'queued' && e.sid === callSid)
    expect(queued).toMatchObject({ kind: 'webhook', method: 'POST', initiator: r?.sids[0] })
    expect(events.find((e) => e.type === 'webhook-call' && e.sid === callSid)).toMatchObject({
      owner: r?.sids[0],
      path: '/done',
    })
  })

  it('refuses a file whose request does not carry {{$webhook}}, or that is not HTTP', async () => {
    svc = makeService({ watchCollections: false, persistWorkspace: false })
    const open = await svc.invoke('collection.open', { dir })
    expect(open.ok).toBe(true)
    const plain = await planRun(svc.collections, dir, 'plain', undefined)
    expect(plain.ok ? '' : plain.error.message).toBe(
      'plain/plain.yaml: waitForWebhook needs the request to carry {{$webhook}} (in its URL, a header or the body), so the call can be matched to it',
    )
    const sse = await planRun(svc.collections, dir, 'streamy', undefined)
    expect(sse.ok ? '' : sse.error.message).toBe(
      'streamy/s.yaml: waitForWebhook applies to HTTP requests, not sse',
    )
    const ok = await planRun(svc.collections, dir, 'ok', undefined)
    expect(ok.ok && ok.value.usesWebhook).toBe(true)
  })

  it('sees {{$webhook}} in a body template spread over lines, as the send does', () => {
    const step = (text: string): RunStep => ({
      id: 'cb',
      name: 'cb',
      request: spec('http://127.0.0.1:1/subscribe', { method: 'POST', body: { kind: 'json', text } }),
      variables: new Map(),
      assertions: [],
      extract: [],
    })
    const spread = '{"callback": "{{\n  $webhook\n}}"}'
    expect(mentionsWebhook(step(spread), new Map())).toBe(true)
    const vars = new Map([['callback', '{{$webhook}}/done']])
    expect(mentionsWebhook(step('{"callback": "{{\tcallback\t}}"}'), vars)).toBe(true)
    expect(mentionsWebhook(step('{"callback": "{{$webhooks}}"}'), new Map())).toBe(false)
  })

  it('finds {{$webhook}} in any part of a request (a header, the auth, a message), directly or through a variable', () => {
    const step = (over: Partial<RunStep>, headers: { name: string; value: string }[] = []): RunStep => ({
      id: 'cb',
      name: 'cb',
      request: spec('http://127.0.0.1:1/subscribe', {
        method: 'POST',
        headers: headers.map((h) => ({ ...h, enabled: true })),
      }),
      variables: new Map(),
      assertions: [],
      extract: [],
      ...over,
    })
    const none = new Map<string, string>()
    expect(mentionsWebhook(step({}, [{ name: 'X-Callback', value: '{{$webhook}}' }]), none)).toBe(true)
    expect(mentionsWebhook(step({ auth: { type: 'bearer', token: '{{$webhook}}' } }), none)).toBe(true)
    expect(mentionsWebhook(step({ messages: ['hello', 'reply to {{$webhook}}'] }), none)).toBe(true)
    expect(mentionsWebhook(step({}, [{ name: 'X-Callback', value: '\\{{$webhook}}' }]), none)).toBe(false)
    expect(mentionsWebhook(step({ messages: ['{{$webhookUrl}}'] }), none)).toBe(false)
    // Through variables (two levels), and with a plan's per-scope memo: a scope none of whose values mentions it
    // leaves the request's own text to decide; another scope does not borrow its answer.
    const hooked = new Map([
      ['cb', '{{base}}/done'],
      ['base', '{{$webhook}}'],
    ])
    const seen = new Map<ReadonlyMap<string, string>, boolean>()
    const viaHeader = step({}, [{ name: 'X-Callback', value: '{{cb}}' }])
    expect(mentionsWebhook(viaHeader, none, seen)).toBe(false)
    expect(mentionsWebhook(viaHeader, hooked, seen)).toBe(true)
    expect(mentionsWebhook(step({}, [{ name: 'X-Other', value: '{{base2}}' }]), hooked, seen)).toBe(false)
    expect(seen.get(none)).toBe(false)
    expect(seen.get(hooked)).toBe(true)
  })
})
