import { z } from 'zod'
import { MAX_BODY_LINES, SNIPPET_TARGETS, type SnippetTarget } from './body-view'
import { lazySchema } from './lazy-schema'

/**
 * Payload schemas of the response viewer's and HAR commands. contract.ts names the commands.
 */

const bodyId = lazySchema(() => z.string().min(1).max(64))
const view = lazySchema(() => z.enum(['pretty', 'raw']))

/** A window of a stored body's lines, pretty-printed JSON or raw text. */
export const bodyLinesPayload = lazySchema(() =>
  z
    .object({
      bodyId,
      view,
      from: z.number().int().min(0),
      count: z.number().int().min(1).max(MAX_BODY_LINES),
    })
    .strict(),
)

/** Find text in a stored body, from a byte offset; answers with the view line of every match. */
export const bodySearchPayload = lazySchema(() =>
  z
    .object({
      bodyId,
      view,
      query: z.string().min(1).max(1000),
      caseSensitive: z.boolean().optional(),
      from: z.number().int().min(0).optional(),
    })
    .strict(),
)

/**
 * Write a stored body to a file. Without `path` the desktop host asks where (a save dialog); the browser
 * host downloads instead (see the web host's /download/body route).
 */
export const bodySavePayload = lazySchema(() =>
  z
    .object({
      bodyId,
      path: z.string().min(1).max(4096).optional(),
      suggestedName: z.string().max(255).optional(),
    })
    .strict(),
)

/** Sessions as a HAR 1.2 document (all, filtered or selected: the caller lists the ids). */
export const harExportPayload = lazySchema(() =>
  z
    .object({
      sids: z.array(z.string().min(1).max(64)).max(100_000),
      /** Include response bodies up to this many bytes each as content.text (0: none). */
      maxBodyBytes: z
        .number()
        .int()
        .min(0)
        .max(16 * 1024 * 1024)
        .optional(),
      /** Keep Authorization, cookies and secret variable values as sent. Off unless the user opts in. */
      includeSecrets: z.boolean().optional(),
    })
    .strict(),
)

/** Put a HAR's entries on the timeline, read-only, with their recorded timings. */
export const harImportPayload = lazySchema(() =>
  z
    .object({
      text: z.string().max(64 * 1024 * 1024),
      name: z.string().max(255).optional(),
    })
    .strict(),
)

/** A session's request as it was sent (or recorded in an imported HAR), to edit and send again. */
export const sessionRequestPayload = lazySchema(() => z.object({ sid: z.string().min(1).max(64) }).strict())

/** A session's request as code (curl, fetch, requests, ...), written by httpsnippet. */
export const sessionSnippetPayload = lazySchema(() =>
  z
    .object({
      sid: z.string().min(1).max(64),
      target: z.enum(SNIPPET_TARGETS.map((t) => t.id) as [SnippetTarget, ...SnippetTarget[]]),
    })
    .strict(),
)
