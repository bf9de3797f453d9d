import { afterEach, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { field, reflectionServer, varint, type Served } from './reflection-peer'

/**
 * A reflection server nobody here wrote: it lists one service, then answers every file it is asked for with a
 * descriptor built to hurt the reader (groups nested a million deep, a million dependencies, messages nested
 * deep), each under grpc-js' 4 MB message limit. Each ends the describe in words, within its bound, never an
 * internal error.
 */

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
