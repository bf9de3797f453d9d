import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import { PROTO_DIR, startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { savedRequest, useImportTarget } from './import-formats-helpers'
import { readLog, settle } from './stream-helpers'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A Bruno folder's gRPC request names its proto relative to the Bruno folder (`protoPath: protos/echo.proto`,
 * which imports `common/meta.proto` beside it). Imported, the proto and its import are copied into the collection
 * and the request calls a server that offers no reflection with them. A proto path leading outside the Bruno
 * folder (`../../etc/passwd`, or a link inside it pointing out) is not copied, is named in the report, and
 * loading the schema from it is refused.
 */

const t = useImportTarget('fd-bruno-protos')
let server: GrpcTestServer
let root = ''

beforeAll(async () => {
  server = await startGrpcServer({ reflection: 'none' })
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'fd-bruno-protos-src-')))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function grpcBru(name: string, protoPath: string): string {
  return `meta {\n  name: ${name}\n  type: grpc\n  seq: 1\n}\n\ngrpc {\n  url: ${server.target}\n  method: /flightdeck.test.Echo/Say\n  body: grpc\n  auth: none\n  protoPath: ${protoPath}\n}\n\nbody:grpc {\n  name: hello\n  content: '''\n    {"text": "hi"}\n  '''\n}\n`
}

function writeBruno(): string {
  const src = join(root, 'echo-bruno')
  mkdirSync(src)
  writeFileSync(join(src, 'bruno.json'), JSON.stringify({ version: '1', name: 'Echo', type: 'collection' }))
  cpSync(PROTO_DIR, join(src, 'protos'), { recursive: true })
  writeFileSync(join(root, 'secret.proto'), 'syntax = "proto3"; // not for sharing\n')
  symlinkSync(join(root, 'secret.proto'), join(src, 'protos', 'link.proto'))
  writeFileSync(join(src, 'say.bru'), grpcBru('Say', 'protos/echo.proto'))
  writeFileSync(join(src, 'escape.bru'), grpcBru('Escape', '../../etc/passwd'))
  writeFileSync(join(src, 'link.bru'), grpcBru('Link', 'protos/link.proto'))
  return src
}

async function describeWith(proto: string[], path: string): Promise<string> {
  const r = await t.service.invoke('grpc.describe', {
    target: server.target,
    tls: { plaintext: true },
    metadata: [],
    schema: { kind: 'proto', files: proto, importPaths: [] },
    context: { dir: t.dir, path },
  })
  return r.ok ? 'loaded' : r.error.message
}

describe("a Bruno gRPC request's proto file", () => {
  it('is copied with its imports and calls the server; one leading outside the Bruno folder is refused', async () => {
    const r = await runImport({ file: writeBruno() }, 'auto', t.dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    const report = r.value.unmapped.join('\n')
    expect(report).not.toContain('was not copied')
    const copies = join(t.dir, '.bruno-files', 'protos')
    expect(report).toContain(
      `Say: proto file "protos/echo.proto" copied from the Bruno collection: written to ${join(copies, 'echo.proto')}, which the request loads its schema from`,
    )
    expect(report).toContain(`written to ${join(copies, 'common', 'meta.proto')}`)
    expect(report).toContain(
      `Escape: proto file "../../etc/passwd" leads outside the Bruno collection's folder (after its links are followed); kept as written, and the request refuses to load it`,
    )
    expect(report).toContain(
      `Link: proto file "protos/link.proto" leads outside the Bruno collection's folder`,
    )
    expect(existsSync(join(copies, 'link.proto'))).toBe(false)

    const opened = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const say = await savedRequest(t.dir, 'say.yaml')
    expect(say.grpc?.proto).toEqual(['.bruno-files/protos/echo.proto'])
    const call = await t.service.invoke('grpc.open', {
      target: server.target,
      method: say.grpc?.method ?? '',
      messages: say.messages?.map((m) => m.text) ?? [],
      metadata: [],
      schema: { kind: 'proto', files: say.grpc?.proto ?? [], importPaths: [] },
      tls: { plaintext: true },
      context: { dir: t.dir, path: 'say.yaml' },
    })
    if (!call.ok) throw new Error(call.error.message)
    expect((await settle(t.service, call.value.sid)).final.type).toBe('done')
    const replies = (await readLog(t.service, call.value.sid))
      .filter((e) => e.dir === 'in' && e.kind === 'text')
      .map((e) => (JSON.parse(e.data) as { text: string }).text)
    expect(replies).toEqual(['you said: hi'])

    const escape = await savedRequest(t.dir, 'escape.yaml')
    expect(await describeWith(escape.grpc?.proto ?? [], 'escape.yaml')).toMatch(
      /^The proto file .*etc\/passwd is outside the collection folder [^;]*; the schema was not loaded\./,
    )
    // Kept as written, the link names no file in the collection: nothing of what it pointed at is read.
    const link = await savedRequest(t.dir, 'link.yaml')
    expect(await describeWith(link.grpc?.proto ?? [], 'link.yaml')).toBe(
      'Cannot read the proto file protos/link.proto',
    )
  })
})
