import { parseProtoFiles } from '../grpc/grpc-proto-parse'
import type { Result } from '../../shared/result'
import { callHost } from './host-call'
import type { TaskInput, TaskOutput } from './protocol'
import { withTransfer } from './transfer'
import { checkMemory } from './worker-memory'

/**
 * Worker side of a gRPC schema from .proto files: read, count and parse them, and hand back the descriptors'
 * bytes (moved, not copied). Each path is confined by the engine's thread (a host call) before it is read.
 */
export async function grpcProtoParse(
  p: TaskInput<'grpc.proto-parse'>,
  task: number,
): Promise<TaskOutput<'grpc.proto-parse'>> {
  const confine = p.confined
    ? async (abs: string, what: string) => (await callHost(task, 'confine', { abs, what })) as Result<string>
    : null
  const parsed = await parseProtoFiles(p, confine)
  checkMemory()
  if (!parsed.ok) return parsed
  // Each in a buffer of its own: protobufjs may write small ones into Node's shared pool, which must not move.
  const own = parsed.value.map((b) => new Uint8Array(b))
  return withTransfer(
    { ok: true, value: own },
    own.map((b) => b.buffer as ArrayBuffer),
  )
}
