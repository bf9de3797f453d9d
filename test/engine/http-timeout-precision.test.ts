import { rmSync } from 'node:fs'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { startHttp2Server, type TlsFixture } from '../fixtures/servers'
import { eventsOf, makeService, send, spec, writeTemp } from './helpers'
import { bodyPieces, LoopTicks, TURNS_TO_REPORT } from './loop-ticks'
import { settle } from './stream-helpers'

/**
 * A timeout a person sets fires close to when they set it. undici batches its own headers and body timers on a
 * coarse tick (about a second), which made a 400 ms headers timeout fire at ~1 s; the engine times these
 * phases itself. Bounds: never before the time set (minus a few ms of clock rounding), and no later than the
 * few turns of the event loop its error takes once its timer was due (LoopTicks: turns, not ms, so a loaded
 * machine does not fail it; undici's tick let hundreds of turns pass).
 */

let raw: RawServer
let h2: TlsFixture
let service: EngineService
/** performance.now() minus the engine's clock: puts the engine's event times on the ticks' clock. */
let clockOffset = 0

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
      // A body that keeps coming (every 50 ms, under a 500 ms idle timeout) for 700 ms, then stalls. A stall of
      // this process longer than the idle time less the gap fires the engine's timer before it reads the
      // waiting byte: the gap is kept short beside the idle time so that only a 450 ms stall could.
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n')
      let n = 0
      const timer = setInterval(() => {
        if (socket.destroyed || ++n > 14) {
          clearInterval(timer)
          return
        }
        socket.write('x')
      }, 50)
      socket.once('close', () => clearInterval(timer))
      return
    }
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
  })
  h2 = await startHttp2Server()
  service = makeService()
  clockOffset = performance.now() - service.clock.now()
})
afterAll(async () => {
  await service.dispose()
  await raw.close()
  await h2.close()
})

interface TimedEnd {
  code: string
  message: string
  /** Wall time from the send to the error: a lower bound only (a busy machine only makes it longer). */
  ms: number
  /** When the send began and when the error came (performance.now() times). */
  startedAt: number
  endedAt: number
  /** Turns of the event loop between `dueAt` (a performance.now() time) and the error. */
  turnsPast(dueAt: number): number
  /** When the engine had sent the request (a performance.now() time), NaN if it never did. */
  sentAt: number
  /** When the engine was last handed a piece of the response's body, NaN if never. */
  lastReceivedAt: number
  /** When the engine last sent the request's headers or a piece of its body, NaN if never. */
  lastSentAt: number
}

/**
 * Runs `run`, ticking. A phase starts at what the engine itself saw: its request sent (the headers phase began no
 * later), the last piece of a response body undici handed it (the idle phase counts from there; reading the first
 * response of a fresh engine takes many turns, so the server's write would start the count too early), or the
 * last piece of a request body it sent.
 */
async function timed(run: () => Promise<{ code: string; message: string; sid: string }>): Promise<TimedEnd> {
  const ticks = new LoopTicks()
  const pieces = bodyPieces()
  const seen: { type: string; sid: string; t: number }[] = []
  const unsubscribe = service.subscribe((batch) => {
    for (const e of batch.events) {
      if (e.type === 'request-sent') seen.push({ type: e.type, sid: e.sid, t: e.t })
    }
  })
  try {
    const started = performance.now()
    const { code, message, sid } = await run()
    const endedAt = performance.now()
    service.flush()
    const at = (type: string): number => {
      const t = seen.find((e) => e.type === type && e.sid === sid)?.t
      return t === undefined ? Number.NaN : t + clockOffset
    }
    return {
      code,
      message,
      ms: endedAt - started,
      startedAt: started,
      endedAt,
      turnsPast: (dueAt) => ticks.between(dueAt, endedAt),
      sentAt: at('request-sent'),
      lastReceivedAt: pieces.lastReceived(),
      lastSentAt: pieces.lastSent(),
    }
  } finally {
    pieces.dispose()
    unsubscribe()
    ticks.stop()
  }
}

function timedError(path: string, options: Parameters<typeof spec>[2]): Promise<TimedEnd> {
  return timed(async () => {
    const r = await send(service, spec(`${raw.url}${path}`, {}, options))
    if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
    return r.final
  })
}

