import { z } from 'zod'
import { authSchema, requestContextSchema } from './collection'
import { requestSpecSchema } from './request'

/**
 * The async commands (issue 6): the webhook inbox, following a job, long polling. contract.ts spreads these into
 * its command table, so channel names still live in one place. A job or a long poll is stopped with
 * `session.cancel` on the sid it answered with (the first request's).
 */

const jsonScalar = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()])
const jsonPath = z.string().min(1).max(1024).regex(/^\$/, 'A JSONPath starts with $')

/** Where the status URL of a job comes from. */
export const statusUrlSourceSchema = z.discriminatedUnion('from', [
  z.object({ from: z.literal('location') }).strict(),
  z.object({ from: z.literal('operation-location') }).strict(),
  z.object({ from: z.literal('request') }).strict(),
  z.object({ from: z.literal('json'), path: jsonPath }).strict(),
])
export type StatusUrlSourceSpec = z.infer<typeof statusUrlSourceSchema>

export const followOptionsSchema = z
  .object({
    statusUrl: statusUrlSourceSchema,
    until: z
      .object({
        status: z.array(z.number().int().min(100).max(599)).min(1).max(20).optional(),
        jsonPath: jsonPath.optional(),
        equals: jsonScalar.optional(),
      })
      .strict()
      .refine((u) => u.status !== undefined || u.jsonPath !== undefined, {
        message: 'Say when the job is done: a status, a JSONPath value, or both',
      }),
    failWhen: z.object({ jsonPath, equals: jsonScalar }).strict().optional(),
    intervalMs: z.number().int().min(10).max(3_600_000),
    backoff: z.enum(['fixed', 'exponential']),
    maxIntervalMs: z.number().int().min(10).max(3_600_000).optional(),
    honourRetryAfter: z.boolean().optional(),
    deadlineMs: z
      .number()
      .int()
      .min(100)
      .max(24 * 3_600_000),
    maxPolls: z.number().int().min(1).max(10_000),
  })
  .strict()
export type FollowOptionsSpec = z.infer<typeof followOptionsSchema>

export const longPollOptionsSchema = z
  .object({
    maxRepeats: z.number().int().min(1).max(100_000),
    deadlineMs: z
      .number()
      .int()
      .min(100)
      .max(7 * 24 * 3_600_000)
      .optional(),
    until: z.object({ jsonPath, equals: jsonScalar }).strict().optional(),
    stopOnError: z.boolean().optional(),
  })
  .strict()
export type LongPollOptionsSpec = z.infer<typeof longPollOptionsSchema>

/** A request as `request.send` takes it: variables resolve and auth applies with the optional context. */
const sendable = {
  request: requestSpecSchema,
  auth: authSchema.optional(),
  context: requestContextSchema.optional(),
}

export const asyncCommandSchemas = {
  /** Start the local webhook inbox (127.0.0.1 unless ::1 is chosen; port 0 picks a free one). */
  'webhook.start': z
    .object({
      port: z.number().int().min(0).max(65_535).optional(),
      host: z.enum(['127.0.0.1', '::1']).optional(),
    })
    .strict(),
  'webhook.stop': z.object({}).strict(),
  'webhook.status': z.object({}).strict(),
  /** Send a request and follow the job it starts; the polls sit on its lane. */
  'job.follow': z.object({ ...sendable, follow: followOptionsSchema }).strict(),
  /** Send a request again as soon as it answers, each repeat on the first one's lane. */
  'request.longPoll': z.object({ ...sendable, poll: longPollOptionsSchema }).strict(),
} as const

export interface WebhookStatus {
  running: boolean
  url?: string
  /** Calls received since the inbox started. */
  calls: number
}

export interface AsyncCommandResponses {
  'webhook.start': { url: string }
  'webhook.stop': { stopped: boolean }
  'webhook.status': WebhookStatus
  'job.follow': { sid: string }
  'request.longPoll': { sid: string }
}

/** The message a send gets when it uses {{$webhook}} with no inbox running. */
export const WEBHOOK_NOT_RUNNING = 'Start the webhook inbox to use {{$webhook}}'
