import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { constants, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs'
import { createServer, Socket, type AddressInfo, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { done, makeService, send, sleep, spec } from './helpers'

/**
 * A slow disk is not an idle server. A body past the store's memory limit goes to a temp file; when the writes
 * fall behind, the exchange stops reading the socket, and the server's silence that follows is ours. Here the
 * body's temp file is a FIFO the test reads: while the test holds it, every write blocks for real, and the
 * idle timeout (300 ms) must not fire however long that lasts (1.2 s). Nor may the server closing the
 * connection while the response is paused end it: undici 7 threw an uncaught AssertionError then.
 */

/** More than the store's 4 MB of queued writes and the loopback socket buffers hold together. */
const BODY_BYTES = 32 * 1024 * 1024
const IDLE_MS = 300
const HOLD_MS = 1200

let server: Server
let port: number
let baseDir: string
let plain: Buffer
let text: Buffer
let gzipped: Buffer

beforeAll(async () => {
  plain = randomBytes(BODY_BYTES)
  // A body that compresses about 1000:1 (20 MB from ~20 KB: the bomb guard allows it below 64 MB), so its
  // first 12 KB on the wire hold far more than the store takes while it is behind.
  text = Buffer.alloc(20 * 1024 * 1024, 0x62)
  gzipped = gzipSync(text)
  // Raw HTTP/1.1, each response closing its connection: a small body; a big one sent as fast as the socket takes
  // it; a gzipped one whose rest and close come while the response is paused.
  server = createServer((socket) => {
    socket.on('error', () => undefined)
    socket.once('data', (head: Buffer) => {
      const path = head.toString('latin1').split(' ')[1]
      if (path === '/small') {
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nsmall')
        return
      }
      if (path === '/big-gzip') {
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Length: ${gzipped.length}\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n`,
        )
        // The rest comes with the close in one read of under 16 KB (a socket's read buffer), so the end of the
        // connection is seen at once, while the first piece is still in the decoder.
        socket.write(gzipped.subarray(0, 12 * 1024))
        setTimeout(() => socket.end(gzipped.subarray(12 * 1024)), IDLE_MS / 3)
        return
      }
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY_BYTES}\r\nConnection: close\r\n\r\n`)
      let sent = 0
      const more = (): void => {
        while (sent < BODY_BYTES) {
          const piece = plain.subarray(sent, sent + 64 * 1024)
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

/** The body stores' folders already used by a case. */
const used = new Set<string>()

/** Send `path` with its body's temp file held for HOLD_MS, then drained: it ends done with `expected`. */
async function sendHeld(path: string, expected: Buffer): Promise<void> {
  // Every body goes to disk from its first byte; one store (and folder) per case.
  const service = makeService({ tempDir: baseDir, memoryBodyLimit: 0 })
  // A first body makes the store's folder; the next body's file is the next id's (b1, b2, ...).
  const first = done(await send(service, spec(`http://127.0.0.1:${port}/small`)))
  const folder = readdirSync(baseDir).find((n) => n.startsWith('flightdeck-bodies-') && !used.has(n))
  if (!folder) throw new Error('the body store made no folder')
  used.add(folder)
  const fifo = join(baseDir, folder, `b${Number(first.body.id.slice(1)) + 1}.body`)
  execFileSync('mkfifo', [fifo])
  // Open for reading without waiting for a writer, and read nothing until the hold is over.
  const reader = new Socket({ fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK), readable: true })
  reader.pause()
  const stored: Buffer[] = []
  let storedBytes = 0
  const allStored = new Promise<void>((resolve) =>
    reader.on('data', (chunk: Buffer) => {
      stored.push(chunk)
      storedBytes += chunk.length
      if (storedBytes >= expected.length) resolve()
    }),
  )
  try {
    let ended = false
    const sent = send(
      service,
      spec(`http://127.0.0.1:${port}${path}`, {}, { idleTimeoutMs: IDLE_MS }),
    ).finally(() => (ended = true))
    await sleep(HOLD_MS)
    // Still going: the writes were held, not the response already over.
    expect(ended).toBe(false)
    reader.resume()
    const d = done(await sent)
    expect(d.body.onDisk).toBe(true)
    expect(d.body.size).toBe(expected.length)
    // Every byte went through the held writes, as the server sent it.
    await allStored
    expect(Buffer.concat(stored).equals(expected)).toBe(true)
  } finally {
    // Keep draining until the store has let go of the file: a write blocked on the FIFO would hold on.
    reader.resume()
    await service.dispose()
    reader.destroy()
  }
}

describe('the idle timeout and a slow body store', () => {
  it('does not count a body store that is behind as the server being idle', async () => {
    await sendHeld('/big', plain)
  })

  it('nor one behind a content decoder, and survives the server closing meanwhile', async () => {
    // undici 7 threw an AssertionError no code could catch when the server closed the connection while the
    // response was paused (nodejs/undici#5360): an uncaught exception in the process that hosts the engine.
    const uncaught: unknown[] = []
    const monitor = (e: unknown): void => void uncaught.push(e)
    process.on('uncaughtExceptionMonitor', monitor)
    try {
      await sendHeld('/big-gzip', text)
      await sleep(50)
    } finally {
      process.off('uncaughtExceptionMonitor', monitor)
    }
    expect(uncaught).toEqual([])
  })
})
