import { rmSync } from 'node:fs'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { startHttp2Server, type TlsFixture } from '../fixtures/servers'
import { eventsOf, makeService, send, spec, writeTemp } from './helpers'
import { settle } from './stream-helpers'

/**
 * A timeout a person sets fires close to when they set it. undici batches its own headers and body timers on a
 * coarse tick (about a second), which made a 400 ms headers timeout fire at ~1 s; the engine times these
 * phases itself. Bounds: never before the time set (minus a few ms of clock rounding), and well under the
 * old ~1 s lateness even on a loaded machine.
 */

let raw: RawServer
let h2: TlsFixture
let service: EngineService

beforeAll(async () => {
  raw = await startRawServer((socket, head) => {
    const path = pathOf(head)
    if (path === '/hang') return // accepts the request and never answers
    if (path === '/stall') {
      // Headers and a first piece of the body, then nothing more.
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst')
      return
    }
    if (path === '/events') {
      // An event stream that sends one event, then nothing.
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: one\n\n')
      return
    }
    if (path === '/trickle') {
      // A body that keeps coming (every 100 ms, under a 300 ms idle timeout) for 600 ms, then stalls.
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n')
      let n = 0
      const timer = setInterval(() => {
        if (socket.destroyed || ++n > 6) {
          clearInterval(timer)
          return
        }
        socket.write('x')
      }, 100)
      socket.once('close', () => clearInterval(timer))
      return
    }
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
  })
  h2 = await startHttp2Server()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await raw.close()
  await h2.close()
})

async function timedError(
  path: string,
  options: Parameters<typeof spec>[2],
): Promise<{ code: string; message: string; ms: number }> {
  const started = performance.now()
  const r = await send(service, spec(`${raw.url}${path}`, {}, options))
  const ms = performance.now() - started
  if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
  return { code: r.final.code, message: r.final.message, ms }
}

describe('request timeouts fire when set, not on a coarse tick', () => {
  it('a 400 ms headers timeout errors at ~400 ms', async () => {
    const e = await timedError('/hang', { headersTimeoutMs: 400 })
    expect(e.code).toBe('timeout_headers')
    expect(e.message).toBe(`Timed out waiting for response headers from 127.0.0.1:${raw.port}`)
    expect(e.ms).toBeGreaterThanOrEqual(395)
    expect(e.ms).toBeLessThan(800)
  })

  it('a 300 ms idle timeout errors ~300 ms after the body stalls', async () => {
    const e = await timedError('/stall', { idleTimeoutMs: 300 })
    expect(e.code).toBe('timeout_idle')
    expect(e.message).toBe(`The response body from 127.0.0.1:${raw.port} stalled (idle timeout)`)
    expect(e.ms).toBeGreaterThanOrEqual(295)
    expect(e.ms).toBeLessThan(700)
  })

  it('the idle timeout counts from the last byte, not from the headers', async () => {
    // Bytes at 100..600 ms keep the body alive; it stalls after the last one, so the error comes at ~900 ms.
    const e = await timedError('/trickle', { idleTimeoutMs: 300 })
    expect(e.code).toBe('timeout_idle')
    expect(e.ms).toBeGreaterThanOrEqual(880)
    expect(e.ms).toBeLessThan(1400)
  })
})

/** A server that accepts and never reads: an upload fills the socket buffers and stops. */
async function startDeafServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const deaf = createServer((socket) => {
    sockets.add(socket)
    socket.pause()
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => deaf.listen(0, '127.0.0.1', resolve))
  const { port } = deaf.address() as AddressInfo
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => deaf.close(() => resolve()))
    },
  }
}

/** A 32 MB file to upload: far more than loopback's socket buffers hold. */
function bigUpload(): { file: string; remove(): void } {
  const file = writeTemp('deaf-upload.bin', Buffer.alloc(32 * 1024 * 1024, 0x61))
  return { file, remove: () => rmSync(dirname(file), { recursive: true, force: true }) }
}

