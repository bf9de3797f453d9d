import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { refusedPort, startHttpServer, type Fixture } from '../fixtures/servers'
import { bodyText, done, eventsOf, makeService, send, sleep, spec, writeTemp } from './helpers'

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

function errorOf(r: Awaited<ReturnType<typeof send>>): { code: string; message: string } {
  if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
  return r.final
}

describe('redirects', () => {
  it('follows hop by hop, each hop its own session linked to the one before', async () => {
    const r = await send(service, spec(`${server.url}/redirect/3`))
    expect(r.sids).toHaveLength(4)
    const queued = eventsOf(r, 'queued')
    expect(queued.map((q) => q.hop)).toEqual([0, 1, 2, 3])
    expect(queued[1]?.initiator).toBe(r.sids[0])
    expect(queued[3]?.url).toBe(`${server.url}/redirect/0`)
    const redirects = eventsOf(r, 'redirect')
    expect(redirects.map((x) => x.status)).toEqual([302, 302, 302])
    expect(redirects[0]?.next).toBe(r.sids[1])
    expect(done(r).status).toBe(200)
    expect(await bodyText(service, done(r))).toBe('done')
    // Every hop goes on the first hop's kept-alive connection (each opened one of its own).
    const sent = eventsOf(r, 'request-sent')
    expect(sent.map((e) => e.reused).slice(1)).toEqual([true, true, true])
    expect(new Set(sent.map((e) => e.connectionId)).size).toBe(1)
  })

  it('stops a redirect loop with a clear error', async () => {
    const r = await send(service, spec(`${server.url}/loop`, {}, { maxRedirects: 5 }))
    const e = errorOf(r)
    expect(e.code).toBe('redirect_loop')
    expect(e.message).toMatch(/loop/i)
    expect(r.sids).toHaveLength(6)
  })

  it('stops after the configured number of redirects', async () => {
    const e = errorOf(await send(service, spec(`${server.url}/redirect/5`, {}, { maxRedirects: 2 })))
    expect(e.code).toBe('too_many_redirects')
  })

  it('reports the redirect itself when following is off', async () => {
    const r = await send(service, spec(`${server.url}/redirect/1`, {}, { followRedirects: false }))
    expect(done(r).status).toBe(302)
    expect(r.sids).toHaveLength(1)
  })

  it('a 303 after POST continues as GET without the body', async () => {
    const target = encodeURIComponent('/echo')
    const r = await send(
      service,
      spec(`${server.url}/redirect-to?url=${target}&status=303`, {
        method: 'POST',
        body: { kind: 'json', text: '{"x":1}' },
      }),
    )
    const echoed = JSON.parse(await bodyText(service, done(r))) as { method: string; body: string }
    expect(echoed.method).toBe('GET')
    expect(echoed.body).toBe('')
  })

  it('does not carry Authorization or cookies to another origin', async () => {
    const other = await startHttpServer()
    try {
      const target = encodeURIComponent(`${other.url}/echo`)
      const r = await send(
        service,
        spec(`${server.url}/redirect-to?url=${target}`, {
          headers: [
            { name: 'Authorization', value: 'Bearer secret', enabled: true },
            { name: 'Cookie', value: 'a=b', enabled: true },
            { name: 'X-Keep', value: 'yes', enabled: true },
          ],
        }),
      )
      const echoed = JSON.parse(await bodyText(service, done(r))) as { headers: Record<string, string> }
      expect(echoed.headers.authorization).toBeUndefined()
      expect(echoed.headers.cookie).toBeUndefined()
      expect(echoed.headers['x-keep']).toBe('yes')
    } finally {
      await other.close()
    }
  })
})

