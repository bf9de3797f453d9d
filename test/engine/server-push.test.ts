import { constants } from 'node:http2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { ExchangeResult } from '../../src/engine/http/http-engine'
import type { DoneEvent, QueuedEvent, TimelineEvent } from '../../src/shared/timeline'
import { MAX_PUSHES_PER_REQUEST, PUSH_WAIT_AFTER_PARENT_MS } from '../../src/engine/http2-push/push-set'
import { hasNghttpd, SITE, startNghttpd, type NghttpdServer } from '../fixtures/nghttpd'
import { GZIP_JSON, startPushServer, type PushFixture } from '../fixtures/push-server'
import { startHttpsServer } from '../fixtures/servers'
import { runCli } from '../../src/cli'
import type { JsonReport } from '../../src/cli/report'
import type { HarDocument } from '../../src/engine/har/har-types'
import { bodyText, done, makeService, send, sleep, spec, writeTemp } from './helpers'

/**
 * HTTP/2 server push with "Accept server push": each pushed stream is a child session of its request (initiator,
 * promised headers), with its own response, body and timings; without the option no push is accepted. Against
 * Debian's nghttpd (its --push option) and a Node http2 server for the cap and for cancelling a push.
 */

let service: EngineService
let push: PushFixture
let nghttpd: NghttpdServer | null = null

beforeAll(async () => {
  service = makeService()
  push = await startPushServer()
  if (hasNghttpd()) nghttpd = await startNghttpd()
  else
    console.warn('nghttpd (/usr/sbin/nghttpd, package nghttp2-server) is missing: its push tests are skipped')
})
afterAll(async () => {
  await service.dispose()
  await push.close()
  await nghttpd?.stop()
})

function pushesOf(r: ExchangeResult, parent: string): QueuedEvent[] {
  return r.events.filter(
    (e): e is QueuedEvent => e.type === 'queued' && e.initiator === parent && !!e.promised,
  )
}

function finalOf(r: ExchangeResult, sid: string): TimelineEvent | undefined {
  return r.events.find(
    (e) => e.sid === sid && (e.type === 'done' || e.type === 'error' || e.type === 'cancelled'),
  )
}

function promisedValue(q: QueuedEvent, name: string): string | undefined {
  return q.promised?.find(([k]) => k === name)?.[1]
}

