import { createServer as createH2Server, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'

/**
 * A reflection server nobody here wrote: it lists one service, then answers every file it is asked for with a
 * descriptor built to hurt the reader (groups nested a million deep, a million dependencies, messages nested
 * deep), each under grpc-js' 4 MB message limit. Each ends the describe in words, within its bound, never an
 * internal error.
 */

/** A protobuf varint. */
function varint(n: number): Buffer {
  const out: number[] = []
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out.push(v)
      break
    }
    out.push((v & 127) | 128)
  }
  return Buffer.from(out)
}

/** A length-delimited field. */
function field(id: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((id << 3) | 2), varint(bytes.length), bytes])
}

function framed(payload: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.writeUInt32BE(payload.length, 1)
  return Buffer.concat([head, payload])
}

/** ServerReflectionResponse { list_services_response (6) { service (1) { name (1) } } } */
const LISTED = field(6, field(1, field(1, Buffer.from('evil.S'))))

/** ServerReflectionResponse { file_descriptor_response (4) { file_descriptor_proto (1): bytes } } */
function fileAnswer(descriptor: Buffer): Buffer {
  return field(4, field(1, descriptor))
}

interface Served {
  target: string
  /** Reflection requests the server was sent. */
  asked(): number
  close(): Promise<void>
}

/** A raw HTTP/2 reflection server: the first request gets the service list, every later one `descriptor`. */
async function reflectionServer(descriptor: Buffer): Promise<Served> {
  const server = createH2Server()
  const sessions = new Set<ServerHttp2Session>()
  server.on('session', (session) => {
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
  })
  let asked = 0
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    stream.on('error', () => undefined)
    if (!String(headers[':path']).startsWith('/grpc.reflection.v1.')) {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' },
        { endStream: true },
      )
      return
    }
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' })
    let pending = Buffer.alloc(0)
    stream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
        pending = pending.subarray(5 + pending.readUInt32BE(1))
        stream.write(framed(asked++ === 0 ? LISTED : fileAnswer(descriptor)))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked: () => asked,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy()
        server.close(() => resolve())
      }),
  }
}

let served: Served | null = null
let service: EngineService | null = null
afterEach(async () => {
  await service?.dispose()
  await served?.close()
  served = service = null
})

async function describeFrom(descriptor: Buffer): Promise<{ message: string; ms: number }> {
  served = await reflectionServer(descriptor)
  service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
  const started = performance.now()
  const r = await service.invoke('grpc.describe', {
    target: served.target,
    tls: { plaintext: true },
    metadata: [],
    schema: { kind: 'reflection' },
  })
  return {
    message: r.ok
      ? `described: ${JSON.stringify(r.value).slice(0, 200)}`
      : `${r.error.code}: ${r.error.message}`,
    ms: performance.now() - started,
  }
}

/** DescriptorProto { name: 'M', nested_type (3): { name: 'M', nested_type: … } }, `depth` deep, built in linear time. */
function nestedMessages(depth: number): Buffer {
  const name = field(1, Buffer.from('M'))
  const lengths = [name.length]
  for (let i = 0; i < depth; i++) {
    const inner = lengths[i] as number
    lengths.push(name.length + 1 + varint(inner).length + inner)
  }
  const pieces: Buffer[] = []
  for (let i = depth; i > 0; i--)
    pieces.push(name, Buffer.from([(3 << 3) | 2]), varint(lengths[i - 1] as number))
  pieces.push(name)
  return Buffer.concat(pieces)
}

const NAME = field(1, Buffer.from('evil.proto'))

describe('a hostile reflection server', () => {
  it('groups nested a million deep: refused in words (was an internal error, the stack overflowed)', async () => {
    const r = await describeFrom(Buffer.concat([NAME, Buffer.alloc(1_000_000, 0x0b)]))
    expect(r.message).toBe(
      'parse: Server reflection stopped: the server sent a descriptor that is not a .proto file',
    )
    expect(r.ms).toBeLessThan(10_000)
  }, 60_000)

  it('a file naming a million dependencies: read, each name asked for once (was an internal error)', async () => {
    const dep = field(3, Buffer.from('d'))
    const r = await describeFrom(Buffer.concat([NAME, Buffer.concat(Array(1_000_000).fill(dep) as Buffer[])]))
    expect(r.message).toMatch(/^described: /)
    // The list, the file of evil.S, then `d` once.
    expect(served?.asked()).toBe(3)
    expect(r.ms).toBeLessThan(15_000)
  }, 60_000)

  it('messages nested 200,000 deep: refused in words', async () => {
    const r = await describeFrom(Buffer.concat([NAME, field(4, nestedMessages(200_000))]))
    expect(r.message).toBe("parse: The server's reflection descriptors do not resolve")
    expect(r.ms).toBeLessThan(10_000)
  }, 60_000)
})
