import { z } from 'zod'
import { authSchema, requestContextSchema } from './collection'
import { followOptionsSchema, longPollOptionsSchema } from './job-options'
import { requestSpecSchema } from './request'
import { lazySchema } from './lazy-schema'

export {
  followOptionsSchema,
  longPollOptionsSchema,
  statusUrlSourceSchema,
  type FollowOptionsSpec,
  type LongPollOptionsSpec,
  type StatusUrlSourceSpec,
} from './job-options'

/**
 * Payload schemas of the async commands: the webhook inbox, following a job, long polling. contract.ts names the
 * commands. A job or a long poll is stopped with `session.cancel` on the sid it answered with (the first
 * request's).
 */

/**
 * A request as `request.send` takes it: variables resolve and auth applies with the optional context. A function,
 * so that its parts are built with the payload schemas that use them, not at import.
 */
const sendable = () => ({
  request: requestSpecSchema,
  auth: authSchema.optional(),
  context: requestContextSchema.optional(),
  /** The toolbar's trace switch: a traceparent on a send no `trace:` setting decides (an Untitled tab's). */
  trace: z.boolean().optional(),
})

/** Start the local webhook inbox (127.0.0.1 unless ::1 is chosen; port 0 picks a free one). */
export const webhookStartPayload = lazySchema(() =>
  z
    .object({
      port: z.number().int().min(0).max(65_535).optional(),
      host: z.enum(['127.0.0.1', '::1']).optional(),
    })
    .strict(),
)

export const webhookStopPayload = lazySchema(() => z.object({}).strict())

export const webhookStatusPayload = lazySchema(() => z.object({}).strict())

/** Send a request and follow the job it starts; the polls sit on its lane. */
export const jobFollowPayload = lazySchema(() =>
  z.object({ ...sendable(), follow: followOptionsSchema }).strict(),
)

/** Send a request again as soon as it answers, each repeat on the first one's lane. */
export const requestLongPollPayload = lazySchema(() =>
  z.object({ ...sendable(), poll: longPollOptionsSchema }).strict(),
)

export interface WebhookStatus {
  running: boolean
  url?: string
  /** Calls received since the inbox started. */
  calls: number
}

/** The message a send gets when it uses {{$webhook}} with no inbox running. */
export const WEBHOOK_NOT_RUNNING = 'Start the webhook inbox to use {{$webhook}}'
