import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { done, eventsOf, makeService, send, spec } from '../engine/helpers'

/**
 * A server that uses the engine's resend of an idempotent request cut off on a reused connection (closed before
 * any byte of an answer, reused-close-resend.ts) against it: it answers each connection's first request (slowly,
 * so several connections are opened and left idle in the pool) and closes the connection under every other
 * request, and under any request for /cut, however new the connection. The GET goes twice, the second time on a
 * connection of its own (not on another idle one the server would close the same way), and never a third time;
 * a POST once.
 */

let raw: RawServer
let service: EngineService
const answered = new WeakSet<Socket>()

beforeAll(async () => {
  raw = await startRawServer((socket, head) => {
    const path = pathOf(head)
    if (answered.has(socket) || path.startsWith('/cut')) {
      socket.destroy()
      return
    }
    answered.add(socket)
    setTimeout(() => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`), 150)
  })
  service = makeService()
})

afterAll(async () => {
  await service.dispose()
  await raw.close()
})

const heard = (path: string): number => raw.heads.filter((h) => pathOf(h) === path).length

/** Four kept-alive connections, idle in the pool. */
async function warm(round: string): Promise<void> {
  const warmed = await Promise.all(
    [1, 2, 3, 4].map((i) => send(service, spec(`${raw.url}/warm/${round}/${i}`))),
  )
  for (const r of warmed) done(r)
}

describe('a server that closes every reused connection', () => {
  it('a GET goes twice, the second time on a new connection, never a third', async () => {
    await warm('get')
    const r = await send(service, spec(`${raw.url}/cut/get`))
    expect(r.final.type).toBe('error')
    expect(eventsOf(r, 'request-sent').map((s) => s.reused)).toEqual([true, false])
    expect(heard('/cut/get')).toBe(2)
  })

  it('four GETs at once on the four idle connections: each goes twice at most', async () => {
    await warm('many')
    const rs = await Promise.all([1, 2, 3, 4].map((i) => send(service, spec(`${raw.url}/cut/many/${i}`))))
    for (const [i, r] of rs.entries()) {
      expect(r.final.type).toBe('error')
      expect(eventsOf(r, 'request-sent').length).toBeLessThanOrEqual(2)
      expect(heard(`/cut/many/${i + 1}`)).toBeLessThanOrEqual(2)
    }
  })

  it('a POST goes once', async () => {
    await warm('post')
    const r = await send(
      service,
      spec(`${raw.url}/cut/post`, {
        method: 'POST',
        body: { kind: 'text', text: 'n=1', contentType: 'text/plain' },
      }),
    )
    expect(r.final.type).toBe('error')
    expect(heard('/cut/post')).toBe(1)
  })
})
