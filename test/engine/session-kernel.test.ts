import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createClock, type Clock } from '../../src/engine/clock'
import { BodyStore } from '../../src/engine/http/body-store'
import { classifyError } from '../../src/engine/http/errors'
import type { ExchangeMarks } from '../../src/engine/http/timings'
import type { ReconnectRules } from '../../src/engine/sessions/kernel/reconnect-policy'
import type { SessionAttempt } from '../../src/engine/sessions/kernel/session-attempt'
import { SessionKernel } from '../../src/engine/sessions/kernel/session-kernel'
import type { SessionTransport } from '../../src/engine/sessions/kernel/session-transport'
import { StreamLogStore } from '../../src/engine/streams/stream-log-store'
import type { TimelineEvent } from '../../src/shared/timeline'

/**
 * The session kernel on its own, with a protocol written for this test: lines over TCP. The server greets with
 * `HELLO`; every line after that is a message; a client that wants to leave sends `QUIT`, and the server
 * answers `BYE` and hangs up. This transport is the worked example of docs/architecture.md ("The session
 * kernel"): it connects, frames and closes; attempts, reconnects, events, the person's close and the end are
 * the kernel's.
 */
class LineTransport implements SessionTransport {
  private socket: Socket | null = null

  constructor(
    private readonly port: number,
    private readonly clock: Clock,
  ) {}

  connect(attempt: SessionAttempt): void {
    const marks: ExchangeMarks = { queuedAt: attempt.queuedAt, connectStart: this.clock.now() }
    attempt.marks = marks
    const socket = connect({ host: '127.0.0.1', port: this.port })
    this.socket = socket
    socket.setEncoding('utf8')
    socket.once('connect', () => {
      marks.connectEnd = marks.sendStart = marks.sendEnd = this.clock.now()
    })
    let buffered = ''
    socket.on('data', (chunk: string) => {
      buffered += chunk
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        const line = buffered.slice(0, i)
        buffered = buffered.slice(i + 1)
        if (attempt.isOpen) {
          attempt.record('in', 'line', line)
        } else if (line === 'HELLO') {
          marks.firstByte = this.clock.now()
          attempt.opened({ status: 200, mode: 'ndjson', marks })
        }
      }
    })
    socket.once('error', (e) => {
      const error = classifyError(e, `127.0.0.1:${this.port}`)
      attempt.ended({ reason: error.message, error, reconnectable: true, by: 'network' })
    })
    socket.once('end', () => {
      attempt.ended({ reason: 'The server hung up', reconnectable: true, by: 'server' })
      socket.destroy()
    })
  }

  abort(): void {
    this.socket?.destroy()
    this.socket = null
  }

  /** The protocol's own goodbye: the session ends when the server has hung up. */
  beginClose(attempt: SessionAttempt): boolean {
    if (!this.socket) return false
    this.socket.write('QUIT\n')
    attempt.record('out', 'line', 'QUIT')
    return true
  }

  release(): void {
    this.abort()
  }
}

/** A line server; `script` runs for each connection (0, 1, …) it accepts. */
interface LineServer {
  port: number
  connections: number
  /** Lines each connection sent, by connection. */
  heard: string[][]
  /** Connections the client hung up (seen from the server). */
  hungUp: number
  server: Server
}

