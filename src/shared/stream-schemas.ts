import { z } from 'zod'
import { authSchema, requestContextSchema } from './collection'
import { defaultHeaderNamesSchema, keyValueSchema, requestSpecSchema } from './request'
import { MAX_STREAM_ENTRY_DATA, MAX_STREAM_READ } from './streams'
import { MAX_BODY_READ } from './constants'
import { MAX_TOPIC_FILTER } from './mqtt-topic-filter'
import { lazySchema } from './lazy-schema'

/**
 * Payload schemas of the stream commands (SSE and WebSocket sessions, their logs). contract.ts names the
 * commands.
 */

const sid = lazySchema(() => z.string().min(1).max(64))

export const sseOpenOptionsSchema = lazySchema(() =>
  z.object({
    /**
     * Reconnect as EventSource does when an event stream ends or the connection fails. Left out: on for a GET
     * only (sseReconnectByDefault), since a reconnect sends the request again.
     */
    reconnect: z.boolean(),
    /** Failed reconnects in a row (attempts that deliver no message) before the session gives up. */
    maxRetries: z.number().int().min(0).max(1000),
    /** Reconnection time until the server sets one with `retry:`. */
    retryMs: z.number().int().min(0).max(3_600_000),
    /** `auto` picks by Content-Type: text/event-stream, NDJSON, or raw chunks. */
    mode: z.enum(['auto', 'sse', 'ndjson', 'chunks']),
    /**
     * Sent as Last-Event-ID on the first connection (to resume a stream seen before); reconnects send the latest
     * id the stream set. A Last-Event-ID header set by hand counts as this when it is left out.
     */
    lastEventId: z.string().max(4096).optional(),
  }),
)
export type SseOpenOptions = z.infer<typeof sseOpenOptionsSchema>

export const wsOpenOptionsSchema = lazySchema(() =>
  z.object({
    reconnect: z.boolean(),
    maxRetries: z.number().int().min(0).max(1000),
    backoffMs: z.number().int().min(0).max(600_000),
    maxBackoffMs: z.number().int().min(0).max(3_600_000),
    /** Incoming messages larger than this are refused (close 1009). */
    maxMessageBytes: z
      .number()
      .int()
      .min(1)
      .max(2 * 1024 * 1024 * 1024),
    perMessageDeflate: z.boolean(),
    insecure: z.boolean(),
    caFile: z.string().max(4096).optional(),
    connectTimeoutMs: z.number().int().min(1).max(600_000),
    /** The request's `omitDefaultHeaders`: the handshake's own User-Agent is left out when it lists `user-agent`. */
    omitDefaultHeaders: defaultHeaderNamesSchema.optional(),
  }),
)
export type WsOpenOptions = z.infer<typeof wsOpenOptionsSchema>

/** An HTTP token, or a `{{variable}}` that resolves to one (checked again once resolved). */
const subprotocol = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(/^(?:[!#$%&'*+.^_`|~0-9A-Za-z-]|\{\{[^{}]*\}\})+$/, 'A subprotocol must be an HTTP token'),
)

/**
 * How a stream's opening request gets its variables and auth, as `request.send`'s: `auth` is the request's own
 * (`inherit` takes its folders' and collection's), `context` names the collection, the request file and the
 * environment. Without them the stream opens as typed (and unknown `{{names}}` are refused). A function, so that
 * its parts are built with the payload schemas that use them, not at import.
 */
const streamScope = () => ({
  auth: authSchema.optional(),
  context: requestContextSchema.optional(),
  /** The toolbar's Trace switch: a traceparent in the handshake when no `trace:` setting decides. */
  trace: z.boolean().optional(),
})

export const streamFilterSchema = lazySchema(() =>
  z
    .object({
      text: z.string().max(1024).optional(),
      kinds: z
        .array(
          z.enum([
            'event',
            'comment',
            'invalid',
            'line',
            'chunk',
            'text',
            'binary',
            'ping',
            'pong',
            'close',
            'control',
          ]),
        )
        .max(16)
        .optional(),
      dir: z.enum(['in', 'out']).optional(),
      topic: z.string().max(MAX_TOPIC_FILTER).optional(),
    })
    .strict(),
)

export const sseOpenPayload = lazySchema(() =>
  z
    .object({
      request: requestSpecSchema,
      stream: sseOpenOptionsSchema.partial().optional(),
      ...streamScope(),
    })
    .strict(),
)

export const wsOpenPayload = lazySchema(() =>
  z
    .object({
      url: z.string().max(64 * 1024),
      headers: z.array(keyValueSchema).max(1000),
      protocols: z.array(subprotocol).max(32),
      options: wsOpenOptionsSchema.partial().optional(),
      ...streamScope(),
    })
    .strict(),
)

export const wsSendPayload = lazySchema(() =>
  z
    .object({
      sid,
      /** `json` is sent as text once it parses. `binary` takes hex or base64 in `data`, or a file `path`. */
      kind: z.enum(['text', 'json', 'binary']),
      data: z
        .string()
        .max(128 * 1024 * 1024)
        .optional(),
      encoding: z.enum(['utf8', 'hex', 'base64']).optional(),
      path: z.string().min(1).max(4096).optional(),
      /** Resolve `{{variables}}` in text and JSON messages (a saved message sent from a request's tab). */
      resolve: z.boolean().optional(),
      /** The scope `resolve` uses: the request's collection, file and environment. */
      context: requestContextSchema.optional(),
    })
    .strict(),
)

export const wsPingPayload = lazySchema(() =>
  z.object({ sid, data: z.string().max(125).optional() }).strict(),
)

export const wsClosePayload = lazySchema(() =>
  z
    .object({
      sid,
      code: z.number().int().min(1000).max(4999).optional(),
      reason: z.string().max(123).optional(),
    })
    .strict(),
)

export const streamReadPayload = lazySchema(() =>
  z
    .object({
      sid,
      from: z.number().int().min(0),
      count: z.number().int().min(1).max(MAX_STREAM_READ),
      maxData: z.number().int().min(0).max(MAX_STREAM_ENTRY_DATA).optional(),
      filter: streamFilterSchema.optional(),
    })
    .strict(),
)

export const streamDataPayload = lazySchema(() =>
  z
    .object({
      sid,
      seq: z.number().int().min(0),
      offset: z.number().int().min(0),
      length: z.number().int().min(0).max(MAX_BODY_READ),
      encoding: z.enum(['utf8', 'base64', 'hex']),
    })
    .strict(),
)
