import { z } from 'zod'
import { authSchema, requestContextSchema } from './collection'
import { GRAPHQL_TRANSPORTS } from './graphql'
import { keyValueSchema, requestOptionsSchema } from './request'
import { lazySchema } from './lazy-schema'

/** Payload schemas of the GraphQL commands; contract.ts names the commands. */

const jsonObject = lazySchema(() => z.record(z.string().max(1024), z.unknown()))

export const graphqlSubscriptionOptionsSchema = lazySchema(() =>
  z
    .object({
      /** Reconnect (with backoff) when the connection drops; a subscription subscribes again. */
      reconnect: z.boolean(),
      maxRetries: z.number().int().min(0).max(1000),
      backoffMs: z.number().int().min(0).max(600_000),
      maxBackoffMs: z.number().int().min(0).max(3_600_000),
      maxMessageBytes: z
        .number()
        .int()
        .min(1)
        .max(2 * 1024 * 1024 * 1024),
      connectTimeoutMs: z.number().int().min(1).max(600_000),
      ackTimeoutMs: z.number().int().min(1).max(600_000),
      insecure: z.boolean(),
      /** Multiplex over an open connection to the same URL, subprotocols, headers and params (WebSocket transports). */
      shareConnection: z.boolean(),
    })
    .partial()
    .strict(),
)

export const graphqlSendPayload = lazySchema(() =>
  z
    .object({
      /** http(s):// for queries and SSE, ws(s):// (or http(s)://, turned into ws) for WebSocket transports. */
      url: z.string().max(64 * 1024),
      query: z.string().max(8 * 1024 * 1024),
      variables: jsonObject.optional(),
      /** The variables as typed, with {{variables}} in them: filled in by the engine, then parsed. */
      variablesText: z
        .string()
        .max(8 * 1024 * 1024)
        .optional(),
      operationName: z.string().max(1024).optional(),
      transport: z.enum(GRAPHQL_TRANSPORTS),
      /** Queries and mutations over HTTP: POST (default) or GET (queries only). */
      method: z.enum(['GET', 'POST']).optional(),
      headers: z.array(keyValueSchema).max(1000),
      /** WebSocket transports: connection_init's payload (auth tokens). */
      connectionParams: jsonObject.optional(),
      connectionParamsText: z
        .string()
        .max(1024 * 1024)
        .optional(),
      options: requestOptionsSchema.partial().optional(),
      subscription: graphqlSubscriptionOptionsSchema.optional(),
      auth: authSchema.optional(),
      context: requestContextSchema.optional(),
    })
    .strict(),
)
export type GraphqlSendPayload = z.infer<typeof graphqlSendPayload>

/** A request's `.graphql` SDL file (relative to its collection folder, confined to it). */
export const graphqlSchemaFilePayload = lazySchema(() =>
  z.object({ path: z.string().max(4096), context: requestContextSchema.optional() }).strict(),
)