describe('failures are typed errors with plain messages', () => {
  it('invalid URL', async () => {
    const r = await send(service, spec('http://exa mple.com:99999/'))
    expect(errorOf(r).code).toBe('invalid_url')
    expect(errorOf(r).message).toMatch(/Invalid URL/)
  })

  it('unsupported scheme', async () => {
    expect(errorOf(await send(service, spec('ftp://example.com/file'))).code).toBe('invalid_url')
  })

  it('a URL without a scheme means http', async () => {
    const d = done(await send(service, spec(`127.0.0.1:${server.port}/hello`)))
    expect(d.status).toBe(200)
  })

  it('connection refused', async () => {
    const port = await refusedPort()
    const e = errorOf(await send(service, spec(`http://127.0.0.1:${port}/`)))
    expect(e.code).toBe('refused')
    expect(e.message).toBe(`Connection refused by 127.0.0.1:${port}`)
  })

  it('DNS failure', async () => {
    const e = errorOf(await send(service, spec('http://no-such-host.invalid/')))
    expect(e.code).toBe('dns')
    expect(e.message).toContain('no-such-host.invalid')
  })

  it('reset mid-body', async () => {
    const e = errorOf(await send(service, spec(`${server.url}/reset`)))
    expect(e.code).toBe('reset')
  })

  it('a header value with a line break is refused before anything is sent', async () => {
    const before = server.requests.length
    const r = await send(
      service,
      spec(`${server.url}/echo`, { headers: [{ name: 'X-Bad', value: 'a\r\nInjected: 1', enabled: true }] }),
    )
    expect(errorOf(r).code).toBe('invalid_request')
    // Not a pause and a count (a busy machine could deliver a request after it): had the engine put the bad
    // request on a connection, the server would have had it before this one, sent after its error.
    done(await send(service, spec(`${server.url}/hello`)))
    expect(server.requests.slice(before).map((q) => q.url)).toEqual(['/hello'])
  })

  // undici writes the connection's own headers itself: it refused these in its words ('invalid keep-alive header')
  // or dropped them without a word (Connection: X-Foo, Content-Length on a GET without a body).
  it.each([
    ['Keep-Alive', 'timeout=5', 'GET', 'cannot be sent: keeping the connection alive is the HTTP client'],
    ['Upgrade', 'websocket', 'GET', 'cannot be sent: an HTTP request here does not switch protocols'],
    ['Transfer-Encoding', 'chunked', 'POST', 'cannot be set: Flightdeck frames the body itself'],
    [
      'Connection',
      'close, X-Foo',
      'GET',
      'can say only "close" or "keep-alive" (the HTTP client writes this header itself): "X-Foo" would not be sent',
    ],
    ['Content-Length', 'ten', 'POST', 'must be a number of bytes, not "ten"'],
    ['Content-Length', '3', 'POST', 'says 3 bytes, but the body is 5 bytes'],
    ['Content-Length', '5', 'GET', 'says 5 bytes, but the request has no body'],
  ])(
    'a %s header it cannot send as set (%s, %s) is refused in words, naming it',
    async (name, value, method, why) => {
      const before = server.requests.length
      const body =
        method === 'POST' ? { kind: 'text' as const, text: 'hello', contentType: 'text/plain' } : undefined
      const headers = [{ name, value, enabled: true }]
      const r = await send(
        service,
        spec(`${server.url}/echo`, { method, headers, ...(body ? { body } : {}) }),
      )
      expect(errorOf(r)).toMatchObject({ code: 'invalid_request' })
      expect(errorOf(r).message).toContain(`Header "${name}" ${why}`)
      done(await send(service, spec(`${server.url}/hello`)))
      expect(server.requests.slice(before).map((q) => q.url)).toEqual(['/hello'])
    },
  )

  it('a Connection: close set on the request is sent (it asks the server to close after answering)', async () => {
    const headers = [{ name: 'Connection', value: 'close', enabled: true }]
    done(await send(service, spec(`${server.url}/echo`, { headers })))
    expect(server.requests.at(-1)?.headers.connection).toBe('close')
  })

  it('a CONNECT is refused in words before anything is sent (undici said "invalid onUpgrade method")', async () => {
    const before = server.requests.length
    const r = await send(service, spec(`${server.url}/echo`, { method: 'CONNECT' }))
    expect(errorOf(r)).toMatchObject({ code: 'invalid_request' })
    expect(errorOf(r).message).toContain(
      'Method CONNECT cannot be sent: a CONNECT asks a proxy to open a tunnel',
    )
    done(await send(service, spec(`${server.url}/hello`)))
    expect(server.requests.slice(before).map((q) => q.url)).toEqual(['/hello'])
  })

  // A body that could not be read again as it was would be read a second time by a resend (reused-close-resend.ts,
  // goaway-resend.ts): a FIFO or a device is refused before the first send, so no attempt ever reads it.
  it('a PUT whose body file is a named pipe is refused before connecting, the pipe not opened', async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'flightdeck-test-')), 'body.fifo')
    execFileSync('mkfifo', [fifo])
    const before = server.requests.length
    const r = await send(
      service,
      spec(`${server.url}/echo`, { method: 'PUT', body: { kind: 'file', path: fifo } }),
    )
    expect(errorOf(r)).toMatchObject({ code: 'file' })
    expect(errorOf(r).message).toContain(`${fifo} is not a file (a pipe, a device or a folder)`)
    done(await send(service, spec(`${server.url}/hello`)))
    expect(server.requests.slice(before).map((q) => q.url)).toEqual(['/hello'])
  })

  it('response headers that never come hit the headers timeout', async () => {
    const e = errorOf(await send(service, spec(`${server.url}/hang`, {}, { headersTimeoutMs: 200 })))
    expect(e.code).toBe('timeout_headers')
  })

  it('a body that stalls hits the idle timeout', async () => {
    const e = errorOf(await send(service, spec(`${server.url}/stall-body`, {}, { idleTimeoutMs: 200 })))
    expect(e.code).toBe('timeout_idle')
  })

  it('the total timeout covers the whole exchange', async () => {
    const started = Date.now()
    const e = errorOf(await send(service, spec(`${server.url}/hang`, {}, { totalTimeoutMs: 300 })))
    expect(e.code).toBe('timeout_total')
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('a body over the limit is refused', async () => {
    const e = errorOf(await send(service, spec(`${server.url}/bytes?n=5000`, {}, { maxBodyBytes: 1000 })))
    expect(e.code).toBe('body_too_large')
  })

  it('a missing body file is a file error', async () => {
    const e = errorOf(
      await send(
        service,
        spec(`${server.url}/echo`, { method: 'POST', body: { kind: 'file', path: '/nonexistent/file.bin' } }),
      ),
    )
    expect(e.code).toBe('file')
  })

  it("a file body its Content-Length header belies is the request's error, not the server's", async () => {
    const path = writeTemp('eleven.txt', 'hello world')
    const headers = [{ name: 'Content-Length', value: '3', enabled: true }]
    const r = await send(
      service,
      spec(`${server.url}/echo`, { method: 'PUT', headers, body: { kind: 'file', path } }),
    )
    expect(errorOf(r)).toMatchObject({
      code: 'invalid_request',
      message:
        "The request body's size did not match the Content-Length header set on it: remove the header, and Flightdeck sets Content-Length from the body",
    })
  })
})

