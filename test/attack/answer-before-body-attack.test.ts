import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { bodyText, done, makeService, send, sleep, spec, writeTemp } from '../engine/helpers'

/**
 * A server that answers a POST on its head alone (413, as a proxy with a body limit does) and closes the connection
 * while the 32 MB body is still going out: with a FIN, or a reset 20 ms after the answer. The person sees the
 * server's answer, not a write error, within a bounded time, and the next request goes on a new connection.
 */
let server: Server
let url = ''
const sockets = new Set<Socket>()
let service: EngineService
const big = writeTemp('big.bin', Buffer.alloc(32 * 1024 * 1024, 'a'))

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    socket.once('data', (head: Buffer) => {
      const text = head.toString('latin1')
      if (text.startsWith('GET ')) {
        socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n')
        return
      }
      socket.write(
        'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\nConnection: close\r\n\r\ntoo large',
      )
      if (text.startsWith('POST /reset')) setTimeout(() => socket.resetAndDestroy(), 20)
      else socket.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('a server that answers a POST before reading its body, and closes', () => {
  it.each(['/fin', '/reset'])('%s: the answer is shown, bounded, and the next request goes', async (path) => {
    const started = Date.now()
    const r = await Promise.race([
      send(service, spec(`${url}${path}`, { method: 'POST', body: { kind: 'file', path: big } })),
      sleep(10_000).then(() => null),
    ])
    if (!r) throw new Error('the POST did not end within 10 s')
    expect(Date.now() - started).toBeLessThan(10_000)
    const d = done(r)
    expect(d.status).toBe(413)
    expect(await bodyText(service, d)).toBe('too large')
    expect(done(await send(service, spec(`${url}/next`))).status).toBe(204)
  })
})
