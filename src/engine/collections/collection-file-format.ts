import {
  SAVED_REQUEST_KEYS,
  savedRequestSchema,
  type AuthSpec,
  type RequestScripts,
  type SavedRequest,
  type Variable,
} from '../../shared/collection'
import type { CollectionGrpc } from '../../shared/grpc-request'
import type { TraceSetting } from '../../shared/trace-context'
import type { YamlProblem } from './yaml-doc'

/**
 * The collection file format (docs/collections.md): its file names, version and the top-level keys each kind
 * of file owns. Writing (collection-file-write.ts) turns the model into plain YAML values in canonical key
 * order, leaving out defaults so files stay short; reading (collection-file-read.ts) is lenient about what may
 * be left out (a missing `method` is GET) and strict about what is there (a `method: 42` is a problem with a
 * line number).
 */

export const FORMAT_VERSION = 1
export const COLLECTION_FILE = 'collection.yaml'
export const FOLDER_FILE = 'folder.yaml'
export const ENVIRONMENTS_DIR = 'environments'

export const REQUEST_KEYS: ReadonlySet<string> = new Set(SAVED_REQUEST_KEYS)
/**
 * The run fields a save may leave undefined to keep what the file has (a client that does not edit them):
 * the schema's optional keys but `followJob` and `longPoll`, which the composer's After response tab edits
 * like the URL: a save without them removes them (a follow-up has no empty form to write).
 */
let keptUnlessSetCache: (keyof SavedRequest)[] | null = null
/** Computed by the first save, not at import, which would build the request schema in every process. */
function keptUnlessSet(): (keyof SavedRequest)[] {
  keptUnlessSetCache ??= SAVED_REQUEST_KEYS.filter(
    (k) => savedRequestSchema.shape[k].safeParse(undefined).success && k !== 'followJob' && k !== 'longPoll',
  )
  return keptUnlessSetCache
}

/**
 * The top-level keys a save of `req` owns. A run field the request leaves undefined (a client that does not
 * edit it, such as the composer) is left alone on disk; set to empty, it is removed.
 */
export function requestKeysFor(req: SavedRequest): ReadonlySet<string> {
  const absent = keptUnlessSet().filter((k) => req[k] === undefined)
  if (absent.length === 0) return REQUEST_KEYS
  const keys = new Set(REQUEST_KEYS)
  for (const k of absent) keys.delete(k)
  return keys
}

export const FOLDER_KEYS: ReadonlySet<string> = new Set(['name', 'variables', 'auth', 'scripts', 'order'])
export const COLLECTION_KEYS: ReadonlySet<string> = new Set([
  'flightdeck',
  'id',
  'name',
  'variables',
  'auth',
  'scripts',
  'order',
])
export const ENVIRONMENT_KEYS: ReadonlySet<string> = new Set(['name', 'variables'])

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: YamlProblem }

export interface FolderSettings {
  name?: string
  variables: Variable[]
  auth: AuthSpec
  order: string[]
  /** Pre-request and test scripts that run around every request below the folder (the collection's: all). */
  scripts?: RequestScripts
  /** Edited in the file only: a save of the folder keeps it as written (it is not one of FOLDER_KEYS). */
  trace?: TraceSetting
}

export interface CollectionSettings extends FolderSettings {
  id?: string
  name: string
  /** The `.proto` files and import paths of the collection's gRPC requests; edited in the file only, kept on save. */
  grpc?: CollectionGrpc
}