describe('an upload the server does not read', () => {
  it('hits the headers timeout ~400 ms after its last piece went out', async () => {
    const deaf = await startDeafServer()
    const upload = bigUpload()
    try {
      const started = performance.now()
      const r = await send(
        service,
        spec(
          `http://127.0.0.1:${deaf.port}/upload`,
          { method: 'POST', body: { kind: 'file', path: upload.file } },
          { headersTimeoutMs: 400 },
        ),
      )
      const ms = performance.now() - started
      if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
      expect(r.final.code).toBe('timeout_headers')
      expect(r.final.message).toBe(`Timed out waiting for response headers from 127.0.0.1:${deaf.port}`)
      expect(ms).toBeGreaterThanOrEqual(395)
      // The buffers fill within a few ms on loopback; undici's own timer fired at 1 s or more.
      expect(ms).toBeLessThan(850)
    } finally {
      upload.remove()
      await deaf.close()
    }
  })

  it('ends an SSE stream whose file body is not read in the headers phase, when set', async () => {
    const deaf = await startDeafServer()
    const upload = bigUpload()
    try {
      const started = performance.now()
      // A timer of the same 400 ms started with the stream: a busy machine runs both late alike, so the gap
      // between them is the engine's lateness alone (undici's ~1 s tick made it ~600 ms).
      const reference = new Promise<number>((resolve) => setTimeout(() => resolve(performance.now()), 400))
      const r = await service.invoke('sse.open', {
        request: spec(
          `http://127.0.0.1:${deaf.port}/events`,
          { method: 'POST', body: { kind: 'file', path: upload.file } },
          { headersTimeoutMs: 400 },
        ),
        stream: { reconnect: false },
      })
      if (!r.ok) throw new Error(r.error.message)
      const { final } = await settle(service, r.value.sid)
      const endedAt = performance.now()
      if (final.type !== 'error') throw new Error(`expected an error, got ${final.type}`)
      expect(final.code).toBe('timeout_headers')
      expect(final.message).toContain(`Timed out waiting for response headers from 127.0.0.1:${deaf.port}`)
      expect(endedAt - started).toBeGreaterThanOrEqual(395)
      expect(endedAt - (await reference)).toBeLessThan(300)
    } finally {
      upload.remove()
      await deaf.close()
    }
  })
})

describe("over HTTP/2, where undici timed these with the stream's own timer", () => {
  // The engine's timers replace undici's here too: the same precision and words as over HTTP/1.1.
  async function timedH2(path: string, options: Parameters<typeof spec>[2]) {
    const caFile = writeTemp('h2-timeouts-ca.pem', h2.caPem)
    const started = performance.now()
    const r = await send(service, spec(`${h2.url}${path}`, {}, { caFile, ...options }))
    const ms = performance.now() - started
    if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
    expect(eventsOf(r, 'request-sent')[0]?.protocol).toBe('h2')
    return { code: r.final.code, message: r.final.message, ms }
  }

  it('a 400 ms headers timeout errors at ~400 ms', async () => {
    const e = await timedH2('/hang', { headersTimeoutMs: 400 })
    expect(e.code).toBe('timeout_headers')
    expect(e.message).toBe(`Timed out waiting for response headers from ${new URL(h2.url).host}`)
    expect(e.ms).toBeGreaterThanOrEqual(395)
    expect(e.ms).toBeLessThan(800)
  })

  it('a 300 ms idle timeout errors ~300 ms after the body stalls', async () => {
    const e = await timedH2('/stall-body', { idleTimeoutMs: 300 })
    expect(e.code).toBe('timeout_idle')
    expect(e.ms).toBeGreaterThanOrEqual(295)
    expect(e.ms).toBeLessThan(700)
  })
})

describe('an SSE stream times out when set, not on a coarse tick', () => {
  async function timedStream(
    path: string,
    options: Parameters<typeof spec>[2],
  ): Promise<{ code: string; message: string; ms: number }> {
    const started = performance.now()
    const r = await service.invoke('sse.open', {
      request: spec(`${raw.url}${path}`, {}, options),
      stream: { reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    const { final } = await settle(service, r.value.sid)
    const ms = performance.now() - started
    if (final.type !== 'error') throw new Error(`expected an error, got ${final.type}`)
    return { code: final.code, message: final.message, ms }
  }

  it('a 400 ms headers timeout ends the stream at ~400 ms', async () => {
    const e = await timedStream('/hang', { headersTimeoutMs: 400 })
    expect(e.code).toBe('timeout_headers')
    expect(e.message).toContain(`Timed out waiting for response headers from 127.0.0.1:${raw.port}`)
    expect(e.ms).toBeGreaterThanOrEqual(395)
    expect(e.ms).toBeLessThan(800)
  })

  it('a 300 ms idle timeout ends a silent stream ~300 ms after its last event', async () => {
    const e = await timedStream('/events', { idleTimeoutMs: 300 })
    expect(e.code).toBe('timeout_idle')
    expect(e.message).toContain(`The response body from 127.0.0.1:${raw.port} stalled (idle timeout)`)
    expect(e.ms).toBeGreaterThanOrEqual(295)
    expect(e.ms).toBeLessThan(700)
  })
})
