import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { field, reflectionServer, varint, type Served } from './reflection-peer'

/**
 * Schemas built to cost protobufjs seconds or minutes on the engine's thread, each under grpc-js' 4 MB
 * message limit (reflection) or the 64 MB proto budget: a million enum values, enums by the hundred thousand,
 * oneofs that every field in a oneof re-lists, a million fields in a .proto file. Each was built (or parsed)
 * before, for seconds to minutes; each is now refused in words after counting, before anything is built.
 */

const num = (id: number, n: number): Buffer => Buffer.concat([varint(id << 3), varint(n)])
const str = (id: number, s: string): Buffer => field(id, Buffer.from(s))
/** FileDescriptorProto evil.proto, package p, with `parts` (already framed as its fields). */
const file = (parts: Buffer[]): Buffer => Buffer.concat([str(1, 'evil.proto'), str(2, 'p'), ...parts])

let served: Served | null = null
let service: EngineService | null = null
afterEach(async () => {
  await service?.dispose()
  await served?.close()
  served = service = null
})

async function reflect(descriptor: Buffer): Promise<string> {
  served = await reflectionServer(descriptor)
  service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
  const r = await service.invoke('grpc.describe', {
    target: served.target,
    tls: { plaintext: true },
    metadata: [],
    schema: { kind: 'reflection' },
  })
  return r.ok ? 'described' : `${r.error.code}: ${r.error.message}`
}

describe('a reflection server sending a schema that costs more than it is worth', () => {
  it('an enum of 250,000 values: refused naming it (was built, ~4 s on the engine thread)', async () => {
    const values: Buffer[] = []
    for (let i = 0; i < 250_000; i++) values.push(field(2, Buffer.concat([str(1, `v${i}`), num(2, i)])))
    expect(await reflect(file([field(5, Buffer.concat([str(1, 'E'), ...values]))]))).toBe(
      'too_large: Server reflection stopped: the enum p.E has 250,000 values, more than the 5,000 an enum may have',
    )
  }, 60_000)

  it('120,000 enums of one value: refused by the schema total (was built, ~6 s)', async () => {
    const enums: Buffer[] = []
    for (let i = 0; i < 120_000; i++)
      enums.push(
        field(5, Buffer.concat([str(1, `E${i}`), field(2, Buffer.concat([str(1, 'V'), num(2, 0)]))])),
      )
    expect(await reflect(file(enums))).toBe(
      'too_large: Server reflection stopped: the schema declares more than 100,000 fields, enum values, oneofs, types and methods in all, the most a schema may have',
    )
  }, 60_000)

  it('three messages of 1,000 fields in 1,000 oneofs: refused by weight (was built: each field in a oneof re-lists them all)', async () => {
    const messages: Buffer[] = []
    for (let m = 0; m < 3; m++) {
      const parts: Buffer[] = [str(1, `M${m}`)]
      for (let i = 0; i < 1000; i++) parts.push(field(8, str(1, `o${i}`)))
      for (let i = 1; i <= 1000; i++)
        parts.push(field(2, Buffer.concat([str(1, `f${i}`), num(3, i), num(4, 1), num(5, 9), num(9, i - 1)])))
      messages.push(field(4, Buffer.concat(parts)))
    }
    expect(await reflect(file(messages))).toBe(
      'too_large: Server reflection stopped: the schema has too many large messages: each counts its fields squared, and together they pass 4,000,000 (four messages of 1000 fields)',
    )
  }, 120_000)

  it('a message of 300,000 oneofs: refused naming it (was built, ~8 s)', async () => {
    const parts: Buffer[] = [str(1, 'M')]
    for (let i = 0; i < 300_000; i++) parts.push(field(8, str(1, `o${i}`)))
    expect(await reflect(file([field(4, Buffer.concat(parts))]))).toBe(
      'too_large: Server reflection stopped: the message p.M declares more than 2,500 fields, values, oneofs and types with all it nests, the most one top-level declaration may have',
    )
  }, 60_000)

  it('an extension of a message no file defines: refused before the build, naming it', async () => {
    const extension = field(
      7,
      Buffer.concat([str(1, 'x'), num(3, 100), num(4, 1), num(5, 9), str(2, '.nope.M')]),
    )
    const r = await reflect(file([extension]))
    expect(r).toBe("parse: The server's reflection descriptors do not resolve")
  }, 60_000)
})

