import { z } from 'zod'
import { lazySchema } from './lazy-schema'
import type { AppError } from './result'
import { externalUrlProblem } from './trace-context'

/**
 * The facts an error carries beside its words (result.ts), read where they arrive. They came across a process
 * boundary, so they are untrusted: a field of the wrong shape, a link that is not http(s), a list past its
 * bound, reads as absent, and the error is shown by its words alone.
 */

/** The most names a refusal carries (its message names the first 20 of them). */
export const MAX_UNKNOWN_NAMES = 1000

const signInSchema = lazySchema(() =>
  z
    .object({
      url: z
        .string()
        .min(1)
        .max(8192)
        .refine((u) => externalUrlProblem(u) === null),
      withinMs: z.number().int().positive(),
    })
    .strict(),
)

const unknownSchema = lazySchema(() => z.array(z.string().min(1).max(1024)).max(MAX_UNKNOWN_NAMES))

/** Where and for how long an OAuth 2.0 sign-in is awaited, when the error says one is. */
export function signInOf(error: AppError | null | undefined): { url: string; withinMs: number } | null {
  if (error?.signIn === undefined) return null
  const r = signInSchema.safeParse(error.signIn)
  return r.success ? r.data : null
}

/** The variables with no value an `unknown_variable` refusal names; null for any other error. */
export function unknownNamesOf(error: AppError | null | undefined): string[] | null {
  if (error?.code !== 'unknown_variable' || error.unknown === undefined) return null
  const r = unknownSchema.safeParse(error.unknown)
  return r.success ? r.data : null
}
