import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { afterEach, describe, expect, it } from 'vitest'
import { KINDS_PROTO } from '../fixtures/grpc/kinds-server'
import { PROTO_DIR } from '../fixtures/grpc/grpc-server'
import { call, grpcRig, invoke, type GrpcRig } from './grpc-helpers'
import { readLog } from './stream-helpers'

type Obj = Record<string, unknown>

/** A Struct `levels` objects deep, in the wire form grpc-js takes ({fields: {k: {structValue: …}}}). */
function deepStruct(levels: number): Obj {
  let s: Obj = { fields: { leaf: { stringValue: 'bottom' } } }
  for (let i = 1; i < levels; i++) s = { fields: { k: { structValue: s } } }
  return s
}

/** A server (not Flightdeck) answering Mirror with a Struct nested deeper than Flightdeck sends one. */
async function startDeepServer(levels: number): Promise<{ target: string; close(): void }> {
  const pkg = protoLoader.loadSync(KINDS_PROTO, { keepCase: true, includeDirs: [PROTO_DIR] })
  const proto = grpc.loadPackageDefinition(pkg) as unknown as {
    flightdeck: { kinds: { Kinds: grpc.ServiceClientConstructor } }
  }
  const server = new grpc.Server()
  server.addService(proto.flightdeck.kinds.Kinds.service, {
    Mirror: (_c: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) =>
      cb(null, { bag: { meta: deepStruct(levels) }, seen: '' }),
    Nothing: (_c: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => cb(null, {}),
  })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  )
  return { target: `127.0.0.1:${port}`, close: () => server.forceShutdown() }
}

describe('a server Struct nested past what is shown', () => {
  let rig: GrpcRig | null = null
  let server: { close(): void } | null = null
  afterEach(() => {
    rig?.close()
    server?.close()
    rig = server = null
  })

  it('says where the reply was cut, and never shows a value the server did not send', async () => {
    const s = await startDeepServer(40)
    server = s
    rig = grpcRig()
    const schema = { kind: 'proto' as const, files: [KINDS_PROTO], importPaths: [PROTO_DIR] }
    const { outcome, sid } = await invoke(
      rig,
      call(s.target, 'flightdeck.kinds.Kinds/Mirror', [{}], { schema }),
    )
    expect(outcome.final.type).toBe('done')
    const log = await readLog(rig.service, sid)
    const text = log.find((e) => e.dir === 'in' && e.kind === 'text')?.data ?? ''
    const reply = JSON.parse(text) as { bag: { meta: Obj } }
    let node: unknown = reply.bag.meta
    let levels = 0
    while (typeof node === 'object' && node !== null && 'k' in node) {
      node = (node as Obj).k
      levels++
    }
    // The server sent objects all the way down: where the reading stopped, the reply says so (not null).
    expect(node).not.toBeNull()
    expect(String(node)).toMatch(/nested more than 64 Struct and Value levels deep: not shown/)
    expect(levels).toBeGreaterThan(20)
  })
})
