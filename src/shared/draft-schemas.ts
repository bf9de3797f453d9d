import { z } from 'zod'
import { authSchema, requestContextSchema } from './collection'
import { SNIPPET_TARGETS } from './collection-schemas'
import { savedGraphqlSchema } from './graphql-saved'
import { requestSpecSchema } from './request'
import { lazySchema } from './lazy-schema'

/**
 * Commands on the request a person is editing, saved or not: what they paste into the composer, what they copy
 * out of it, and the files its body names. All work without a collection folder (an Untitled tab).
 */
/** A pasted curl command as a request (method, URL, headers, body, auth); nothing is written to disk. */
export const draftFromCurlPayload = lazySchema(() =>
  z
    .object({
      text: z
        .string()
        .min(1)
        .max(1024 * 1024),
    })
    .strict(),
)

/** The composer's request as code, as it stands now (unsaved edits included), variables from its scope. */
export const draftSnippetPayload = lazySchema(() =>
  z
    .object({
      request: requestSpecSchema,
      auth: authSchema,
      context: requestContextSchema.optional(),
      target: z.enum(SNIPPET_TARGETS),
      /** A GraphQL tab's `graphql:` block: the snippet is the HTTP request that carries its operation. */
      graphql: savedGraphqlSchema.optional(),
    })
    .strict(),
)

/**
 * What a body file path being typed could become: the entries of the folder it names that start with its last
 * part. Relative paths are the collection folder's when `context` names one, else the home folder's.
 */
export const draftCompletePathPayload = lazySchema(() =>
  z.object({ partial: z.string().max(4096), context: requestContextSchema.optional() }).strict(),
)

/** The desktop app's "open file" dialog for a body file; other hosts answer `unsupported`. */
export const draftPickFilePayload = lazySchema(() => z.object({}).strict())

/** Text that starts like a curl command line (what a paste into the URL field turns into a request). */
export function looksLikeCurl(text: string): boolean {
  return /^\s*curl(\s|$)/.test(text)
}

export const MAX_PATH_COMPLETIONS = 50
