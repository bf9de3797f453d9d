import { execFileSync } from 'node:child_process'
import { constants, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs'
import { createServer, Socket, type AddressInfo, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { done, makeService, send, sleep, spec } from './helpers'

/**
 * A slow disk is not an idle server. A body past the store's memory limit goes to a temp file; when the writes
 * fall behind, the exchange stops reading the socket, and the server's silence that follows is ours. Here the
 * body's temp file is a FIFO the test reads: while the test holds it, every write blocks for real, and the
 * idle timeout (300 ms) must not fire however long that lasts (1.2 s).
 */

/** More than the store's 4 MB of queued writes and the loopback socket buffers hold together. */
const BODY_BYTES = 32 * 1024 * 1024
const IDLE_MS = 300
const HOLD_MS = 1200

let server: Server
let port: number
let baseDir: string

beforeAll(async () => {
  // Raw HTTP/1.1: a small body, and a big one sent as fast as the socket takes it.
  server = createServer((socket) => {
    socket.on('error', () => undefined)
    socket.once('data', (head: Buffer) => {
      const path = head.toString('latin1').split(' ')[1]
      if (path === '/small') {
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nsmall')
        return
      }
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY_BYTES}\r\nConnection: close\r\n\r\n`)
      const piece = Buffer.alloc(64 * 1024, 0x62)
      let sent = 0
      const more = (): void => {
        while (sent < BODY_BYTES) {
          sent += piece.length
          if (!socket.write(piece)) {
            socket.once('drain', more)
            return
          }
        }
        socket.end()
      }
      more()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  baseDir = mkdtempSync(join(tmpdir(), 'flightdeck-slow-store-'))
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(baseDir, { recursive: true, force: true })
})

describe('the idle timeout and a slow body store', () => {
  it('does not count a body store that is behind as the server being idle', async () => {
    // Every body goes to disk from its first byte.
    const service = makeService({ tempDir: baseDir, memoryBodyLimit: 0 })
    // A first body makes the store's folder; the next body's file is the next id's (b1, b2, ...).
    const first = done(await send(service, spec(`http://127.0.0.1:${port}/small`)))
    const folder = readdirSync(baseDir).find((n) => n.startsWith('flightdeck-bodies-'))
    if (!folder) throw new Error('the body store made no folder')
    const fifo = join(baseDir, folder, `b${Number(first.body.id.slice(1)) + 1}.body`)
    execFileSync('mkfifo', [fifo])
    // Open for reading without waiting for a writer, and read nothing until the hold is over.
    const reader = new Socket({
      fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK),
      readable: true,
    })
    reader.pause()
    let stored = 0
    const allStored = new Promise<void>((resolve) =>
      reader.on('data', (chunk: Buffer) => {
        stored += chunk.length
        if (stored >= BODY_BYTES) resolve()
      }),
    )
    try {
      let ended = false
      const sent = send(
        service,
        spec(`http://127.0.0.1:${port}/big`, {}, { idleTimeoutMs: IDLE_MS }),
      ).finally(() => (ended = true))
      await sleep(HOLD_MS)
      // Still going: the writes were held, not the response already over.
      expect(ended).toBe(false)
      reader.resume()
      const d = done(await sent)
      expect(d.body.onDisk).toBe(true)
      expect(d.body.size).toBe(BODY_BYTES)
      // Every byte went through the held writes.
      await allStored
      expect(stored).toBe(BODY_BYTES)
    } finally {
      // Keep draining until the store has let go of the file: a write blocked on the FIFO would hold on.
      reader.resume()
      await service.dispose()
      reader.destroy()
    }
  })
})
