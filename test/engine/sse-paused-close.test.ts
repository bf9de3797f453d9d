import { createServer, type AddressInfo, type Server } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeService, spec } from './helpers'
import { settle } from './stream-helpers'

/**
 * A compressed event stream the server closes while the engine's decoder is still working through an earlier
 * piece. Its last piece then finds the decoder full, so the connection is paused when the server's close is
 * read; undici 7 threw an AssertionError no code could catch there (nodejs/undici#5360): an uncaught exception
 * in the process that hosts the engine. The stream must end as any stream the server ends.
 */

const EVENTS = 1_000_000
let server: Server
let port: number

beforeAll(async () => {
  // Many small events compress well: the first 12 KB on the wire take the decoder a good while.
  const gz = gzipSync(Buffer.from('data: x\n\n'.repeat(EVENTS)))
  server = createServer((socket) => {
    socket.on('error', () => undefined)
    socket.once('data', () => {
      socket.write(
        'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n',
      )
      socket.write(gz.subarray(0, 12 * 1024))
      // The rest, under 16 KB, with the close: read in one go, while the first piece is still decoding.
      setTimeout(() => socket.end(gz.subarray(12 * 1024)), 20)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('an SSE stream closed while its decoder is behind', () => {
  it('ends as the server ended it, with no uncaught exception', async () => {
    const service = makeService()
    const uncaught: unknown[] = []
    const monitor = (e: unknown): void => void uncaught.push(e)
    process.on('uncaughtExceptionMonitor', monitor)
    try {
      const r = await service.invoke('sse.open', {
        request: spec(`http://127.0.0.1:${port}/events`),
        stream: { reconnect: false },
      })
      if (!r.ok) throw new Error(r.error.message)
      const { final } = await settle(service, r.value.sid)
      expect(final.type).toBe('done')
    } finally {
      process.off('uncaughtExceptionMonitor', monitor)
      await service.dispose()
    }
    expect(uncaught).toEqual([])
  })
})