describe('request timeouts fire when set, not on a coarse tick', () => {
  it('a 400 ms headers timeout errors at ~400 ms', async () => {
    const e = await timedError('/hang', { headersTimeoutMs: 400 })
    expect(e.code).toBe('timeout_headers')
    expect(e.message).toBe(`Timed out waiting for response headers from 127.0.0.1:${raw.port}`)
    expect(e.ms).toBeGreaterThanOrEqual(395)
    // The phase began as the request went out: its timer was due 400 ms after the request was sent at the latest.
    expect(e.turnsPast(e.sentAt + 400)).toBeLessThanOrEqual(TURNS_TO_REPORT)
  })

  it('a 300 ms idle timeout errors ~300 ms after the body stalls', async () => {
    const e = await timedError('/stall', { idleTimeoutMs: 300 })
    expect(e.code).toBe('timeout_idle')
    expect(e.message).toBe(`The response body from 127.0.0.1:${raw.port} stalled (idle timeout)`)
    expect(e.ms).toBeGreaterThanOrEqual(295)
    // Due 300 ms after the engine was handed the first (and last) piece of the body.
    expect(e.turnsPast(e.lastReceivedAt + 300)).toBeLessThanOrEqual(TURNS_TO_REPORT)
  })

  it('the idle timeout counts from the last byte, not from the headers', async () => {
    // Bytes at 50..700 ms keep the body alive past the 500 ms counted from the headers; it stalls after the last
    // one, so the error comes 500 ms after that (~1.2 s).
    const e = await timedError('/trickle', { idleTimeoutMs: 500 })
    expect(e.code).toBe('timeout_idle')
    expect(e.lastReceivedAt - e.startedAt).toBeGreaterThanOrEqual(700)
    expect(e.endedAt - e.lastReceivedAt).toBeGreaterThanOrEqual(495)
    expect(e.turnsPast(e.lastReceivedAt + 500)).toBeLessThanOrEqual(TURNS_TO_REPORT)
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
      const e = await timed(async () => {
        const r = await send(
          service,
          spec(
            `http://127.0.0.1:${deaf.port}/upload`,
            { method: 'POST', body: { kind: 'file', path: upload.file } },
            { headersTimeoutMs: 400 },
          ),
        )
        if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
        return r.final
      })
      expect(e.code).toBe('timeout_headers')
      expect(e.message).toBe(`Timed out waiting for response headers from 127.0.0.1:${deaf.port}`)
      expect(e.ms).toBeGreaterThanOrEqual(395)
      // Due 400 ms after the last piece went out; undici's own timer fired at 1 s or more.
      expect(e.turnsPast(e.lastSentAt + 400)).toBeLessThanOrEqual(TURNS_TO_REPORT)
    } finally {
      upload.remove()
      await deaf.close()
    }
  })

  it('ends an SSE stream whose file body is not read in the headers phase, when set', async () => {
    const deaf = await startDeafServer()
    const upload = bigUpload()
    try {
      const e = await timed(async () => {
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
        if (final.type !== 'error') throw new Error(`expected an error, got ${final.type}`)
        return final
      })
      expect(e.code).toBe('timeout_headers')
      expect(e.message).toContain(`Timed out waiting for response headers from 127.0.0.1:${deaf.port}`)
      expect(e.ms).toBeGreaterThanOrEqual(395)
      // Due 400 ms after the last piece went out; undici's ~1 s tick let it come ~600 ms late.
      expect(e.turnsPast(e.lastSentAt + 400)).toBeLessThanOrEqual(TURNS_TO_REPORT)
    } finally {
      upload.remove()
      await deaf.close()
    }
  })
})

describe("over HTTP/2, where undici timed these with the stream's own timer", () => {
  // The engine's timers replace undici's here too: the same precision and words as over HTTP/1.1.
  function timedH2(path: string, options: Parameters<typeof spec>[2]): Promise<TimedEnd> {
    const caFile = writeTemp('h2-timeouts-ca.pem', h2.caPem)
    return timed(async () => {
      const r = await send(service, spec(`${h2.url}${path}`, {}, { caFile, ...options }))
      if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
      expect(eventsOf(r, 'request-sent')[0]?.protocol).toBe('h2')
      return r.final
    })
  }

  it('a 400 ms headers timeout errors at ~400 ms', async () => {
    const e = await timedH2('/hang', { headersTimeoutMs: 400 })
    expect(e.code).toBe('timeout_headers')
    expect(e.message).toBe(`Timed out waiting for response headers from ${new URL(h2.url).host}`)
    expect(e.ms).toBeGreaterThanOrEqual(395)
    expect(e.turnsPast(e.sentAt + 400)).toBeLessThanOrEqual(TURNS_TO_REPORT)
  })

  it('a 300 ms idle timeout errors ~300 ms after the body stalls', async () => {
    const e = await timedH2('/stall-body', { idleTimeoutMs: 300 })
    expect(e.code).toBe('timeout_idle')
    expect(e.ms).toBeGreaterThanOrEqual(295)
    // The body stalls after its first bytes: due 300 ms after the engine was handed them.
    expect(e.turnsPast(e.lastReceivedAt + 300)).toBeLessThanOrEqual(TURNS_TO_REPORT)
  })
})

describe('an SSE stream times out when set, not on a coarse tick', () => {
  function timedStream(path: string, options: Parameters<typeof spec>[2]): Promise<TimedEnd> {
    return timed(async () => {
      const r = await service.invoke('sse.open', {
        request: spec(`${raw.url}${path}`, {}, options),
        stream: { reconnect: false },
      })
      if (!r.ok) throw new Error(r.error.message)
      const { final } = await settle(service, r.value.sid)
      if (final.type !== 'error') throw new Error(`expected an error, got ${final.type}`)
      return final
    })
  }

  it('a 400 ms headers timeout ends the stream at ~400 ms', async () => {
    const e = await timedStream('/hang', { headersTimeoutMs: 400 })
    expect(e.code).toBe('timeout_headers')
    expect(e.message).toContain(`Timed out waiting for response headers from 127.0.0.1:${raw.port}`)
    expect(e.ms).toBeGreaterThanOrEqual(395)
    expect(e.turnsPast(e.sentAt + 400)).toBeLessThanOrEqual(TURNS_TO_REPORT)
  })

  it('a 300 ms idle timeout ends a silent stream ~300 ms after its last event', async () => {
    const e = await timedStream('/events', { idleTimeoutMs: 300 })
    expect(e.code).toBe('timeout_idle')
    expect(e.message).toContain(`The response body from 127.0.0.1:${raw.port} stalled (idle timeout)`)
    expect(e.ms).toBeGreaterThanOrEqual(295)
    // The silence counts from the piece of the body that held the one event.
    expect(e.turnsPast(e.lastReceivedAt + 300)).toBeLessThanOrEqual(TURNS_TO_REPORT)
  })
})
