import { z } from 'zod'
import { lazySchema } from './lazy-schema'

/**
 * What a request does after its response, in a run or from the composer: follow the job it started (poll a
 * status URL until a condition holds), or long-poll (send it again as soon as it answers). The `job.follow` and
 * `request.longPoll` commands take these, and a request file keeps them as `followJob:` and `longPoll:`, with
 * durations in ms as the other run fields have them. A file may leave out what has a default (below).
 */

const jsonScalar = lazySchema(() => z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]))
const jsonPath = lazySchema(() => z.string().min(1).max(1024).regex(/^\$/, 'A JSONPath starts with $'))

/** Where the status URL of a job comes from. */
export const statusUrlSourceSchema = lazySchema(() =>
  z.discriminatedUnion('from', [
    z.object({ from: z.literal('location') }).strict(),
    z.object({ from: z.literal('operation-location') }).strict(),
    z.object({ from: z.literal('request') }).strict(),
    z.object({ from: z.literal('json'), path: jsonPath }).strict(),
  ]),
)
export type StatusUrlSourceSpec = z.infer<typeof statusUrlSourceSchema>

export const followOptionsSchema = lazySchema(() =>
  z
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
    .strict(),
)
export type FollowOptionsSpec = z.infer<typeof followOptionsSchema>

export const longPollOptionsSchema = lazySchema(() =>
  z
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
    .strict(),
)
export type LongPollOptionsSpec = z.infer<typeof longPollOptionsSchema>

/** What a request file's `followJob:` means for the fields it leaves out (the composer's defaults too). */
export const DEFAULT_FOLLOW_JOB = {
  intervalMs: 1000,
  backoff: 'fixed',
  honourRetryAfter: true,
  deadlineMs: 60_000,
  maxPolls: 100,
} as const satisfies Partial<FollowOptionsSpec>

/** What a request file's `longPoll:` means for the fields it leaves out (the composer's defaults too). */
export const DEFAULT_LONG_POLL = {
  maxRepeats: 10,
  deadlineMs: 60_000,
  stopOnError: false,
} as const satisfies Partial<LongPollOptionsSpec>

/** Exponential backoff stops growing here unless `maxIntervalMs` says otherwise (nor less than the interval). */
export function defaultMaxIntervalMs(intervalMs: number): number {
  return Math.max(intervalMs, 60_000)
}
