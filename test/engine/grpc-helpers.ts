import { GrpcEngine } from '../../src/engine/grpc/grpc-engine'
import { createEngineService, type EngineService } from '../../src/engine/service'
import type { GrpcCallSpec } from '../../src/shared/grpc'
import { ECHO_PROTO, PROTO_DIR } from '../fixtures/grpc/grpc-server'
import { record, settle, type Recorder } from './stream-helpers'

/** An engine service with a gRPC part, and a recorder of its timeline. */
export interface GrpcRig {
  service: EngineService
  grpc: GrpcEngine
  rec: Recorder
  close(): void
}

export function grpcRig(): GrpcRig {
  const service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
  const grpc = new GrpcEngine(service.streams)
  const rec = record(service)
  return {
    service,
    grpc,
    rec,
    close: () => {
      rec.stop()
      service.dispose()
      grpc.dispose()
    },
  }
}

export const PROTOS: GrpcCallSpec['schema'] = { kind: 'proto', files: [ECHO_PROTO], importPaths: [PROTO_DIR] }

export function call(
  target: string,
  method: string,
  messages: unknown[],
  more: Partial<GrpcCallSpec> = {},
): GrpcCallSpec {
  return {
    target,
    method,
    messages: messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))),
    metadata: [],
    schema: { kind: 'reflection' },
    tls: { plaintext: true },
    ...more,
  }
}

/** Open a call and wait for its end; throws when it could not be opened. */
export async function invoke(
  rig: GrpcRig,
  spec: GrpcCallSpec,
): Promise<{ sid: string; outcome: Awaited<ReturnType<typeof settle>> }> {
  const opened = await rig.grpc.open(spec, { base: process.cwd() })
  if (!opened.ok)
    throw new Error(`${opened.error.code}: ${opened.error.message} ${opened.error.detail ?? ''}`)
  const outcome = await settle(rig.service, opened.value.sid)
  return { sid: opened.value.sid, outcome }
}
