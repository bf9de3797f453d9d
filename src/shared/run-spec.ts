import { z } from 'zod'
import { STATUS_NAMES } from './grpc'
import { lazySchema } from './lazy-schema'

/**
 * What a request file says about its runs (the runner and `flightdeck run`): the checks on its outcome, the
 * values it extracts, when to retry it, when a stream step ends, and the webhook call it waits for. The
 * request model (collection.ts) holds these as its optional run fields.
 */

const text = lazySchema(() => z.string().max(64 * 1024))

/** A pattern a person wrote: it must compile, and stays small (it runs on response bodies and messages). */
const pattern = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => {
      try {
        new RegExp(p)
        return true
      } catch {
        return false
      }
    }, 'Not a valid regular expression'),
)

const statusCode = lazySchema(() => z.number().int().min(100).max(999))

/**
 * A declarative check on a request's outcome (the runner and `flightdeck run`). `message-count` applies to
 * SSE and WebSocket requests: messages received before the stop condition.
 */
const headerAssertion = lazySchema(() =>
  z
    .object({
      kind: z.literal('header'),
      name: z.string().min(1).max(256),
      equals: text.optional(),
      contains: text.optional(),
      exists: z.boolean().optional(),
    })
    .strict(),
)
const jsonAssertion = lazySchema(() =>
  z
    .object({
      kind: z.literal('json'),
      path: z.string().min(1).max(4096),
      equals: z.union([text, z.number(), z.boolean(), z.null()]).optional(),
      exists: z.boolean().optional(),
    })
    .strict(),
)
const bodyContainsAssertion = lazySchema(() =>
  z.object({ kind: z.literal('body-contains'), text: text.min(1) }).strict(),
)

export const assertionSchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('status'),
        equals: statusCode.optional(),
        oneOf: z.array(statusCode).min(1).max(100).optional(),
        min: statusCode.optional(),
        max: statusCode.optional(),
      })
      .strict(),
    headerAssertion,
    jsonAssertion,
    bodyContainsAssertion,
    z.object({ kind: z.literal('duration-under'), ms: z.number().positive().max(86_400_000) }).strict(),
    z
      .object({
        kind: z.literal('message-count'),
        equals: z.number().int().min(0).optional(),
        min: z.number().int().min(0).optional(),
        max: z.number().int().min(0).optional(),
      })
      .strict(),
    // A gRPC call's status, by name (`NOT_FOUND`) or code (5): with it, a status other than OK is this check's.
    z
      .object({
        kind: z.literal('grpc-status'),
        equals: z.union([
          z.enum(STATUS_NAMES),
          z
            .number()
            .int()
            .min(0)
            .max(STATUS_NAMES.length - 1),
        ]),
      })
      .strict(),
  ]),
)
export type Assertion = z.infer<typeof assertionSchema>
export const ASSERTION_KINDS = [
  'status',
  'header',
  'json',
  'body-contains',
  'duration-under',
  'message-count',
  'grpc-status',
] as const

const extractName = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(/^[A-Za-z_][\w.-]*$/, 'Variable names are letters, digits, _ . and -'),
)

/** A value taken from a response into a variable, for the requests that run after it. */
export const extractionSchema = lazySchema(() =>
  z.discriminatedUnion('from', [
    z.object({ name: extractName, from: z.literal('json'), path: z.string().min(1).max(4096) }).strict(),
    z.object({ name: extractName, from: z.literal('header'), header: z.string().min(1).max(256) }).strict(),
    z
      .object({
        name: extractName,
        from: z.literal('regex'),
        pattern,
        /** The capture group whose text is the value (default 1, or the whole match when there is none). */
        group: z.number().int().min(0).max(99).optional(),
      })
      .strict(),
  ]),
)
export type Extraction = z.infer<typeof extractionSchema>

/** When to send a request again: on a network error or a listed status, waiting longer each time up to a cap. */
export const retrySchema = lazySchema(() =>
  z
    .object({
      /** Tries after the first one. */
      retries: z.number().int().min(0).max(100),
      onNetworkError: z.boolean(),
      onStatus: z.array(z.number().int().min(100).max(999)).max(100),
      backoffMs: z.number().int().min(0).max(600_000),
      factor: z.number().min(1).max(10),
      maxBackoffMs: z.number().int().min(0).max(3_600_000),
    })
    .strict(),
)
export type RetrySpec = z.infer<typeof retrySchema>
/** What a request file's `retry:` means for the fields it leaves out. */
export const DEFAULT_RETRY: Omit<RetrySpec, 'retries'> = {
  onNetworkError: true,
  onStatus: [502, 503, 504],
  backoffMs: 200,
  factor: 2,
  maxBackoffMs: 5000,
}

/** When a run's SSE or WebSocket step ends: after `count` messages, after `durationMs`, or on a matching message. */
export const stopSchema = lazySchema(() =>
  z
    .object({
      count: z.number().int().min(1).max(1_000_000).optional(),
      durationMs: z.number().int().min(1).max(86_400_000).optional(),
      /** A regular expression tested against each incoming message's data. */
      match: pattern.optional(),
    })
    .strict(),
)
export type StopSpec = z.infer<typeof stopSchema>
/** A stream step with no stop condition ends after this many messages or this long, whichever comes first. */
export const DEFAULT_STOP = { count: 100, durationMs: 10_000 } as const

/**
 * A check on the webhook call a step waited for: its method, the path after the token (`/done`), a header,
 * a JSONPath on its JSON body, or text in its body. The last three work as they do on a response.
 */
export const webhookAssertionSchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('method'),
        equals: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'Method must be an HTTP token'),
      })
      .strict(),
    z.object({ kind: z.literal('path'), equals: z.string().min(1).max(4096) }).strict(),
    headerAssertion,
    jsonAssertion,
    bodyContainsAssertion,
  ]),
)
export type WebhookAssertion = z.infer<typeof webhookAssertionSchema>

/**
 * An HTTP step that, after its response, waits for the webhook inbox to receive a call carrying the token
 * its `{{$webhook}}` minted; no call within `timeoutMs` (counted from the response) fails the step. `extract`
 * takes values from the call (its JSON body, a header, a regex on its body) as `extract` does from a response.
 */
export const waitForWebhookSchema = lazySchema(() =>
  z
    .object({
      timeoutMs: z.number().int().min(1).max(3_600_000),
      assertions: z.array(webhookAssertionSchema).max(1000).optional(),
      extract: z.array(extractionSchema).max(1000).optional(),
    })
    .strict(),
)
export type WaitForWebhookSpec = z.infer<typeof waitForWebhookSchema>
