import { z } from 'zod'
import { authSchema } from './auth-spec'
import { requestContextSchema } from './collection'
import { keyValueSchema } from './request'
import { lazySchema } from './lazy-schema'

/**
 * Payload schemas of the gRPC commands (schemas, calls, sends on an open stream); contract.ts names the commands.
 * The call's fields mirror GrpcCallSpec (shared/grpc.ts).
 */

const sid = lazySchema(() => z.string().min(1).max(64))
const path = lazySchema(() => z.string().min(1).max(4096))

export const grpcTlsSchema = lazySchema(() =>
  z
    .object({
      plaintext: z.boolean(),
      insecure: z.boolean().optional(),
      caFile: path.optional(),
      certFile: path.optional(),
      keyFile: path.optional(),
    })
    .strict(),
)

export const grpcSchemaSourceSchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('reflection') }).strict(),
    z
      .object({
        kind: z.literal('proto'),
        files: z.array(path).min(1).max(500),
        importPaths: z.array(path).max(100),
      })
      .strict(),
  ]),
)

const target = lazySchema(() => z.string().min(1).max(4096))
const metadata = lazySchema(() => z.array(keyValueSchema).max(1000))

export const grpcDescribePayload = lazySchema(() =>
  z
    .object({
      target,
      tls: grpcTlsSchema,
      metadata,
      schema: grpcSchemaSourceSchema,
      /** With a method: its request type's "fill with defaults" template comes back too. */
      method: z.string().max(1024).optional(),
      /** The request's auth (reflection is asked with it too); left out, none. */
      auth: authSchema.optional(),
      context: requestContextSchema.optional(),
    })
    .strict(),
)

export const grpcOpenPayload = lazySchema(() =>
  z
    .object({
      target,
      method: z.string().min(1).max(1024),
      messages: z.array(z.string().max(64 * 1024 * 1024)).max(10_000),
      metadata,
      schema: grpcSchemaSourceSchema,
      tls: grpcTlsSchema,
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
      /** A saved request's `options.connectTimeoutMs`: how long the channel may take to come up. */
      connectTimeoutMs: z.number().int().min(1).max(600_000).optional(),
      halfClose: z.boolean().optional(),
      /** The row's name (a saved request's). */
      name: z.string().max(256).optional(),
      /** The request's auth: its own, or `inherit` for its folder's or collection's; sent as metadata. Left out, none. */
      auth: authSchema.optional(),
      context: requestContextSchema.optional(),
    })
    .strict(),
)

/** Copy as grpcurl: the call's words with variables filled as Copy as curl fills them, and its auth as metadata. */
export const grpcGrpcurlPayload = lazySchema(() =>
  z
    .object({
      target,
      metadata,
      message: z.string().max(64 * 1024 * 1024),
      auth: authSchema.optional(),
      context: requestContextSchema.optional(),
    })
    .strict(),
)

export const grpcSendPayload = lazySchema(() =>
  z
    .object({ sid, message: z.string().max(64 * 1024 * 1024), context: requestContextSchema.optional() })
    .strict(),
)

export const grpcEndPayload = lazySchema(() => z.object({ sid }).strict())