const servers: Server[] = []
const kernels: SessionKernel[] = []
afterEach(async () => {
  for (const k of kernels.splice(0)) k.dispose()
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

async function lineServer(script: (socket: Socket, n: number, srv: LineServer) => void): Promise<LineServer> {
  const server = createServer()
  const s: LineServer = { port: 0, connections: 0, heard: [], hungUp: 0, server }
  server.on('connection', (socket) => {
    const n = s.connections++
    const heard: string[] = []
    s.heard.push(heard)
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => heard.push(...d.split('\n').filter(Boolean)))
    socket.on('close', () => s.hungUp++)
    socket.on('error', () => undefined)
    script(socket, n, s)
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  s.port = typeof address === 'object' && address ? address.port : 0
  return s
}

/** A kernel over the line transport, its events recorded. */
function session(port: number, reconnect: Partial<ReconnectRules> = {}) {
  const clock = createClock()
  const events: TimelineEvent[] = []
  const logs = new StreamLogStore({})
  const log = logs.create('l1')
  let ended: () => void = () => undefined
  const end = new Promise<void>((r) => (ended = r))
  const kernel = new SessionKernel(
    {
      sid: 'l1',
      kind: 'sse',
      tick: 'sse-event',
      ctx: { clock, emit: (e) => events.push(e), logs, bodies: new BodyStore() },
      log,
      reconnect: { enabled: false, maxRetries: 0, resetOn: 'message', delayMs: () => 10, ...reconnect },
      onEnd: () => ended(),
    },
    new LineTransport(port, clock),
  )
  kernels.push(kernel)
  const until = async (pred: (e: TimelineEvent) => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000
    while (!events.some(pred)) {
      if (Date.now() > deadline) throw new Error(`waited in vain; saw ${events.map((e) => e.type).join(',')}`)
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  const lines = () => log.read(0, 100, 100).entries.map((e) => `${e.dir} ${e.data}`)
  return {
    kernel,
    events,
    end,
    until,
    lines,
    start: () => kernel.start({ method: 'LINES', url: `tcp://127.0.0.1:${port}`, invalid: null }),
  }
}

const lifecycle = (events: TimelineEvent[]): string[] =>
  events.map((e) => {
    switch (e.type) {
      case 'stream-open':
        return `open#${e.attempt}`
      case 'stream-closed':
        return `closed(${e.by}${e.willRetry ? ', retry' : ''})`
      case 'retry':
        return `retry#${e.attempt} after ${e.delayMs} ms`
      case 'sse-event':
        return `${e.dir} ${e.preview}`
      default:
        return e.type
    }
  })

describe('session kernel, with a line protocol over TCP', () => {
  it('reconnects by its policy, counts failures in a row, and gives up saying so', async () => {
    // Connection 0 says two lines, connection 1 one line; then the server stops listening (refused).
    const srv = await lineServer((socket, n, s) => {
      if (n === 0) socket.end('HELLO\na\nb\n')
      else {
        socket.end('HELLO\nc\n')
        s.server.close()
      }
    })
    const s = session(srv.port, { enabled: true, maxRetries: 2, delayMs: (failures) => 10 + 10 * failures })
    s.start()
    await s.end
    expect(lifecycle(s.events)).toEqual([
      'queued',
      'open#0',
      'in a',
      'in b',
      'closed(server, retry)',
      // An attempt that delivered clears the count: the next wait is the shortest.
      'retry#1 after 10 ms',
      'open#1',
      'in c',
      'closed(server, retry)',
      'retry#2 after 10 ms',
      // Refused attempts never opened: no stream-closed, and each one counts.
      'retry#3 after 20 ms',
      'retry#4 after 30 ms',
      'error',
    ])
    const final = s.events.at(-1)
    expect(final).toMatchObject({
      type: 'error',
      code: 'refused',
      message: expect.stringMatching(
        /^Gave up after 3 failed connection attempts in a row: Connection refused/,
      ),
    })
    // The session's timings are its first connection's handshake, to the end.
    expect(final?.type === 'error' && final.timings.connect).toBeGreaterThanOrEqual(0)
    expect(s.lines()).toEqual(['in a', 'in b', 'in c'])
    // The retry reason is the previous attempt's end, in its transport's words.
    const retries = s.events.filter((e) => e.type === 'retry')
    expect(retries.map((e) => e.type === 'retry' && e.reason.split(' (')[0])).toEqual([
      'The server hung up',
      'The server hung up',
      expect.stringMatching(/^Connection refused/),
      expect.stringMatching(/^Connection refused/),
    ])
  })

  it('without reconnect, the server hanging up ends the session as done, with its status', async () => {
    const srv = await lineServer((socket) => socket.end('HELLO\nonly\n'))
    const s = session(srv.port)
    s.start()
    await s.end
    expect(lifecycle(s.events)).toEqual(['queued', 'open#0', 'in only', 'closed(server)', 'done'])
    expect(s.events.at(-1)).toMatchObject({ type: 'done', status: 200 })
  })

  it("the person's close on an open session goes through the protocol's goodbye, then ends it as done", async () => {
    const srv = await lineServer((socket) => {
      socket.write('HELLO\nhi\n')
      socket.on('data', (d: string) => {
        if (d.includes('QUIT')) socket.end('BYE\n')
      })
    })
    const s = session(srv.port, { enabled: true, maxRetries: 5 })
    s.start()
    await s.until((e) => e.type === 'sse-event')
    expect(s.kernel.close()).toBe(true)
    expect(s.kernel.state).toBe('closing')
    // A second close while the goodbye runs changes nothing.
    expect(s.kernel.close()).toBe(true)
    await s.end
    expect(lifecycle(s.events)).toEqual([
      'queued',
      'open#0',
      'in hi',
      'out QUIT',
      'in BYE',
      'closed(client)',
      'done',
    ])
    expect(s.events.find((e) => e.type === 'stream-closed')).toMatchObject({ reason: 'Closed by you' })
    expect(srv.heard[0]).toEqual(['QUIT'])
    expect(srv.connections).toBe(1)
    expect(s.kernel.close()).toBe(false)
  })

  it('a close before any connection opened cancels the session and drops the connection', async () => {
    const srv = await lineServer(() => undefined) // never says HELLO
    const s = session(srv.port)
    s.start()
    await new Promise((r) => setTimeout(r, 50))
    expect(srv.connections).toBe(1)
    s.kernel.close()
    await s.end
    expect(lifecycle(s.events)).toEqual(['queued', 'cancelled'])
    const deadline = Date.now() + 5000
    while (srv.hungUp < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    expect(srv.hungUp).toBe(1)
  })

  it('a close while waiting to reconnect ends the session at once, and no reconnect is made', async () => {
    const srv = await lineServer((socket) => socket.end('HELLO\n'))
    const s = session(srv.port, { enabled: true, maxRetries: 5, delayMs: () => 60_000 })
    s.start()
    await s.until((e) => e.type === 'retry')
    expect(s.kernel.state).toBe('waiting')
    s.kernel.close()
    await s.end
    expect(lifecycle(s.events)).toEqual([
      'queued',
      'open#0',
      'closed(server, retry)',
      'retry#1 after 60000 ms',
      'closed(client)',
      'done',
    ])
    await new Promise((r) => setTimeout(r, 50))
    expect(srv.connections).toBe(1)
  })

  it("what clears the count of failures in a row is the policy's: a message (SSE) or an open (WebSocket)", async () => {
    // A server that accepts and hangs up at once, over and over, without a message.
    const srv = await lineServer((socket) => socket.end('HELLO\n'))
    const bymessage = session(srv.port, { enabled: true, maxRetries: 2, resetOn: 'message' })
    bymessage.start()
    await bymessage.end
    const opens = (events: TimelineEvent[]) => events.filter((e) => e.type === 'stream-open').length
    expect(opens(bymessage.events)).toBe(3)
    // Giving up is a failure, though no attempt failed with an error of its own: never `done`.
    expect(bymessage.events.at(-1)).toMatchObject({
      type: 'error',
      code: 'reconnect_limit',
      message: 'Gave up after 3 connection attempts in a row that brought no message: The server hung up',
    })

    const byopen = session(srv.port, { enabled: true, maxRetries: 2, resetOn: 'open' })
    byopen.start()
    await byopen.until((e) => e.type === 'stream-open' && e.attempt === 5)
    byopen.kernel.close()
    await byopen.end
    expect(byopen.events.at(-1)?.type).toBe('done')
  })

  it('a dispose during the closing handshake ends the session at once, in the words of the close', async () => {
    const srv = await lineServer((socket) => socket.write('HELLO\n')) // never answers QUIT
    const s = session(srv.port)
    s.start()
    await s.until((e) => e.type === 'stream-open')
    s.kernel.close('Closed by you with a goodbye')
    s.kernel.dispose('Flightdeck is shutting down')
    await s.end
    expect(lifecycle(s.events)).toEqual(['queued', 'open#0', 'out QUIT', 'closed(client)', 'done'])
    expect(s.events.find((e) => e.type === 'stream-closed')).toMatchObject({
      reason: 'Closed by you with a goodbye',
    })
  })

  it('a request that cannot be made ends right after queued, and nothing connects', async () => {
    const srv = await lineServer(() => undefined)
    const s = session(srv.port)
    s.kernel.start({
      method: 'LINES',
      url: 'tcp://nowhere',
      invalid: { code: 'invalid_url', message: 'Invalid URL' },
    })
    await s.end
    expect(lifecycle(s.events)).toEqual(['queued', 'error'])
    expect(s.events[0]).toMatchObject({ kind: 'sse', method: 'LINES', url: 'tcp://nowhere', hop: 0 })
    expect(srv.connections).toBe(0)
  })
})
