import { afterEach, describe, expect, it } from 'vitest'
import type { TimelineEvent } from '../../src/shared/timeline'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { HANG_GUARD_MS } from '../setup/hang-guard'
import { call, grpcRig, invoke, PROTOS, type GrpcRig } from './grpc-helpers'
import { readLog, settle } from './stream-helpers'

/** Calls of all four kinds against a real grpc-js server, as the timeline and the stream log show them. */
describe('gRPC calls', () => {
  let server: GrpcTestServer | null = null
  let rig: GrpcRig | null = null
  afterEach(async () => {
    rig?.close()
    rig = null
    await server?.close()
    server = null
  })

  const types = (events: TimelineEvent[]): string[] => events.map((e) => e.type)

  it('unary: a row with connect, request sent, headers, the reply, the trailers and done', async () => {
    server = await startGrpcServer()
    rig = grpcRig()
    const { sid, outcome } = await invoke(
      rig,
      call(
        server.target,
        'flightdeck.test.Echo/Say',
        [{ text: 'hi', mood: 'HAPPY', meta: { tag: 't', id: '9007199254740993' } }],
        {
          metadata: [{ name: 'x-user', value: 'ada', enabled: true }],
          // From protos, so the call opens the channel itself (reflection would have opened it already).
          schema: PROTOS,
        },
      ),
    )
    expect(outcome.final.type).toBe('done')
    const events = rig.rec.of(sid)
    expect(events[0]).toMatchObject({
      type: 'queued',
      kind: 'grpc',
      method: 'GRPC',
      url: `grpc://${server.target}/flightdeck.test.Echo/Say`,
    })
    expect(types(events)).toEqual(
      expect.arrayContaining([
        'queued',
        'connect',
        'request-sent',
        'response-headers',
        'stream-open',
        'ws-message',
        'stream-closed',
        'done',
      ]),
    )
    const headers = events.find((e) => e.type === 'response-headers')
    expect(headers).toMatchObject({ headers: expect.arrayContaining([['x-served-by', 'echo']]) })
    const log = await readLog(rig.service, sid)
    expect(log.map((e) => [e.dir, e.kind])).toEqual([
      ['out', 'text'],
      ['out', 'control'],
      ['in', 'text'],
      ['in', 'control'],
    ])
    const reply = JSON.parse(log[2]?.data ?? '{}') as Record<string, unknown>
    expect(reply).toMatchObject({ text: 'you said: hi', mood: 'HAPPY', seen_metadata: { 'x-user': 'ada' } })
    expect(JSON.parse(log[3]?.data ?? '{}')).toEqual({ status: 'OK (0)', trailers: { 'x-trailer': 'bye' } })
    const result = rig.grpc.outcome(sid)
    expect(result?.status).toEqual({ code: 0, name: 'OK', message: '' })
    expect(result?.trailers).toEqual([['x-trailer', 'bye']])
  })

  it('a second call on the same channel shows no connect phase (a reused connection)', async () => {
    server = await startGrpcServer()
    rig = grpcRig()
    const first = await invoke(rig, call(server.target, 'flightdeck.test.Echo/Say', [{ text: 'one' }]))
    const { sid } = await invoke(rig, call(server.target, 'flightdeck.test.Echo/Say', [{ text: 'two' }]))
    const events = rig.rec.of(sid)
    expect(types(events)).not.toContain('connect')
    const sent = events.find((e) => e.type === 'request-sent')
    expect(sent).toMatchObject({ reused: true })
    // Both calls are on one connection: the same number, as HTTP requests on a kept-alive socket.
    const firstSent = rig.rec.of(first.sid).find((e) => e.type === 'request-sent')
    expect(sent && sent.type === 'request-sent' ? sent.connectionId : 0).toBeGreaterThan(0)
    expect(firstSent && firstSent.type === 'request-sent' ? firstSent.connectionId : -1).toBe(
      sent && sent.type === 'request-sent' ? sent.connectionId : -2,
    )
  })

  it('server streaming: every message in the log, in order, then OK', async () => {
    server = await startGrpcServer({ reflection: 'none' })
    rig = grpcRig()
    const { sid, outcome } = await invoke(
      rig,
      call(server.target, 'flightdeck.test.Echo/Count', [{ n: 50 }], { schema: PROTOS }),
    )
    expect(outcome.final.type).toBe('done')
    const log = await readLog(rig.service, sid)
    const received = log
      .filter((e) => e.dir === 'in' && e.kind === 'text')
      .map((e) => (JSON.parse(e.data) as { i: number }).i)
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(rig.grpc.outcome(sid)?.received).toBe(50)
  })

  it('client streaming: messages sent one by one, then the half-close; the sum comes back', async () => {
    server = await startGrpcServer()
    rig = grpcRig()
    const opened = await rig.grpc.open(
      call(server.target, 'flightdeck.test.Echo/Sum', [{ value: 1 }], { halfClose: false }),
      { base: '.' },
    )
    if (!opened.ok) throw new Error(opened.error.message)
    const sid = opened.value.sid
    await rig.rec.until(sid, (e) => e.type === 'ws-message' && e.dir === 'out')
    expect(rig.grpc.send(sid, JSON.stringify({ value: '9007199254740993' })).ok).toBe(true)
    expect(rig.grpc.send(sid, '{"value": 2}').ok).toBe(true)
    expect(rig.grpc.end(sid).ok).toBe(true)
    // Nothing more may be sent once half-closed.
    const late = rig.grpc.send(sid, '{"value": 3}')
    expect(late.ok || late.error.message).toMatch(/half-closed|ended/)
    const outcome = await settle(rig.service, sid)
    expect(outcome.final.type).toBe('done')
    const log = await readLog(rig.service, sid)
    const total = log.find((e) => e.dir === 'in' && e.kind === 'text')
    expect(JSON.parse(total?.data ?? '{}')).toEqual({ sum: '9007199254740996', count: 3 })
  })

  it('bidi: each message answered as it comes, before the half-close', async () => {
    server = await startGrpcServer()
    rig = grpcRig()
    const opened = await rig.grpc.open(
      call(server.target, 'flightdeck.test.Echo/Chat', [], { halfClose: false }),
      { base: '.' },
    )
    if (!opened.ok) throw new Error(opened.error.message)
    const sid = opened.value.sid
    rig.grpc.send(sid, '{"text": "a"}')
    await rig.rec.until(sid, (e) => e.type === 'ws-message' && e.dir === 'in')
    rig.grpc.send(sid, '{"text": "b"}')
    await rig.rec.until(sid, (e) => e.type === 'ws-message' && e.dir === 'in', 2)
    rig.grpc.end(sid)
    await settle(rig.service, sid)
    const log = await readLog(rig.service, sid)
    expect(log.map((e) => `${e.dir} ${e.kind} ${e.kind === 'text' ? e.data : ''}`.trim())).toEqual([
      'out text {"text":"a"}',
      'in text {"text":"echo: a","seen_metadata":{},"mood":"MOOD_UNSPECIFIED"}',
      'out text {"text":"b"}',
      'in text {"text":"echo: b","seen_metadata":{},"mood":"MOOD_UNSPECIFIED"}',
      'out control',
      'in control',
    ])
  })

  it('a non-OK status in plain words, with its google.rpc.Status details decoded and the trailers', async () => {
    server = await startGrpcServer()
    rig = grpcRig()
    const { sid, outcome } = await invoke(
      rig,
      call(server.target, 'flightdeck.test.Echo/Fail', [{ code: 8, message: 'quota gone' }]),
    )
    expect(outcome.final).toMatchObject({
      type: 'error',
      code: 'grpc_status',
      message: 'RESOURCE_EXHAUSTED (8): quota gone',
    })
    const status = rig.grpc.outcome(sid)?.status
    expect(status?.details).toEqual([
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'QUOTA_GONE',
        domain: 'test.flightdeck',
        metadata: { left: '0' },
      },
    ])
    expect(rig.grpc.outcome(sid)?.trailers).toEqual(expect.arrayContaining([['x-why', 'asked to']]))
  })

  it('a deadline ends a slow call with DEADLINE_EXCEEDED', async () => {
    server = await startGrpcServer()
    rig = grpcRig()
    const started = Date.now()
    const { outcome } = await invoke(
      rig,
      call(server.target, 'flightdeck.test.Echo/Say', [{ text: 'slow', delay_ms: 3000 }], {
        deadlineMs: 200,
      }),
    )
    expect(outcome.final).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/^DEADLINE_EXCEEDED \(4\)/),
    })
    expect(Date.now() - started).toBeLessThan(2500)
  })

  it('cancel: a stream cut short by the person ends as closed by you, and the server hears it', async () => {
    server = await startGrpcServer()
    rig = grpcRig()
    const opened = await rig.grpc.open(
      call(server.target, 'flightdeck.test.Echo/Count', [{ n: 1000, gap_ms: 20 }]),
      { base: '.' },
    )
    if (!opened.ok) throw new Error(opened.error.message)
    const sid = opened.value.sid
    await rig.rec.until(sid, (e) => e.type === 'ws-message' && e.dir === 'in', 3)
    expect(rig.service.streams.close(sid)).toBe(true)
    const outcome = await settle(rig.service, sid)
    expect(outcome.final.type).toBe('done')
    expect(rig.rec.of(sid).find((e) => e.type === 'stream-closed')).toMatchObject({
      by: 'client',
      reason: 'Cancelled by you',
    })
    const got = rig.grpc.outcome(sid)?.received ?? 0
    expect(got).toBeGreaterThanOrEqual(3)
    expect(got).toBeLessThan(1000)
  })

  it('a server that goes away mid-stream: the call fails with UNAVAILABLE, the messages so far kept', async () => {
    server = await startGrpcServer()
    rig = grpcRig()
    const opened = await rig.grpc.open(
      call(server.target, 'flightdeck.test.Echo/Count', [{ n: 1000, gap_ms: 10 }]),
      { base: '.' },
    )
    if (!opened.ok) throw new Error(opened.error.message)
    const sid = opened.value.sid
    await rig.rec.until(sid, (e) => e.type === 'ws-message' && e.dir === 'in', 5)
    server.server.forceShutdown()
    const outcome = await settle(rig.service, sid)
    expect(outcome.final).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/^(UNAVAILABLE \(14\)|INTERNAL \(13\)|CANCELLED \(1\))/),
    })
    expect(
      (await readLog(rig.service, sid)).filter((e) => e.dir === 'in' && e.kind === 'text').length,
    ).toBeGreaterThanOrEqual(5)
  })

  it('nothing listening: UNAVAILABLE (14) in plain words', async () => {
    rig = grpcRig()
    const opened = await rig.grpc.open(
      call('127.0.0.1:1', 'flightdeck.test.Echo/Say', [{ text: 'x' }], { schema: PROTOS, deadlineMs: 5000 }),
      {
        base: '.',
      },
    )
    if (!opened.ok) throw new Error(opened.error.message)
    const outcome = await settle(rig.service, opened.value.sid)
    expect(outcome.final).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/^UNAVAILABLE \(14\): .*ECONNREFUSED/),
    })
  })

  it('refuses a bad message before sending, naming the field', async () => {
    server = await startGrpcServer()
    rig = grpcRig()
    const unknown = await rig.grpc.open(call(server.target, 'flightdeck.test.Echo/Say', [{ txt: 'x' }]), {
      base: '.',
    })
    expect(unknown.ok || unknown.error.message).toMatch(
      /flightdeck\.test\.SayRequest has no field "txt"; its fields: text, mood, meta, tags, delay_ms/,
    )
    const wrong = await rig.grpc.open(
      call(server.target, 'flightdeck.test.Echo/Say', [{ meta: { id: 'abc' } }]),
      { base: '.' },
    )
    expect(wrong.ok || wrong.error.message).toMatch(/meta\.id must be an integer \(int64\), not "abc"/)
    const two = await rig.grpc.open(call(server.target, 'flightdeck.test.Echo/Say', [{}, {}]), { base: '.' })
    expect(two.ok || two.error.message).toMatch(/unary method: it takes exactly one message, not 2/)
    const noMethod = await rig.grpc.open(call(server.target, 'flightdeck.test.Echo/Nope', [{}]), {
      base: '.',
    })
    expect(noMethod.ok || noMethod.error.message).toMatch(/has no method Nope/)
    // Nothing reached the server but reflection.
    expect(server.calls.filter((c) => !c.path.startsWith('/grpc.reflection'))).toEqual([])
  })

  it(
    'a 100 MB reply past the limit fails with RESOURCE_EXHAUSTED, saying the limit',
    async () => {
      server = await startGrpcServer()
      rig = grpcRig()
      const before = process.memoryUsage().rss
      const { outcome } = await invoke(
        rig,
        call(server.target, 'flightdeck.test.Echo/Big', [{ size: 100 * 1024 * 1024 }]),
      )
      expect(outcome.final).toMatchObject({ type: 'error', code: 'grpc_status' })
      if (outcome.final.type === 'error') {
        expect(outcome.final.message).toMatch(
          /^RESOURCE_EXHAUSTED \(8\): .*larger than max.*past the 4 MB limit on a message/,
        )
      }
      void before
      // 100 MB built, encoded and read in this process: CPU-bound work, bounded only against a hang.
    },
    HANG_GUARD_MS,
  )

  it(
    'a 100 MB message to send is refused before anything is sent, saying the size and the limit',
    async () => {
      server = await startGrpcServer()
      rig = grpcRig()
      const payload = Buffer.alloc(100 * 1024 * 1024, 1).toString('base64')
      const r = await rig.grpc.open(call(server.target, 'flightdeck.test.Echo/Big', [{ payload }]), {
        base: '.',
      })
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe('message_too_large')
        expect(r.error.message).toMatch(
          /^RESOURCE_EXHAUSTED \(8\): Message 1 is 104,857,605 bytes, past the 4,194,304-byte limit on a message; nothing was sent/,
        )
      }
      // 100 MB built, encoded and read in this process: CPU-bound work, bounded only against a hang.
    },
    HANG_GUARD_MS,
  )
})
