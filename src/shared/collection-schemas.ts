import { z } from 'zod'
import {
  authSchema,
  requestContextSchema,
  requestScriptsSchema,
  savedRequestInputSchema,
  variableSchema,
} from './collection'
import { MAX_SEND_COUNT } from './constants'
import { requestSpecSchema } from './request'
import { lazySchema } from './lazy-schema'
import { SNIPPET_TARGET_NAMES, type SnippetTargetName } from './snippet-targets'

/**
 * Payload schemas of the collection, environment, variable and import/export commands. contract.ts names the
 * commands.
 */

const dir = lazySchema(() => z.string().min(1).max(4096))
const relPath = lazySchema(() => z.string().max(4096))
const name = lazySchema(() => z.string().trim().min(1).max(256))
const variables = lazySchema(() => z.array(variableSchema).max(10_000))

export const IMPORT_FORMATS = [
  'auto',
  'postman',
  'postman-env',
  'insomnia',
  'hoppscotch',
  'hoppscotch-env',
  'yaak',
  'bruno',
  'openapi',
  'har',
  'curl',
] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]
/** The languages the composer's Code dialog takes: every one of snippet-targets.ts, by id or older name. */
export const SNIPPET_TARGETS = SNIPPET_TARGET_NAMES
export type SnippetTarget = SnippetTargetName

export const collectionListPayload = lazySchema(() => z.object({}).strict())

/** Open a collection folder; `create` makes `collection.yaml` when the folder has none. */
export const collectionOpenPayload = lazySchema(() =>
  z.object({ dir, create: z.boolean().optional(), name: z.string().max(256).optional() }).strict(),
)

export const collectionClosePayload = lazySchema(() => z.object({ dir }).strict())

/** A native folder picker (desktop app only). */
export const collectionPickPayload = lazySchema(() => z.object({}).strict())

export const collectionReadPayload = lazySchema(() => z.object({ dir, path: relPath }).strict())

/** Save a request; `baseVersion` is the version it was read at (null for "write whatever is there"). */
export const collectionSavePayload = lazySchema(() =>
  z
    .object({
      dir,
      path: relPath,
      request: savedRequestInputSchema,
      baseVersion: z.string().max(64).nullable(),
    })
    .strict(),
)

export const collectionCreateRequestPayload = lazySchema(() =>
  z.object({ dir, folder: relPath, request: savedRequestInputSchema }).strict(),
)

export const collectionCreateFolderPayload = lazySchema(() =>
  z.object({ dir, parent: relPath, name }).strict(),
)

export const collectionRenamePayload = lazySchema(() =>
  z.object({ dir, path: relPath.min(1), name }).strict(),
)

export const collectionDuplicatePayload = lazySchema(() => z.object({ dir, path: relPath.min(1) }).strict())

export const collectionMovePayload = lazySchema(() =>
  z.object({ dir, path: relPath.min(1), toFolder: relPath }).strict(),
)

export const collectionDeletePayload = lazySchema(() => z.object({ dir, path: relPath.min(1) }).strict())

/** A folder's (or, for path '', the collection's) variables, auth, scripts and display name. */
export const collectionSaveFolderPayload = lazySchema(() =>
  z
    .object({
      dir,
      path: relPath,
      name: z.string().max(256).optional(),
      variables: variables.optional(),
      auth: authSchema.optional(),
      /** The folder's own scripts (`{}` removes them); left out, the file keeps what it has. */
      scripts: requestScriptsSchema.optional(),
    })
    .strict(),
)

/**
 * What names an OAuth 2.0 token to Get (or whose sign-in to cancel): the auth as the form shows it, its request's
 * or folder's context, and, from a folder's or the collection's settings, `variables`: that folder's (path `''`:
 * the collection's) own rows as the dialog shows them, unsaved, in place of the saved ones (a secret row left
 * blank keeps the value stored on this machine, as saving it would).
 */
export const oauth2TokenPayload = lazySchema(() =>
  z
    .object({ auth: authSchema, context: requestContextSchema.optional(), variables: variables.optional() })
    .strict(),
)

export const environmentSavePayload = lazySchema(() =>
  z
    .object({
      dir,
      id: z
        .string()
        .min(1)
        .max(128)
        .regex(/^[A-Za-z0-9][\w.-]*$/, 'Environment ids are letters, digits, _ . and -'),
      name,
      variables,
    })
    .strict(),
)