describe('.proto files that cost more than they are worth', () => {
  let local: EngineService
  let dir: string
  beforeAll(() => {
    local = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
    dir = mkdtempSync(join(tmpdir(), 'fd-attack-proto-budget-'))
  })
  afterAll(async () => {
    await local.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  async function load(files: Record<string, string>, first: string): Promise<string> {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
    const r = await local.invoke('grpc.describe', {
      target: '127.0.0.1:1',
      tls: { plaintext: true },
      metadata: [],
      schema: { kind: 'proto', files: [join(dir, first)], importPaths: [dir] },
    })
    return r.ok ? 'described' : `${r.error.code}: ${r.error.message}`
  }

  const lines = (n: number, line: (i: number) => string): string =>
    Array.from({ length: n }, (_, i) => line(i)).join('\n')

  it('a message of a million fields: refused before parsing (protobufjs re-indexed them all at each)', async () => {
    const text = `syntax = "proto3";\npackage p;\nmessage M {\n${lines(1_000_000, (i) => `  string f${i} = ${i + 1};`)}\n}\n`
    expect(await load({ 'big.proto': text }, 'big.proto')).toBe(
      `too_large: Loading the .proto files stopped at ${join(dir, 'big.proto')}: the message p.M has more than 1000 fields, the most a message may have`,
    )
  }, 60_000)

  it('an enum of a million values: refused before parsing', async () => {
    const text = `syntax = "proto3";\npackage p;\nenum E {\n${lines(1_000_000, (i) => `  V${i} = ${i};`)}\n}\n`
    expect(await load({ 'values.proto': text }, 'values.proto')).toBe(
      `too_large: Loading the .proto files stopped at ${join(dir, 'values.proto')}: the enum p.E has more than 5,000 values, the most an enum may have`,
    )
  }, 60_000)

  it('an import chain: counted across the files, refused at the one past the total, naming it', async () => {
    // Each file: 40 enums of 1,000 values (40,040 items), and an import of the next.
    const enums = (f: string): string =>
      lines(40, (k) => `enum ${f}${k} {\n${lines(1000, (i) => `  ${f}${k}_V${i} = ${i};`)}\n}`)
    const files = {
      'a.proto': `syntax = "proto3";\npackage p;\nimport "b.proto";\nimport "a.proto";\n${enums('A')}\n`,
      'b.proto': `syntax = "proto3";\npackage p;\nimport "c.proto";\n${enums('B')}\n`,
      'c.proto': `syntax = "proto3";\npackage p;\n${enums('C')}\n`,
    }
    expect(await load(files, 'a.proto')).toBe(
      `too_large: Loading the .proto files stopped at ${join(dir, 'c.proto')}: the schema declares more than 100,000 fields, enum values, oneofs, types and methods in all, the most a schema may have`,
    )
  }, 60_000)

  it('600 imported files load: a real API imports that many (Google Ads v25: over 500; was refused at 500)', async () => {
    const files: Record<string, string> = {}
    for (let i = 0; i < 600; i++)
      files[`chain${i}.proto`] =
        `syntax = "proto3";\npackage c${i};\n${i < 599 ? `import "chain${i + 1}.proto";\n` : ''}message M { string s = 1; }\n`
    expect(await load(files, 'chain0.proto')).toBe('described')
  }, 60_000)

  it('a file that imports itself is counted once', async () => {
    const text = `syntax = "proto3";\npackage q;\nimport "self.proto";\n${lines(60, (k) => `enum S${k} {\n${lines(1000, (i) => `  S${k}_V${i} = ${i};`)}\n}`)}\n`
    expect(await load({ 'self.proto': text }, 'self.proto')).toBe('described')
  }, 60_000)
})
