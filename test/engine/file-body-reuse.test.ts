import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { done, makeService, send, spec, writeTemp } from './helpers'

/**
 * A file body over 64 KB is streamed from the file. A server that answers the moment the body's last byte
 * arrives (before the client's stream has said it ended) must not cost the next request a new connection. A
 * raw HTTP/1.1 server on 127.0.0.1 counts connections and answers each request on its last body byte.
 */
let server: Server
let url = ''
let connections = 0
const sockets = new Set<Socket>()
const SIZE = 200 * 1024
const REQUESTS = 50

beforeAll(async () => {
  server = createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let buffered = Buffer.alloc(0)
    let left = -1
    socket.on('data', (chunk: Buffer) => {
      if (left < 0) {
        buffered = Buffer.concat([buffered, chunk])
        const end = buffered.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buffered.subarray(0, end).toString('latin1')
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        left = length - (buffered.length - end - 4)
        buffered = Buffer.alloc(0)
      } else left -= chunk.length
      if (left === 0) {
        left = -1
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`
})
afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('a 200 KB file body answered on its last byte', () => {
  it('keeps the connection for the next request', async () => {
    const service: EngineService = makeService()
    const file = writeTemp('big.bin', Buffer.alloc(SIZE, 0x62))
    try {
      for (let i = 0; i < REQUESTS; i++)
        expect(
          done(await send(service, spec(url, { method: 'PUT', body: { kind: 'file', path: file } }))).status,
        ).toBe(200)
      expect(connections).toBe(1)
    } finally {
      await service.dispose()
    }
  })
})