export const environmentDeletePayload = lazySchema(() =>
  z.object({ dir, id: z.string().min(1).max(128) }).strict(),
)

/** Remember which environment is chosen for a collection (kept by the host across restarts; '' for none). */
export const environmentSelectPayload = lazySchema(() => z.object({ dir, env: z.string().max(128) }).strict())

export const globalsGetPayload = lazySchema(() => z.object({}).strict())

export const globalsSavePayload = lazySchema(() => z.object({ variables }).strict())

/**
 * Folders outside every collection whose files a collection's requests may send (body files, multipart
 * parts). A request from a collection reads its own folder only, unless the person allowed another here.
 */
export const filesAllowedPayload = lazySchema(() => z.object({}).strict())

export const filesAllowPayload = lazySchema(() => z.object({ folder: dir }).strict())

export const filesForgetPayload = lazySchema(() => z.object({ folder: dir }).strict())

/** Every variable a request can see (secrets blank), for hover and for flagging unknown names. */
export const variablesListPayload = lazySchema(() =>
  z.object({ context: requestContextSchema.optional() }).strict(),
)

/** Send with variables resolved and auth applied (inherited from folders and the collection). */
export const requestSendPayload = lazySchema(() =>
  z
    .object({
      request: requestSpecSchema,
      auth: authSchema,
      count: z.number().int().min(1).max(MAX_SEND_COUNT).optional(),
      context: requestContextSchema.optional(),
      /**
       * The request's scripts as the composer holds them (folder and collection scripts an import carried down are
       * part of their text). The engine runs the pre-request script before sending and the test script once the
       * response has been read, each reported as a `script` event on the request's session. `translated: true`
       * means the request's declarative checks stand for them: nothing runs.
       */
      scripts: requestScriptsSchema.optional(),
      /** False: no script runs, the request's nor its collection's and folders' (`flightdeck send --no-scripts`). */
      runScripts: z.boolean().optional(),
      /** The toolbar's trace switch: a traceparent on a send no `trace:` setting decides (an Untitled tab's). */
      trace: z.boolean().optional(),
      /**
       * A CA file the person named for this send (`flightdeck send --collection … --cacert`), in place of the
       * request's `caFile`: theirs, not the collection's, so it is read as given and not confined.
       */
      caFile: z.string().min(1).max(4096).optional(),
    })
    .strict(),
)

/** Import a file (or pasted text, e.g. a curl command) into a collection folder. */
export const importRunPayload = lazySchema(() =>
  z
    .object({
      format: z.enum(IMPORT_FORMATS),
      file: z.string().max(4096).optional(),
      text: z
        .string()
        .max(64 * 1024 * 1024)
        .optional(),
      into: dir,
      /** Pasted curl: the folder inside `into` that gets the request. */
      folder: relPath.optional(),
    })
    .strict(),
)

/** Postman and Insomnia export one file; Bruno a folder of files (`file` is then that folder). */
export const EXPORT_FORMATS = ['postman', 'insomnia', 'bruno'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
export const exportCollectionPayload = lazySchema(() =>
  z.object({ dir, format: z.enum(EXPORT_FORMATS), file: z.string().max(4096).optional() }).strict(),
)

export const exportRequestPayload = lazySchema(() =>
  z
    .object({
      dir,
      path: relPath.min(1),
      target: z.enum(SNIPPET_TARGETS),
      env: z.string().max(256).optional(),
    })
    .strict(),
)

export interface ImportReport {
  format: Exclude<ImportFormat, 'auto'>
  /** The collection folder written. */
  dir: string
  requests: number
  folders: number
  environments: number
  /**
   * Everything that could not be mapped, one plain line each: never silently dropped. What needs attention
   * comes first (`attention`), the long tail last, folded into one line per kind (`folded`).
   */
  unmapped: string[]
  /** The lines a person must act on: parts left out, scripts not run, auth not supported, credentials. */
  attention?: string[]
  /** The long tail (saved example responses, folder descriptions): how many of each, and the lines folded. */
  folded?: { what: string; count: number; lines: string[] }[]
  /** For a pasted curl: the request file written. */
  path?: string
}

export type { CollectionChangedEvent } from './collection-delta'