describe.skipIf(!hasNghttpd())('server push from nghttpd', () => {
  it('accepts the pushed /style.css and /app.js as child sessions with their promised headers, bodies and timings', async () => {
    const server = nghttpd as NghttpdServer
    const caFile = server.caFile
    const r = await send(service, spec(`${server.url}/index.html`, {}, { acceptPush: true, caFile }))
    const parent = done(r)
    expect(parent.status).toBe(200)
    expect(await bodyText(service, parent)).toBe(SITE['index.html'])
    expect(parent.pushes).toEqual({ accepted: 2, refused: 0 })
    const sent = r.events.find((e) => e.type === 'request-sent' && e.sid === parent.sid)
    expect(sent?.type === 'request-sent' && sent.protocol).toBe('h2')

    const pushes = pushesOf(r, parent.sid)
    expect(pushes.map((q) => promisedValue(q, ':path')).sort()).toEqual(['/app.js', '/style.css'])
    for (const q of pushes) {
      const path = promisedValue(q, ':path') ?? ''
      expect(promisedValue(q, ':method')).toBe('GET')
      expect(promisedValue(q, ':authority')).toBe(new URL(server.url).host)
      expect(q.url).toBe(`${server.url}${path}`)
      const end = finalOf(r, q.sid) as DoneEvent
      expect(end?.type).toBe('done')
      expect(end.status).toBe(200)
      expect(await bodyText(service, end)).toBe(SITE[path.slice(1)])
      expect(end.body.contentType).toBe(path.endsWith('.css') ? 'text/css' : 'text/javascript')
      // From PUSH_PROMISE to its end: nothing queued, looked up or sent; the phases add up.
      expect(end.timings.dns).toBe(-1)
      expect(end.timings.connect).toBe(-1)
      expect(end.timings.send).toBe(0)
      expect(end.timings.time).toBeCloseTo(end.t - q.t, 1)
    }
  })

  it('flightdeck send --push --json lists the pushes (promised headers, status, size, timings); without --push none', async () => {
    const server = nghttpd as NghttpdServer
    let out = ''
    const io = { out: (t: string) => void (out += t), err: () => undefined }
    expect(await runCli(['send', `${server.url}/index.html`, '-k', '--push', '--json'], io)).toBe(0)
    const report = JSON.parse(out) as JsonReport
    expect(report.status).toBe(200)
    const pushes = [...(report.pushes ?? [])].sort((a, b) => a.url.localeCompare(b.url))
    expect(pushes.map((p) => [p.url, p.state, p.status, p.size])).toEqual([
      [`${server.url}/app.js`, 'done', 200, Buffer.byteLength(SITE['app.js'] ?? '')],
      [`${server.url}/style.css`, 'done', 200, Buffer.byteLength(SITE['style.css'] ?? '')],
    ])
    expect(pushes[0]?.promised).toContainEqual({ name: ':path', value: '/app.js' })
    expect(pushes[0]?.timings?.time).toBeGreaterThanOrEqual(0)

    out = ''
    expect(await runCli(['send', `${server.url}/index.html`, '-k'], io)).toBe(0)
    expect(out).not.toContain('pushed')
    out = ''
    expect(await runCli(['send', `${server.url}/index.html`, '-k', '--push'], io)).toBe(0)
    expect(out).toMatch(/^pushed {4}2 streams$/m)
    expect(out).toMatch(/^ {2}200 {7}https:\/\/localhost:\d+\/style\.css {2}22 B/m)
  })

  it('HAR export: the pushed streams are entries of their own, marked _was_pushed as Chrome writes it', async () => {
    const server = nghttpd as NghttpdServer
    const r = await send(
      service,
      spec(`${server.url}/index.html`, {}, { acceptPush: true, caFile: server.caFile }),
    )
    service.flush()
    const sids = [...new Set(r.events.map((e) => e.sid))]
    const har = await service.invoke('har.export', { sids, maxBodyBytes: 1024 })
    if (!har.ok) throw new Error(har.error.message)
    const doc = JSON.parse(har.value.har) as HarDocument
    const rows = doc.log.entries.map((e) => [
      new URL(e.request.url).pathname,
      e._was_pushed,
      e.response.status,
    ])
    expect(rows.sort()).toEqual([
      ['/app.js', 1, 200],
      ['/index.html', undefined, 200],
      ['/style.css', 1, 200],
    ])
  })

  it('without the option no push is accepted: one session, no child rows', async () => {
    const server = nghttpd as NghttpdServer
    const r = await send(service, spec(`${server.url}/index.html`, {}, { caFile: server.caFile }))
    expect(done(r).status).toBe(200)
    expect(r.events.filter((e) => e.type === 'queued')).toHaveLength(1)
    expect(done(r).pushes).toBeUndefined()
  })
})

