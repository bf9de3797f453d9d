import { z } from 'zod'
import { lazySchema } from './lazy-schema'

/**
 * What a saved gRPC request (`kind: grpc`) keeps beside the fields every request has: its target is the `url`
 * (`grpc://host:port` plaintext, `grpcs://host:port` or `host:port` TLS), its metadata the `headers`, its
 * message(s) the `messages` (JSON text each), TLS options the `options` (insecure, caFile). Here: the method,
 * where the schema comes from, and the call's limits.
 */
export const grpcRequestSchema = lazySchema(() =>
  z
    .object({
      /** `package.Service/Method`. */
      method: z.string().max(1024),
      /** `.proto` files, relative to the collection folder; none: the server's reflection. */
      proto: z.array(z.string().min(1).max(4096)).max(500).optional(),
      /** Folders imports are looked up in, relative to the collection folder (before the collection's own). */
      importPaths: z.array(z.string().min(1).max(4096)).max(100).optional(),
      deadlineMs: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 3600 * 1000)
        .optional(),
      maxMessageBytes: z
        .number()
        .int()
        .min(1)
        .max(2 ** 31 - 1)
        .optional(),
    })
    .strict(),
)
export type GrpcRequest = z.infer<typeof grpcRequestSchema>

/**
 * collection.yaml's `grpc:` block: the schema for every gRPC request in the collection that names no `.proto`
 * files of its own. Paths are relative to the collection folder.
 */
export const collectionGrpcSchema = lazySchema(() =>
  z
    .object({
      importPaths: z.array(z.string().min(1).max(4096)).max(100).optional(),
      protoFiles: z.array(z.string().min(1).max(4096)).max(500).optional(),
    })
    .strict(),
)
export type CollectionGrpc = z.infer<typeof collectionGrpcSchema>

/**
 * A request's proto source with the collection's filled in: its own files, else the collection's; its own
 * import paths first, then the collection's (an import found in both comes from the request's folder).
 */
export function withCollectionProtos(own: GrpcRequest, col: CollectionGrpc | undefined): GrpcRequest {
  if (!col) return own
  const proto = own.proto?.length ? own.proto : col.protoFiles
  const importPaths = [...(own.importPaths ?? []), ...(col.importPaths ?? [])]
  return {
    ...own,
    ...(proto?.length ? { proto } : {}),
    ...(importPaths.length > 0 ? { importPaths } : {}),
  }
}
