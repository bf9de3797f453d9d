import { createServer as createHttpServer } from 'node:http'
import { createServer as createH2Server, type ServerHttp2Stream } from 'node:http2'
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { GRPC_CONNECT_TIMEOUT_MS } from '../../src/engine/grpc/grpc-connect-wait'
import { ECHO_PROTO, PROTO_DIR } from '../fixtures/grpc/grpc-server'
import { call, grpcRig, invoke, type GrpcRig } from '../engine/grpc-helpers'

/**
 * gRPC peers nobody here wrote, through the real engine: an HTTP/1.1 server on the port, a peer that accepts
 * TCP and never speaks HTTP/2, a compression bomb, and a server whose trailers have 200 entries. Each ends the
 * call in words that say what happened and who did it; none is shown as an opened call when nothing opened.
 */

const PROTOS = { kind: 'proto' as const, files: [ECHO_PROTO], importPaths: [PROTO_DIR] }
const BIG = 'flightdeck.test.Echo/Big'

/** A length-prefixed gRPC message. */
function framed(payload: Buffer, compressed: boolean): Buffer {
  const head = Buffer.alloc(5)
  head[0] = compressed ? 1 : 0
  head.writeUInt32BE(payload.length, 1)
  return Buffer.concat([head, payload])
}

/** `Blob { bytes data = 1 }` holding `n` zero bytes. */
function blob(n: number): Buffer {
  const len: number[] = []
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      len.push(v)
      break
    }
    len.push((v & 127) | 128)
  }
  return Buffer.concat([Buffer.from([0x0a, ...len]), Buffer.alloc(n)])
}

let rig: GrpcRig | null = null
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  rig?.close()
  rig = null
  for (const close of closers.splice(0)) await close()
})

async function listen(server: Server | ReturnType<typeof createH2Server>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A raw HTTP/2 server answering every call with `answer`. */
async function h2(answer: (stream: ServerHttp2Stream) => void): Promise<string> {
  const server = createH2Server()
  server.on('stream', (stream) => {
    stream.on('error', () => undefined)
    answer(stream)
  })
  return listen(server)
}

async function ended(
  target: string,
): Promise<{ message: string; code: string; by: string; opened: boolean }> {
  rig = grpcRig()
  const { sid, outcome } = await invoke(rig, call(target, BIG, [{}], { schema: PROTOS }))
  const closed = rig.rec.of(sid).find((e) => e.type === 'stream-closed')
  const f = outcome.final
  return {
    message: f.type === 'error' ? f.message : f.type,
    code: f.type === 'error' ? f.code : f.type,
    by: closed?.type === 'stream-closed' ? closed.by : 'none',
    opened: rig.rec.of(sid).some((e) => e.type === 'stream-open'),
  }
}

describe('gRPC: a hostile or mistaken server', () => {
  it('an HTTP/1.1 server on the port: not opened, and the words say it did not answer in HTTP/2', async () => {
    const server = createHttpServer((_req, res) => res.end('hello'))
    const target = await listen(server)
    const end = await ended(target)
    expect(end.opened).toBe(false)
    expect(end.message).toBe(
      `UNAVAILABLE (14): No connection established. Last error: Protocol error: ${target} did not answer in HTTP/2 (an HTTP/1.1 server, or no gRPC server at all?)`,
    )
  })

  it('a peer that accepts TCP and never speaks HTTP/2: a connect timeout in words, not a call held for ever', async () => {
    const sockets = new Set<Socket>()
    const server = createTcpServer((s) => {
      sockets.add(s)
      s.on('error', () => undefined)
    })
    closers.push(async () => {
      for (const s of sockets) s.destroy()
    })
    const target = await listen(server)
    const started = Date.now()
    const end = await ended(target)
    expect(end.code).toBe('timeout_connect')
    expect(end.message).toBe(
      `UNAVAILABLE (14): No HTTP/2 connection to ${target} within 10 s: the server did not complete the handshake (is it a gRPC server, and does it want TLS?)`,
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(GRPC_CONNECT_TIMEOUT_MS - 50)
    expect(Date.now() - started).toBeLessThan(GRPC_CONNECT_TIMEOUT_MS + 5000)
  }, 30_000)

  it('a gzip bomb (64 KB that inflates to 64 MB) is cut at the message limit, by Flightdeck, saying how to raise it', async () => {
    const bomb = gzipSync(blob(64 * 1024 * 1024))
    const target = await h2((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-encoding': 'gzip' })
      stream.end(framed(bomb, true))
    })
    const end = await ended(target)
    expect(end.by).toBe('client')
    expect(end.message).toBe(
      'RESOURCE_EXHAUSTED (8): Received message that decompresses to a size larger than 4194304: a received message is past the 4 MB limit on a message (raise maxMessageBytes, or --max-msg-sz on the CLI)',
    )
  })

  it('trailers with 200 entries: the reset is explained, not left as "bandwidth exhausted"', async () => {
    const target = await h2((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
      const trailers: Record<string, string> = { 'grpc-status': '0' }
      for (let i = 0; i < 200; i++) trailers[`x-t${i}`] = 'v'
      stream.on('wantTrailers', () => stream.sendTrailers(trailers))
      stream.end(framed(blob(3), false))
    })
    const end = await ended(target)
    expect(end.message).toContain('RESOURCE_EXHAUSTED (8): Bandwidth exhausted or memory limit exceeded: ')
    expect(end.message).toContain("the server's metadata (headers or trailers) had more than 128 entries")
  })
})