describe('server push from a Node http2 server', () => {
  it(`a flood of pushes: the first ${MAX_PUSHES_PER_REQUEST} are child sessions, the rest refused and counted`, async () => {
    const caFile = writeTemp('ca.pem', push.pki.ca.cert)
    const r = await send(service, spec(`${push.url}/flood?count=40`, {}, { acceptPush: true, caFile }))
    const parent = done(r)
    expect(await bodyText(service, parent)).toBe('parent')
    const pushes = pushesOf(r, parent.sid)
    expect(pushes).toHaveLength(MAX_PUSHES_PER_REQUEST)
    for (const q of pushes) expect(finalOf(r, q.sid)?.type).toBe('done')
    expect(parent.pushes?.accepted).toBe(MAX_PUSHES_PER_REQUEST)
    expect(parent.pushes?.refused).toBe(40 - MAX_PUSHES_PER_REQUEST)
    expect(parent.pushes?.note).toMatch(/8 more pushed streams refused .*at most 32 are accepted per request/)
  })

  it('a push the user cancels is reset (RST_STREAM CANCEL) and ends cancelled; the request still settles', async () => {
    const caFile = writeTemp('ca.pem', push.pki.ca.cert)
    push.resets.clear()
    const seen: TimelineEvent[] = []
    const off = service.subscribe((b) => seen.push(...b.events))
    try {
      const sent = await service.invoke('http.send', {
        request: spec(`${push.url}/slow`, {}, { acceptPush: true, caFile }),
      })
      if (!sent.ok) throw new Error(sent.error.message)
      const parentSid = sent.value.sids[0] ?? ''
      let pushSid: string | undefined
      for (let i = 0; i < 100 && !pushSid; i++) {
        await sleep(20)
        pushSid = seen.find(
          (e): e is QueuedEvent => e.type === 'queued' && e.initiator === parentSid && !!e.promised,
        )?.sid
      }
      expect(pushSid).toBeDefined()
      // Cancelled while its body is coming: once its response headers are in.
      for (let i = 0; i < 250 && !seen.some((e) => e.sid === pushSid && e.type === 'response-headers'); i++)
        await sleep(20)
      expect(seen.some((e) => e.sid === pushSid && e.type === 'response-headers')).toBe(true)
      const cancelled = await service.invoke('session.cancel', { sid: pushSid ?? '' })
      expect(cancelled.ok && cancelled.value.cancelled).toBe(true)
      const r = await service.http.waitFor(parentSid)
      expect(done(r).status).toBe(200)
      expect(finalOf(r, pushSid ?? '')?.type).toBe('cancelled')
      for (let i = 0; i < 50 && !push.resets.has('/slow.bin'); i++) await sleep(20)
      expect(push.resets.get('/slow.bin')).toBe(constants.NGHTTP2_CANCEL)
    } finally {
      off()
    }
  })

  it('request bodies go out on the push path (text and a file); a file that cannot be read fails before connecting', async () => {
    const caFile = writeTemp('ca.pem', push.pki.ca.cert)
    const options = { acceptPush: true, caFile }
    const text = await send(
      service,
      spec(
        `${push.url}/echo`,
        { method: 'POST', body: { kind: 'text', text: 'hello', contentType: 'text/plain' } },
        options,
      ),
    )
    expect(await bodyText(service, done(text))).toBe('POST hello')
    const sent = text.events.find((e) => e.type === 'request-sent')
    expect(sent?.type === 'request-sent' && [sent.protocol, sent.bodyBytes]).toEqual(['h2', 5])
    const path = writeTemp('body.txt', 'from a file')
    const file = await send(
      service,
      spec(`${push.url}/echo`, { method: 'PUT', body: { kind: 'file', path } }, options),
    )
    expect(await bodyText(service, done(file))).toBe('PUT from a file')
    const before = push.sessionsOpened()
    const missing = await send(
      service,
      spec(`${push.url}/echo`, { method: 'PUT', body: { kind: 'file', path: `${path}.missing` } }, options),
    )
    expect(missing.final.type === 'error' && missing.final.code).toBe('file')
    expect(missing.events.some((e) => e.type === 'connect')).toBe(false)
    // Nothing connected for it (a connection opened beside the failed body would be left open). Each push
    // request has a connection of its own: once one sent after the failure has been answered, a connection the
    // failed one began (earlier) has been counted too, so the server has seen exactly one more.
    expect(await bodyText(service, done(await send(service, spec(`${push.url}/plain`, {}, options))))).toBe(
      'plain',
    )
    expect(push.sessionsOpened()).toBe(before + 1)
  })

  it('a server that offers only HTTP/1.1: the request fails with what to do, its handshake still shown', async () => {
    const h1 = await startHttpsServer('localhost')
    try {
      const caFile = writeTemp('ca.pem', h1.caPem)
      const r = await send(
        service,
        spec(`${h1.url.replace('127.0.0.1', 'localhost')}/hello`, {}, { acceptPush: true, caFile }),
      )
      expect(r.final.type === 'error' && [r.final.code, r.final.message]).toEqual([
        'protocol',
        `${new URL(h1.url.replace('127.0.0.1', 'localhost')).host} did not offer HTTP/2 (ALPN: http/1.1): server push needs HTTP/2; turn off Accept server push to send this request over HTTP/1.1`,
      ])
      expect(r.events.map((e) => e.type)).toContain('tls')
      expect(h1.requests).toHaveLength(0)
    } finally {
      await h1.close()
    }
  })

  it('a pushed body is decoded (gzip) and held to the request’s Max body like any response', async () => {
    const caFile = writeTemp('ca.pem', push.pki.ca.cert)
    const r = await send(service, spec(`${push.url}/gzip`, {}, { acceptPush: true, caFile }))
    const [q] = pushesOf(r, done(r).sid)
    const end = finalOf(r, q?.sid ?? '') as DoneEvent
    expect(await bodyText(service, end)).toBe(GZIP_JSON)
    expect(end.wireBytes).toBeLessThan(end.bodyBytes)

    const small = await send(
      service,
      spec(`${push.url}/gzip`, {}, { acceptPush: true, caFile, maxBodyBytes: 1000 }),
    )
    expect(await bodyText(service, done(small))).toBe('parent')
    const [cut] = pushesOf(small, small.final.sid)
    const failed = finalOf(small, cut?.sid ?? '')
    expect(failed?.type === 'error' && failed.code).toBe('body_too_large')
    expect(failed?.type === 'error' && failed.message).toMatch(/larger than the limit of 1000 bytes/)
  })

  it('a push promised for another origin is refused (PROTOCOL_ERROR) and counted, as browsers do', async () => {
    const caFile = writeTemp('ca.pem', push.pki.ca.cert)
    const r = await send(service, spec(`${push.url}/foreign`, {}, { acceptPush: true, caFile }))
    const parent = done(r)
    expect(pushesOf(r, parent.sid).map((q) => q.url)).toEqual([`${push.url}/ok.css`])
    expect(parent.pushes?.accepted).toBe(1)
    expect(parent.pushes?.refused).toBe(1)
    expect(parent.pushes?.note).toBe(
      `1 pushed stream refused as not allowed (RST_STREAM PROTOCOL_ERROR): promised for another origin than ${new URL(push.url).host}, or with a method other than GET or HEAD`,
    )
  })

  it('a 103 Early Hints on the push path is a marker with its Link header, before the response', async () => {
    const caFile = writeTemp('ca.pem', push.pki.ca.cert)
    const r = await send(service, spec(`${push.url}/hinted`, {}, { acceptPush: true, caFile }))
    const parent = done(r)
    expect(await bodyText(service, parent)).toBe('hinted')
    const hints = r.events.filter((e) => e.type === 'informational')
    expect(hints).toHaveLength(1)
    const [hint] = hints
    expect(hint?.type === 'informational' && [hint.status, hint.statusText, hint.count]).toEqual([
      103,
      'Early Hints',
      1,
    ])
    expect(hint?.type === 'informational' && hint.headers).toEqual([
      ['link', '</style.css>; rel=preload; as=style'],
    ])
    const head = r.events.find((e) => e.type === 'response-headers')
    expect(hint && head && hint.t <= head.t).toBe(true)
  })

  it('a push still going when the total timeout hits is stopped with the request’s limit named', async () => {
    const caFile = writeTemp('ca.pem', push.pki.ca.cert)
    push.resets.clear()
    const started = Date.now()
    const r = await send(
      service,
      spec(`${push.url}/slow`, {}, { acceptPush: true, caFile, totalTimeoutMs: 800 }),
    )
    expect(Date.now() - started).toBeLessThan(5000)
    expect(done(r).status).toBe(200)
    const [q] = pushesOf(r, r.final.sid)
    const end = finalOf(r, q?.sid ?? '')
    expect(end?.type === 'error' && end.code).toBe('timeout_total')
    expect(end?.type === 'error' && end.message).toMatch(/total timeout of 800 ms/)
    expect(end?.type === 'error' && end.partialBodyBytes).toBeGreaterThan(0)
  })

  it(`a push still going ${PUSH_WAIT_AFTER_PARENT_MS / 1000} s after its request ended is stopped, and says so`, async () => {
    const caFile = writeTemp('ca.pem', push.pki.ca.cert)
    push.resets.clear()
    const started = Date.now()
    const r = await send(service, spec(`${push.url}/slow`, {}, { acceptPush: true, caFile }))
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(PUSH_WAIT_AFTER_PARENT_MS - 100)
    expect(took).toBeLessThan(PUSH_WAIT_AFTER_PARENT_MS + 3000)
    const [q] = pushesOf(r, r.final.sid)
    const end = finalOf(r, q?.sid ?? '')
    expect(end?.type === 'error' && end.message).toBe(
      'The pushed stream had not ended 10 s after its request ended: stopped (RST_STREAM)',
    )
    for (let i = 0; i < 50 && !push.resets.has('/slow.bin'); i++) await sleep(20)
    expect(push.resets.get('/slow.bin')).toBe(constants.NGHTTP2_CANCEL)
  }, 20_000)
})
