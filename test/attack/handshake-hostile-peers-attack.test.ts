import { createHash } from 'node:crypto'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from '../engine/helpers'

/**
 * WebSocket and Socket.IO peers written by hand on a raw socket, the way a hostile or broken server behaves:
 * an upgrade answered with 40 KB or 300 KB of headers, and a handshake never answered. The words say what
 * happened: not "malformed" for large headers, not "could not connect" for a connection that was up.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/** A TCP server that hands each connection's first request head to `onHead`. */
async function rawPeer(
  onHead: (socket: Socket, head: string) => void,
): Promise<{ port: number; server: Server }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.once('close', () => sockets.delete(socket))
    let head = ''
    socket.on('data', (c: Buffer) => {
      if (head.endsWith('\r\n\r\n')) return
      head += c.toString('latin1')
      if (head.endsWith('\r\n\r\n')) onHead(socket, head)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  )
  return { port: (server.address() as AddressInfo).port, server }
}

/** The 101 answer to a head, with `extra` header lines. */
function switching(head: string, extra = ''): string {
  const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? ''
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64')
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`
}

function filler(bytes: number): string {
  const line = `X-Filler: ${'a'.repeat(90)}\r\n`
  return line.repeat(Math.ceil(bytes / line.length))
}

let service: EngineService | null = null
const closers: (() => Promise<void>)[] = []

afterEach(async () => {
  await service?.dispose()
  for (const close of closers.splice(0)) await close()

  service = null
})

async function wsEnd(port: number, options: Record<string, unknown> = {}): Promise<string> {
  service = makeService()
  const r = await service.invoke('ws.open', {
    url: `ws://127.0.0.1:${port}/`,
    headers: [],
    protocols: [],
    options,
  })
  if (!r.ok) throw new Error(r.error.message)
  const opened = new Promise<string>((resolve) => {
    const off = service?.subscribe((b) => {
      if (b.events.some((e) => e.sid === r.value.sid && e.type === 'stream-open')) {
        off?.()
        resolve('open')
      }
    })
  })
  const end = service.streams
    .wait(r.value.sid)
    .then((o) => (o.final.type === 'error' ? `${o.final.code}: ${o.final.message}` : o.final.type))
  return Promise.race([opened, end])
}

describe('WebSocket and Socket.IO handshakes from hostile peers', () => {
  it('an upgrade answered with 40 KB of headers opens, as an HTTP response with them would', async () => {
    const { port } = await rawPeer((s, head) => s.write(switching(head, filler(40 * 1024))))
    expect(await wsEnd(port)).toBe('open')
  })

  it('an upgrade answered with 300 KB of headers fails saying how large, not "malformed"', async () => {
    const { port } = await rawPeer((s, head) => s.write(switching(head, filler(300 * 1024))))
    expect(await wsEnd(port)).toBe(
      `protocol: The response headers from 127.0.0.1:${port} are larger than 256 KB, the most Flightdeck reads (as browsers do)`,
    )
  })

  it('an upgrade never answered: the timeout says what was not answered, and after how long', async () => {
    const { port } = await rawPeer(() => undefined)
    expect(await wsEnd(port, { connectTimeoutMs: 500 })).toBe(
      `timeout_connect: Timed out opening the WebSocket to 127.0.0.1:${port}: no answer to the upgrade within 500 ms`,
    )
  })

  it('a Socket.IO handshake never answered is a timeout, not "could not connect"', async () => {
    const { port } = await rawPeer(() => undefined)
    service = makeService()
    const r = await service.invoke('socketio.open', {
      url: `http://127.0.0.1:${port}`,
      headers: [],
      query: [],
      listen: [],
      options: { connectTimeoutMs: 1000 },
    })
    if (!r.ok) throw new Error(r.error.message)
    const o = await service.streams.wait(r.value.sid)
    expect(o.final.type === 'error' && `${o.final.code}: ${o.final.message}`).toBe(
      `timeout_connect: Timed out opening Socket.IO at 127.0.0.1:${port}: no handshake answer on /socket.io within 1 s (is it a Socket.IO server, on that path?)`,
    )
  })
})