describe('cancel', () => {
  it('cancels an in-flight request from its row while others carry on', async () => {
    const hang = await service.invoke('http.send', { request: spec(`${server.url}/hang`) })
    const slow = await service.invoke('http.send', { request: spec(`${server.url}/delay?ms=300`) })
    if (!hang.ok || !slow.ok) throw new Error('send failed')
    const hangSid = hang.value.sids[0] as string
    // In flight: the server has the request (bounded: 10 s).
    for (let i = 0; i < 1000 && !server.requests.some((r) => r.url === '/hang'); i++) await sleep(10)
    expect(server.requests.map((r) => r.url)).toContain('/hang')
    const c = await service.invoke('session.cancel', { sid: hangSid })
    expect(c.ok && c.value.cancelled).toBe(true)
    const hung = await service.http.waitFor(hangSid)
    expect(hung.final.type).toBe('cancelled')
    const other = await service.http.waitFor(slow.value.sids[0] as string)
    expect(done(other).status).toBe(200)
  })

  it('cancels a request still waiting in the queue', async () => {
    const svc = makeService({ settings: { perOriginConcurrency: 1, globalConcurrency: 10 } })
    try {
      const first = await svc.invoke('http.send', { request: spec(`${server.url}/delay?ms=300`) })
      const queued = await svc.invoke('http.send', { request: spec(`${server.url}/hello`) })
      if (!first.ok || !queued.ok) throw new Error('send failed')
      const sid = queued.value.sids[0] as string
      await svc.invoke('session.cancel', { sid })
      const r = await svc.http.waitFor(sid)
      expect(r.final.type).toBe('cancelled')
      expect(eventsOf(r, 'request-sent')).toHaveLength(0)
      expect(done(await svc.http.waitFor(first.value.sids[0] as string)).status).toBe(200)
    } finally {
      await svc.dispose()
    }
  })
})

