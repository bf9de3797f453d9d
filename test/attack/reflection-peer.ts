import { createServer as createH2Server, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'

/**
 * A raw HTTP/2 reflection server nobody here wrote, for attack tests: it lists one service (evil.S), then
 * answers every file it is asked for with one descriptor the test built byte by byte.
 */

/** A protobuf varint. */
export function varint(n: number): Buffer {
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
export function field(id: number, bytes: Buffer): Buffer {
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

export interface Served {
  target: string
  /** Reflection requests the server was sent. */
  asked(): number
  close(): Promise<void>
}

/** A raw HTTP/2 reflection server: the first request gets the service list, every later one `descriptor`. */
export async function reflectionServer(descriptor: Buffer): Promise<Served> {
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
