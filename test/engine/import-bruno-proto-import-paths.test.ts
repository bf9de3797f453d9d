import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/engine/collections/store'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import { savedRequest, useImportTarget } from './import-formats-helpers'
import { readLog, settle } from './stream-helpers'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A Bruno collection whose bruno.json names proto import paths (`protobuf.importPaths`, as Bruno's collection
 * settings write it: `[{ path, enabled }]`, relative to the Bruno folder). Its gRPC request's proto imports
 * `shop/types/money.proto`, which lies in the import path `vendor/include`, not beside the proto. Imported, the
 * import is copied too, the request names the copied import folder, and its schema loads and calls a grpc-js
 * server on 127.0.0.1:0 that offers no reflection. An import path leading outside the Bruno folder is not looked
 * in and is said.
 */

const t = useImportTarget('fd-bruno-import-paths')
let root = ''
let server: grpc.Server | undefined

const GREETER = `syntax = "proto3";
package shop;
import "shop/types/money.proto";
service Prices {
  rpc Price (shop.types.Item) returns (shop.types.Money);
}
`
const MONEY = `syntax = "proto3";
package shop.types;
message Item { string sku = 1; }
message Money { string currency = 1; int64 cents = 2; }
`

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
}

/** The Bruno folder; `target` is the server the request calls. */
function writeBruno(target: string): string {
  const src = join(root, 'shop-bruno')
  write(
    join(src, 'bruno.json'),
    JSON.stringify({
      version: '1',
      name: 'Shop',
      type: 'collection',
      protobuf: {
        protoFiles: [{ path: 'services/prices.proto', type: 'file' }],
        importPaths: [
          { path: '../outside', enabled: true },
          { path: 'vendor/include', enabled: true },
          { path: 'unused', enabled: false },
        ],
      },
    }),
  )
  write(join(src, 'services', 'prices.proto'), GREETER)
  write(join(src, 'vendor', 'include', 'shop', 'types', 'money.proto'), MONEY)
  write(join(root, 'outside', 'shop', 'types', 'money.proto'), 'not for sharing\n')
  write(
    join(src, 'price.bru'),
    `meta {\n  name: Price\n  type: grpc\n  seq: 1\n}\n\ngrpc {\n  url: ${target}\n  method: /shop.Prices/Price\n  body: grpc\n  auth: none\n  protoPath: services/prices.proto\n}\n\nbody:grpc {\n  name: tea\n  content: '''\n    {"sku": "tea"}\n  '''\n}\n`,
  )
  return src
}

/** A grpc-js server for shop.Prices, built from its own copy of the protos, with no reflection. */
async function startServer(): Promise<string> {
  const own = join(root, 'server')
  write(join(own, 'prices.proto'), GREETER)
  write(join(own, 'shop', 'types', 'money.proto'), MONEY)
  const def = protoLoader.loadSync(join(own, 'prices.proto'), { includeDirs: [own] })
  const loaded = grpc.loadPackageDefinition(def) as unknown as {
    shop: { Prices: grpc.ServiceClientConstructor }
  }
  server = new grpc.Server()
  server.addService(loaded.shop.Prices.service, {
    Price: (
      call: grpc.ServerUnaryCall<{ sku: string }, unknown>,
      done: grpc.sendUnaryData<{ currency: string; cents: number }>,
    ) => done(null, { currency: 'EUR', cents: call.request.sku === 'tea' ? 350 : 0 }),
  })
  const port = await new Promise<number>((resolve, reject) =>
    server?.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  )
  return `127.0.0.1:${port}`
}

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'fd-bruno-import-paths-src-')))
})
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.tryShutdown(() => resolve()) : resolve()))
  server = undefined
  rmSync(root, { recursive: true, force: true })
})

/** Call the saved request as the composer does: its own proto files and import paths. */
async function callSaved(path: string): Promise<unknown[]> {
  const opened = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
  const r = await savedRequest(t.dir, path)
  const call = await t.service.invoke('grpc.open', {
    target: r.url.replace(/^grpc:\/\//, ''),
    method: r.grpc?.method ?? '',
    messages: r.messages?.map((m) => m.text) ?? [],
    metadata: [],
    schema: { kind: 'proto', files: r.grpc?.proto ?? [], importPaths: r.grpc?.importPaths ?? [] },
    tls: { plaintext: true },
    context: { dir: t.dir, path },
  })
  if (!call.ok) throw new Error(call.error.message)
  const final = (await settle(t.service, call.value.sid)).final
  expect(final.type, JSON.stringify(final)).toBe('done')
  return (await readLog(t.service, call.value.sid))
    .filter((e) => e.dir === 'in' && e.kind === 'text')
    .map((e) => JSON.parse(e.data) as unknown)
}

describe("bruno.json's proto import paths", () => {
  it('copy what the proto imports from them, and the imported request loads its schema and calls', async () => {
    const src = writeBruno(await startServer())
    const r = await runImport({ file: src }, 'auto', t.dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    const report = r.value.unmapped.join('\n')
    const copied = join(t.dir, '.bruno-files', 'vendor', 'include', 'shop', 'types', 'money.proto')
    expect(existsSync(copied)).toBe(true)
    expect(report).toContain(`written to ${copied}`)
    expect(report).toContain(
      `Price: its proto import path "../outside" leads outside the Bruno collection's folder; no import is looked up there`,
    )
    expect(report).not.toContain('importPaths: vendor/include')
    expect(existsSync(join(t.dir, '.bruno-files', 'outside'))).toBe(false)

    const price = await savedRequest(t.dir, 'price.yaml')
    expect(price.grpc).toMatchObject({
      proto: ['.bruno-files/services/prices.proto'],
      importPaths: ['.bruno-files/vendor/include', '.bruno-files/services'],
    })
    // The Bruno folder is gone: what the request loads is in the collection.
    rmSync(src, { recursive: true, force: true })
    expect(await callSaved('price.yaml')).toEqual([{ currency: 'EUR', cents: '350' }])
  })

  it("into an existing collection: the import folder's copy is named below the import's folder", async () => {
    const made = await createCollection(t.dir, 'Shops')
    if (!made.ok) throw new Error(made.error.message)
    const src = writeBruno(await startServer())
    const r = await runImport({ file: src }, 'auto', t.dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    const folder = readdirSync(t.dir).find(
      (n) => statSync(join(t.dir, n)).isDirectory() && !n.startsWith('.'),
    )
    expect(folder).toBeDefined()
    const price = await savedRequest(t.dir, `${folder}/price.yaml`)
    expect(price.grpc?.importPaths).toEqual([
      `${folder}/.bruno-files/vendor/include`,
      `${folder}/.bruno-files/services`,
    ])
    expect(await callSaved(`${folder}/price.yaml`)).toEqual([{ currency: 'EUR', cents: '350' }])
  })
})
