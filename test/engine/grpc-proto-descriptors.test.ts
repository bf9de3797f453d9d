import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadProtoFiles } from '../../src/engine/grpc/grpc-proto-files'

/**
 * .proto files are parsed in a worker and come back as descriptors, which the engine builds: the schema it builds
 * is the one the files declare. A proto2 file keeps its required, packed and default; a proto3 file its
 * `optional`; a map field beside a nested message named like it (protobufjs names the map's entry message after
 * the field) still loads; extensions stay extensions.
 */

let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-proto-desc-'))
  writeFileSync(
    join(dir, 'a.proto'),
    [
      'syntax = "proto2";',
      'package a;',
      'import "b.proto";',
      'message Req {',
      '  message Labels { optional string note = 1; }',
      '  required string name = 1;',
      '  map<string, b.Item> labels = 2;',
      '  optional Labels extra = 3;',
      '  repeated int32 packed_ones = 5 [packed = true];',
      '  optional Kind kind = 7 [default = TWO];',
      '  extensions 100 to 200;',
      '}',
      'enum Kind { ONE = 1; TWO = 2; }',
      'extend Req { optional int32 top_ext = 100; }',
      'service S { rpc Do (Req) returns (b.Item); }',
    ].join('\n'),
  )
  writeFileSync(
    join(dir, 'b.proto'),
    'syntax = "proto3";\npackage b;\nmessage Item { string id = 1; optional int32 count = 2; repeated int32 xs = 3; }\n',
  )
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a schema from .proto files, by way of descriptors', () => {
  it('is the schema the files declare', async () => {
    const r = await loadProtoFiles({ files: ['a.proto'], importPaths: [], base: dir })
    if (!r.ok) throw new Error(r.error.message)
    const m = r.value.method('a.S/Do')
    if (!m.ok) throw new Error(m.error.message)
    const req = m.value.requestType
    expect(req.fields['name']?.required).toBe(true)
    expect(req.fields['packed_ones']?.packed).toBe(true)
    expect(req.fields['kind']?.defaultValue).toBe(2)
    expect(req.fields['labels']?.map).toBe(true)
    expect(req.fields['extra']?.resolvedType?.fullName).toBe('.a.Req.Labels')
    expect(req.fields['.a.top_ext']?.id).toBe(100)
    const res = m.value.responseType
    expect(res.oneofsArray.map((o) => o.name)).toEqual(['_count'])
    expect(res.fields['xs']?.packed).toBe(true)
    // A message with each of them goes out and comes back the same.
    const sent = { name: 'n', labels: { k: { id: 'i' } }, extra: { note: 'x' }, packed_ones: [1, 2], kind: 1 }
    const back = req.toObject(req.decode(req.encode(req.fromObject(sent)).finish()))
    expect(back).toEqual(sent)
    // The fields in the order the file declares them (the composer's message template follows it), map included.
    expect(req.fieldsArray.map((f) => f.name)).toEqual([
      'name',
      'labels',
      'extra',
      'packed_ones',
      'kind',
      '.a.top_ext',
    ])
    expect(r.value.describe('a.Kind')).toEqual({
      ok: true,
      value: 'a.Kind is an enum:\nenum Kind {\n  ONE = 1;\n  TWO = 2;\n}',
    })
  }, 120_000)
})
