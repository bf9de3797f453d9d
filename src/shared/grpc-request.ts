import { z } from 'zod'

/**
 * What a saved gRPC request (`kind: grpc`) keeps beside the fields every request has: its target is the `url`
 * (`grpc://host:port` plaintext, `grpcs://host:port` or `host:port` TLS), its metadata the `headers`, its
 * message(s) the `messages` (JSON text each), TLS options the `options` (insecure, caFile). Here: the method,
 * where the schema comes from, and the call's limits.
 */
export const grpcRequestSchema = z
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
  .strict()
export type GrpcRequest = z.infer<typeof grpcRequestSchema>