describe('large bodies', () => {
  it('spills a body past the memory bound to disk and serves byte ranges from it', async () => {
    const svc = makeService({ memoryBodyLimit: 256 * 1024 })
    try {
      const n = 20 * 1024 * 1024
      const d = done(await send(svc, spec(`${server.url}/bytes?n=${n}`)))
      expect(d.body.size).toBe(n)
      expect(d.body.onDisk).toBe(true)
      const offset = 12_345_677
      const r = await svc.invoke('body.read', { bodyId: d.body.id, offset, length: 1024, encoding: 'base64' })
      if (!r.ok) throw new Error(r.error.message)
      const bytes = Buffer.from(r.value.data, 'base64')
      expect(bytes.length).toBe(1024)
      for (let i = 0; i < bytes.length; i++) expect(bytes[i]).toBe((offset + i) % 256)
      expect(r.value.total).toBe(n)
    } finally {
      await svc.dispose()
    }
  })
})

/**
 * A server that closes a kept-alive connection just as the client reuses it, without having said
 * `Connection: close`: its idle timeout firing as the next request is written. Made certain here: each
 * connection's first request is answered; the arrival of its second closes the connection unanswered, with a
 * FIN, or a reset for a path under /rst.
 */
describe('a kept-alive connection the server closes as it is reused', () => {
  let raw: RawServer
  const answered = new WeakSet<Socket>()
  beforeAll(async () => {
    raw = await startRawServer((socket, head) => {
      if (answered.has(socket)) {
        if (pathOf(head).startsWith('/rst')) socket.resetAndDestroy()
        else if (pathOf(head).startsWith('/half')) socket.end('HTTP/1.1 200 OK\r\nContent-Len')
        else socket.destroy()
        return
      }
      answered.add(socket)
      const path = pathOf(head)
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`)
    })
  })
  afterAll(() => raw.close())

  /** Sends a request to warm a connection, then `request` on it; returns what came of `request`. */
  async function onReused(request: ReturnType<typeof spec>): Promise<Awaited<ReturnType<typeof send>>> {
    done(await send(service, spec(`${raw.url}/warm`)))
    return send(service, request)
  }
  const heard = (path: string): number => raw.heads.filter((h) => pathOf(h) === path).length

  it.each(['/fin', '/rst'])(
    'a GET it closed (%s) goes once more on a new connection, and its row says so',
    async (path) => {
      const r = await onReused(spec(`${raw.url}${path}`))
      expect(done(r).status).toBe(200)
      expect(await bodyText(service, done(r))).toBe(path)
      const sent = eventsOf(r, 'request-sent')
      expect(sent.map((s) => s.reused)).toEqual([true, false])
      expect(sent[1]?.note).toMatch(
        /^Sent a second time, on a new connection: the server closed the kept-alive connection .* before any response/,
      )
      expect(heard(path)).toBe(2)
    },
  )

  it('a GET it closed after the first bytes of an answer is not sent again', async () => {
    const e = errorOf(await onReused(spec(`${raw.url}/half`)))
    expect(e.code).toBe('reset')
    expect(heard('/half')).toBe(1)
  })

  it('a POST it closed is not sent again, and the error says why', async () => {
    const r = await onReused(
      spec(`${raw.url}/order`, {
        method: 'POST',
        body: { kind: 'text', text: 'n=1', contentType: 'text/plain' },
      }),
    )
    const e = errorOf(r)
    expect(e.code).toBe('reset')
    expect(e.message).toBe(
      `127.0.0.1:${raw.port} closed the kept-alive connection this request was sent on, before any response; the POST was not sent again: it is not idempotent, and Flightdeck cannot tell whether the server processed it`,
    )
    expect(eventsOf(r, 'request-sent')).toHaveLength(1)
    expect(heard('/order')).toBe(1)
  })
})

describe('the service boundary', () => {
  it('refuses malformed payloads and unknown commands as data', async () => {
    const bad = await service.call('http.send', { request: { method: 'GET' } })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.code).toBe('bad_payload')
    const unknown = await service.call('fs.readEverything', {})
    expect(!unknown.ok && unknown.error.code).toBe('unknown_command')
    const tooMany = await service.call('http.send', { request: spec(`${server.url}/hello`), count: 100_000 })
    expect(!tooMany.ok && tooMany.error.code).toBe('bad_payload')
  })
})
