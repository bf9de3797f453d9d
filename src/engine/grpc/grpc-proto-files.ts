import { fail, ok, type Result } from '../../shared/result'
import { sharedPool, TaskFailed, WorkerDied, type WorkerPool } from '../workers/pool'
import { breather } from './grpc-breather'
import { rootFromDescriptorFiles } from './grpc-descriptor-set'
import type { Confine, ProtoParseInput } from './grpc-proto-parse'
import { GrpcSchema } from './grpc-schema'

/**
 * A schema from `.proto` files. A pool worker reads, counts and parses them (grpc-proto-parse.ts: protobufjs
 * parses a file in one synchronous step, seconds for a large one, which on the engine's thread stalled every
 * stream beside it) and hands back descriptors; the engine's thread builds them a declaration at a time, as a
 * reflected schema, letting traffic through between steps.
 */

export { MAX_PROTO_BYTES, MAX_PROTO_FILES } from './grpc-proto-parse'

export interface ProtoLoadOptions extends ProtoParseInput {
  /** Checks a path before it is read: the path to open, or why not. Absent: every path may be read. */
  confine?: Confine
}

export async function loadProtoFiles(
  o: ProtoLoadOptions,
  pool: WorkerPool = sharedPool(),
): Promise<Result<GrpcSchema>> {
  if (o.files.length === 0) return fail('invalid_request', 'No .proto file was given')
  const confine = o.confine
  let files: Uint8Array[]
  try {
    const parsed = await pool.run(
      'grpc.proto-parse',
      { files: o.files, importPaths: o.importPaths, base: o.base, confined: confine !== undefined },
      confine
        ? {
            onCall: async (name, input) => {
              if (name !== 'confine') throw new Error(`${name} is not available to a .proto load`)
              const { abs, what } = input as { abs: string; what: string }
              return confine(String(abs), String(what))
            },
          }
        : {},
    )
    if (!parsed.ok) return parsed
    files = parsed.value
  } catch (e) {
    if (e instanceof WorkerDied)
      return fail(
        'too_large',
        e.reason === 'memory'
          ? `Loading the .proto files ran out of memory in its worker (limit ${e.limitMb} MB)`
          : e.reason === 'timeout'
            ? `Loading the .proto files took longer than ${Math.round(e.timeoutMs / 1000)} s in its worker and was stopped`
            : `Loading the .proto files stopped its worker (${e.message})`,
      )
    if (e instanceof TaskFailed) return fail('parse', `Loading the .proto files failed: ${e.message}`)
    throw e
  }
  try {
    // Built a declaration at a time, traffic served between: the worker counted the files already.
    const root = await rootFromDescriptorFiles(files, breather(), { counted: true })
    return ok(new GrpcSchema(root, 'proto files'))
  } catch (e) {
    return fail('parse', `The .proto files do not resolve: ${(e as Error).message}`)
  }
}
