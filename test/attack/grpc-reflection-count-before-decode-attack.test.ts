// The descriptor module protobufjs builds its FileDescriptorProto reader from, the same instance the engine uses.
import descriptor from 'protobufjs/ext/descriptor/index.js'
import type protobuf from 'protobufjs'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { field, reflectionServer, varint, type Served } from './reflection-peer'

/**
 * A hostile reflection server's 4 MB descriptor past the schema's limits is refused from its wire bytes, before
 * it is decoded: decoding builds an object for each of its hundreds of thousands of items first (0.4–1 s on the
 * engine's thread). Seen by watching the descriptor reader: the refusal comes with no file decoded, while a
 * schema within the limits is decoded as before.
 */

const num = (id: number, n: number): Buffer => Buffer.concat([varint(id << 3), varint(n)])
const str = (id: number, s: string): Buffer => field(id, Buffer.from(s))
const file = (parts: Buffer[]): Buffer => Buffer.concat([str(1, 'evil.proto'), str(2, 'p'), ...parts])

const reader = (descriptor as unknown as protobuf.Namespace).lookupType('FileDescriptorProto')
// setup() builds the reader's own decode first: protobufjs would put it in place of this wrapper on first use.
reader.setup()
const decode = reader.decode.bind(reader)
let decoded = 0
reader.decode = ((r: protobuf.Reader | Uint8Array, length?: number) => {
  decoded++
  return decode(r, length)
}) as typeof reader.decode

let served: Served | null = null
let service: EngineService | null = null
afterEach(async () => {
  await service?.dispose()
  await served?.close()
  served = service = null
})

async function reflect(bytes: Buffer): Promise<string> {
  served = await reflectionServer(bytes)
  service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
  decoded = 0
  const r = await service.invoke('grpc.describe', {
    target: served.target,
    tls: { plaintext: true },
    metadata: [],
    schema: { kind: 'reflection' },
  })
  return r.ok ? 'described' : `${r.error.code}: ${r.error.message}`
}

describe('a reflected descriptor past the limits', () => {
  it('300,000 enums in 4 MB: refused by the schema total with no descriptor decoded', async () => {
    const enums: Buffer[] = []
    for (let i = 0; i < 300_000; i++) enums.push(field(5, Buffer.concat([str(1, `E${i}`)])))
    const bytes = file(enums)
    expect(bytes.length).toBeGreaterThan(3_000_000)
    expect(await reflect(bytes)).toBe(
      'too_large: Server reflection stopped: the schema declares more than 100,000 fields, enum values, oneofs, types and methods in all, the most a schema may have',
    )
    expect(decoded).toBe(0)
  }, 60_000)

  it('a message of 1,001 fields, one deep inside nested messages: refused naming it, nothing decoded', async () => {
    const fields: Buffer[] = []
    for (let i = 1; i <= 1001; i++)
      fields.push(field(2, Buffer.concat([str(1, `f${i}`), num(3, i), num(5, 9)])))
    const inner = field(3, Buffer.concat([str(1, 'Inner'), ...fields]))
    const outer = field(4, Buffer.concat([str(1, 'Outer'), inner]))
    expect(await reflect(file([outer]))).toBe(
      'too_large: Server reflection stopped: the message p.Outer.Inner has 1001 fields, more than the 1000 a message may have',
    )
    expect(decoded).toBe(0)
  }, 60_000)

  it('a schema within the limits is decoded and described as before', async () => {
    const service = field(
      6,
      Buffer.concat([str(1, 'S'), field(2, Buffer.concat([str(1, 'Do'), str(2, '.p.M'), str(3, '.p.M')]))]),
    )
    const message = field(
      4,
      Buffer.concat([str(1, 'M'), field(2, Buffer.concat([str(1, 'a'), num(3, 1), num(5, 9)]))]),
    )
    expect(await reflect(file([message, service]))).toBe('described')
    expect(decoded).toBeGreaterThan(0)
  }, 60_000)
})
