import type { StreamEngine } from '../streams/stream-engine'
import type { GrpcEngine } from './grpc-engine'

/**
 * One gRPC part per stream engine, shared by the commands and the runner (one channel pool, one schema cache).
 * grpc-js and protobufjs load with it, on first use.
 */
const engines = new WeakMap<StreamEngine, GrpcEngine>()

export async function grpcEngineFor(streams: StreamEngine): Promise<GrpcEngine> {
  const known = engines.get(streams)
  if (known) return known
  const { GrpcEngine: Engine } = await import('./grpc-engine')
  const made = engines.get(streams) ?? new Engine(streams)
  engines.set(streams, made)
  return made
}

/** The part made for `streams`, if any (sends on an open call need no loading). */
export function grpcEngineIfAny(streams: StreamEngine): GrpcEngine | null {
  return engines.get(streams) ?? null
}
