import { z } from 'zod'
import { messagingContextSchema } from './mqtt'
import { defaultHeaderNamesSchema, keyValueSchema } from './request'
import { authSchema } from './auth-spec'
import { lazySchema } from './lazy-schema'

/**
 * Socket.IO sessions (client v4): the payloads of their commands and their defaults. A received or emitted event
 * is a stream-log entry whose event is the event's name and whose data is its arguments as a JSON array (binary
 * arguments as `{"$binary": "<base64>"}`); its id is `SocketIoDelivery` as JSON. An ack's answer is a `control`
 * entry named `ack`, paired with its emit (the emit's seq and the round trip).
 */

const sid = lazySchema(() => z.string().min(1).max(64))

export const socketIoOptionsSchema = lazySchema(() =>
  z
    .object({
      /** `polling`: long-polling first, then the upgrade to WebSocket (the default); `websocket`: WebSocket only. */
      transports: z.enum(['polling', 'websocket']),
      reconnect: z.boolean(),
      maxRetries: z.number().int().min(0).max(1000),
      backoffMs: z.number().int().min(0).max(600_000),
      maxBackoffMs: z.number().int().min(0).max(3_600_000),
      insecure: z.boolean(),
      caFile: z.string().max(4096).optional(),
      connectTimeoutMs: z.number().int().min(1).max(600_000),
      /** An emit that asks for an ack and gets none within this is marked as unanswered. */
      ackTimeoutMs: z.number().int().min(1).max(3_600_000),
      /** The request's `omitDefaultHeaders`: the client's own User-Agent is left out when it lists `user-agent`. */
      omitDefaultHeaders: defaultHeaderNamesSchema.optional(),
    })
    .strict(),
)
export type SocketIoOptions = z.infer<typeof socketIoOptionsSchema>

export const DEFAULT_SOCKETIO_OPTIONS: SocketIoOptions = {
  transports: 'polling',
  reconnect: false,
  maxRetries: 5,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  insecure: false,
  connectTimeoutMs: 10_000,
  ackTimeoutMs: 10_000,
}

/**
 * The answer to a server's ack request for `event` (`*`: any event without its own): its arguments as JSON
 * text, as a saved emit's (an array is several, empty none). Events the server asks no ack for are untouched.
 */
export const socketIoAckAnswerSchema = lazySchema(() =>
  z
    .object({
      event: z.string().min(1).max(1024),
      args: z.string().max(16 * 1024 * 1024),
    })
    .strict(),
)
export type SocketIoAckAnswer = z.infer<typeof socketIoAckAnswerSchema>

/** Most ack answers a session or a saved request holds. */
export const MAX_ACK_ANSWERS = 1000

export const socketIoOpenPayload = lazySchema(() =>
  z
    .object({
      /** The server's URL: http://, https://, ws:// or wss:// (the namespace is given apart). */
      url: z.string().max(64 * 1024),
      namespace: z.string().max(1024).optional(),
      /** The Engine.IO path; `/socket.io` when left out. */
      path: z.string().max(1024).optional(),
      /** The handshake's auth payload, as JSON text (an object). */
      auth: z
        .string()
        .max(64 * 1024)
        .optional(),
      headers: z.array(keyValueSchema).max(1000),
      query: z.array(keyValueSchema).max(1000),
      options: socketIoOptionsSchema.partial().optional(),
      /** Events to record; empty: every event (onAny). */
      listen: z.array(z.string().min(1).max(1024)).max(1000),
      /** Answers to the server's ack requests, by event; an event without one is shown as asked, unanswered. */
      acks: z.array(socketIoAckAnswerSchema).max(MAX_ACK_ANSWERS).optional(),
      /** The request's collection, file and environment: `{{variables}}` in the URL (and headers) resolve there. */
      context: messagingContextSchema.optional(),
      /** The request's own auth (`inherit`: its folder's, then the collection's); an OAuth 2.0 one gives the session its token. */
      requestAuth: authSchema.optional(),
    })
    .strict(),
)

export const socketIoArgSchema = lazySchema(() =>
  z
    .object({
      kind: z.enum(['json', 'text', 'binary']),
      /** JSON text, plain text, or bytes as hex / base64 (`encoding`). */
      data: z.string().max(64 * 1024 * 1024),
      encoding: z.enum(['hex', 'base64']).optional(),
    })
    .strict(),
)
export type SocketIoArg = z.infer<typeof socketIoArgSchema>

export const socketIoEmitPayload = lazySchema(() =>
  z
    .object({
      sid,
      event: z.string().min(1).max(1024),
      args: z.array(socketIoArgSchema).max(64),
      /**
       * Arguments as one JSON text, read once its `{{variables}}` resolved (the app's Emit box, as a saved emit's):
       * an array is several arguments, empty none. They go before `args`.
       */
      argsText: z
        .string()
        .max(64 * 1024 * 1024)
        .optional(),
      /** Ask for an acknowledgement: its answer and round trip are paired with the emit. */
      ack: z.boolean(),
    })
    .strict(),
)

/** What a Socket.IO log entry's id says (JSON). */
export interface SocketIoDelivery {
  /** The emit asked for an ack; its number on this session. */
  ack?: number
  /** An ack's answer: the emit's log seq and the ms it took. */
  emitSeq?: number
  rttMs?: number
  /** Binary arguments in the event. */
  binary?: number
  timedOut?: boolean
  /** A received event: the server asked for an ack. */
  ackAsked?: boolean
  /** Our answer to a server's ack request (or the note that none was sent): the event's log seq. */
  eventSeq?: number
  answered?: boolean
}

/** Engine.IO / Socket.IO's disconnect reasons, in plain words. */
export function disconnectWords(reason: string): string {
  switch (reason) {
    case 'io server disconnect':
      return 'The server disconnected the socket (io server disconnect)'
    case 'io client disconnect':
      return 'Closed by you (io client disconnect)'
    case 'ping timeout':
      return 'The server stopped answering pings (ping timeout)'
    case 'transport close':
      return 'The connection closed (transport close)'
    case 'transport error':
      return 'The connection failed (transport error)'
    case 'parse error':
      return 'The server sent a packet Socket.IO could not read (parse error)'
    default:
      return `Disconnected: ${reason}`
  }
}

/** An emit kept with a saved Socket.IO request: its arguments as JSON text (an array is several). */
export const savedSocketIoEmitSchema = lazySchema(() =>
  z
    .object({
      name: z.string().max(256),
      event: z.string().min(1).max(1024),
      args: z.string().max(16 * 1024 * 1024),
      ack: z.boolean(),
    })
    .strict(),
)

/** A saved Socket.IO request's own fields (its URL and headers are the request's). */
export const savedSocketIoSchema = lazySchema(() =>
  z
    .object({
      namespace: z.string().max(1024).optional(),
      path: z.string().max(1024).optional(),
      auth: z
        .string()
        .max(64 * 1024)
        .optional(),
      listen: z.array(z.string().min(1).max(1024)).max(1000),
      options: socketIoOptionsSchema.partial().optional(),
      emits: z.array(savedSocketIoEmitSchema).max(1000),
      acks: z.array(socketIoAckAnswerSchema).max(MAX_ACK_ANSWERS).optional(),
    })
    .strict(),
)
export type SavedSocketIo = z.infer<typeof savedSocketIoSchema>
