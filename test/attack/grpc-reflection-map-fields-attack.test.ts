import type protobuf from 'protobufjs'
import { afterEach, describe, expect, it } from 'vitest'
import { rootFromDescriptorFiles } from '../../src/engine/grpc/grpc-descriptor-set'
import { handReplaceProblems } from '../../src/engine/grpc/grpc-map-fields'
import { GrpcSchema } from '../../src/engine/grpc/grpc-schema'
import { MAX_FIELDS_PER_MESSAGE } from '../../src/engine/grpc/grpc-schema-budget'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { field, reflectionServer, varint, type Served } from './reflection-peer'

/**
 * A reflection server whose one message has thousands of map fields (a 47 KB descriptor): building it held
 * the engine's thread, and every session with it, for seconds. A message past the limit is refused in words
 * at once; one at the limit is built, its maps read back as maps, and turning the map entries back into map
 * fields costs about what the plain fields do (it was quadratic: 4-5 times the build at 1,000 fields).
 */

const num = (id: number, n: number): Buffer => Buffer.concat([varint(id << 3), varint(n)])
const str = (id: number, s: string): Buffer => field(id, Buffer.from(s))

/**
 * FileDescriptorProto evil.proto, package p, message M with `n` fields of type .p.M.E, repeated. With
 * `maps`, E is a map_entry (string key, string value), so each field is a map<string, string>.
 */
function manyFields(n: number, maps: boolean): Buffer {
  const entry = Buffer.concat([
    str(1, 'E'),
    field(2, Buffer.concat([str(1, 'key'), num(3, 1), num(4, 1), num(5, 9)])),
    field(2, Buffer.concat([str(1, 'value'), num(3, 2), num(4, 1), num(5, 9)])),
    ...(maps ? [field(7, num(7, 1))] : []),
  ])
  const fields: Buffer[] = []
  for (let i = 1; i <= n; i++)
    fields.push(
      field(2, Buffer.concat([str(1, `f${i}`), num(3, i), num(4, 3), num(5, 11), str(6, '.p.M.E')])),
    )
  const message = Buffer.concat([str(1, 'M'), ...fields, field(3, entry)])
  return Buffer.concat([str(1, 'evil.proto'), str(2, 'p'), field(4, message)])
}

/** Five messages of 900 plain fields each (package p, messages M0..M4). */
function largeMessages(): Buffer {
  const messages: Buffer[] = []
  for (let k = 0; k < 5; k++) {
    const fields: Buffer[] = []
    for (let i = 1; i <= 900; i++)
      fields.push(field(2, Buffer.concat([str(1, `f${i}`), num(3, i), num(4, 1), num(5, 9)])))
    messages.push(field(4, Buffer.concat([str(1, `M${k}`), ...fields])))
  }
  return Buffer.concat([str(1, 'evil.proto'), str(2, 'p'), ...messages])
}

/** The fastest of three builds of `file`, in ms. */
async function buildMs(file: Buffer): Promise<number> {
  let best = Infinity
  for (let i = 0; i < 3; i++) {
    const started = performance.now()
    await rootFromDescriptorFiles([file])
    best = Math.min(best, performance.now() - started)
  }
  return best
}

let served: Served | null = null
let service: EngineService | null = null
afterEach(async () => {
  await service?.dispose()
  await served?.close()
  served = service = null
})

describe('a reflection server sending a message with thousands of map fields', () => {
  it('2,000 map fields: refused at once in words naming the limit (was built, ~5 s on the main thread)', async () => {
    served = await reflectionServer(manyFields(2000, true))
    service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
    const started = performance.now()
    const r = await service.invoke('grpc.describe', {
      target: served.target,
      tls: { plaintext: true },
      metadata: [],
      schema: { kind: 'reflection' },
    })
    const ms = performance.now() - started
    expect(r.ok ? 'described' : `${r.error.code}: ${r.error.message}`).toBe(
      `too_large: Server reflection stopped: the message p.M has 2000 fields, more than the ${MAX_FIELDS_PER_MESSAGE} a message may have`,
    )
    expect(ms).toBeLessThan(10_000)
  }, 60_000)

  it('1,000 map fields (the limit): built, read as maps, at about the cost of 1,000 plain fields', async () => {
    const schema = new GrpcSchema(await rootFromDescriptorFiles([manyFields(1000, true)]), 'test')
    const described = schema.describe('p.M')
    expect(described.ok && described.value).toContain('map<string, string> f1000 = 1000;')
    const plain = await buildMs(manyFields(1000, false))
    const maps = await buildMs(manyFields(1000, true))
    // protobufjs' own build is the same in both; the map restoring on top was 4-5 times it, now a fraction.
    expect(maps, `maps ${maps.toFixed(0)} ms, plain ${plain.toFixed(0)} ms`).toBeLessThan(plain * 2.5)
  }, 60_000)

  it('five messages of 900 fields: refused at once, each counts its fields squared (was built, ~2 s)', async () => {
    const started = performance.now()
    await expect(rootFromDescriptorFiles([largeMessages()])).rejects.toThrow(
      'the schema has too many large messages: each counts its fields squared, and together they pass 4,000,000 (four messages of 1000 fields)',
    )
    expect(performance.now() - started).toBeLessThan(5000)
  }, 60_000)
})

describe('the map fields are put in place by hand, as protobufjs Type.add does inside', () => {
  // replaceByHand leans on how protobufjs stores a type's fields; an upgrade that changes it fails here (and
  // the engine falls back to Type.add, with a warning), not as maps that silently stop reading as maps.
  it('works on the installed protobufjs: found by name and id, listed, encoded as a map', () => {
    expect(handReplaceProblems()).toEqual([])
  })

  it('a replacement that skips a step is caught', () => {
    const skipsOnAdd = (type: protobuf.Type, old: protobuf.Field, next: protobuf.MapField): void => {
      type.remove(old)
      type.fields[next.name] = next as unknown as protobuf.Field
    }
    expect(handReplaceProblems(skipsOnAdd)).not.toEqual([])
  })
})
