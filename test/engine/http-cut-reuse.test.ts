import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { done, eventsOf, makeService, send, sleep, spec, writeTemp } from './helpers'

/**
 * A connection cut under a request must cost the pool that connection alone. The server here counts the
 * connections it is given; it answers each request (204) once its body has arrived, and cuts a connection (no
 * answer) when /cut arrives on it as its second request.
 */
interface CountingServer {
  url: string
  connections: () => number
  close(): Promise<void>
}

async function startCountingServer(): Promise<CountingServer> {
  let connections = 0
  const sockets = new Set<Socket>()
  const answer = (socket: Socket): boolean => socket.write('HTTP/1.1 204 No Content\r\n\r\n')
  const server: Server = createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let head = ''
    let heads = 0
    /** Body bytes still to come of the request being read. */
    let bodyLeft = 0
    socket.on('data', (chunk: Buffer) => {
      let data = chunk.toString('latin1')
      while (data.length > 0) {
        if (bodyLeft > 0) {
          const n = Math.min(bodyLeft, data.length)
          bodyLeft -= n
          data = data.slice(n)
          if (bodyLeft === 0) answer(socket)
          continue
        }
        head += data
        data = ''
        const end = head.indexOf('\r\n\r\n')
        if (end === -1) {
          if (head.length > 64 * 1024) socket.destroy()
          return
        }
        data = head.slice(end + 4)
        const text = head.slice(0, end)
        head = ''
        if (++heads > 1 && text.startsWith('POST /cut ')) {
          socket.destroy()
          return
        }
        bodyLeft = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? 0)
        if (bodyLeft === 0) answer(socket)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

describe('after a POST is cut mid-body on a reused connection', () => {
  let server: CountingServer
  let service: EngineService
  /** Past what undici writes in one turn: the cut comes while its body is going out. */
  const large = writeTemp('large.bin', Buffer.alloc(8 * 1024 * 1024, 'a'))
  beforeAll(async () => {
    service = makeService()
    server = await startCountingServer()
  })
  afterAll(async () => {
    await service.dispose()
    await server.close()
  })

  it('the requests that follow share one new connection', async () => {
    done(await send(service, spec(`${server.url}/warm`)))
    const cut = await send(
      service,
      spec(`${server.url}/cut`, { method: 'POST', body: { kind: 'file', path: large } }),
    )
    if (cut.final.type !== 'error') throw new Error(`expected an error, got ${cut.final.type}`)
    expect(cut.final.message).toMatch(/the POST was not sent again/)
    const before = server.connections()
    const reused: boolean[] = []
    // One after another, a pause between them as between a person's sends.
    for (let i = 0; i < 6; i++) {
      const r = await send(service, spec(`${server.url}/next-${i}`))
      expect(done(r).status).toBe(204)
      reused.push(eventsOf(r, 'request-sent')[0]?.reused ?? false)
      await sleep(20)
    }
    expect(server.connections() - before).toBe(1)
    expect(reused).toEqual([false, true, true, true, true, true])
  })

  it('small file bodies answered as their last byte arrives share one connection', async () => {
    const small = writeTemp('small.json', '{"a":1}')
    const before = server.connections()
    for (let i = 0; i < 20; i++) {
      const r = await send(
        service,
        spec(`${server.url}/put-${i}`, { method: 'PUT', body: { kind: 'file', path: small } }),
      )
      expect(done(r).status).toBe(204)
    }
    expect(server.connections() - before).toBeLessThanOrEqual(1)
  })
})
