import { z } from 'zod'
import { graphqlRequestSpec, savedGraphqlSchema } from './graphql-saved'
import { grpcRequestSchema } from './grpc-request'
import { followOptionsSchema, longPollOptionsSchema } from './job-options'
import { savedMqttSchema } from './mqtt'
import { bodySchema, keyValueSchema, requestOptionsSchema } from './request'
import { assertionSchema, extractionSchema, retrySchema, stopSchema, waitForWebhookSchema } from './run-spec'
import { savedSocketIoSchema } from './socketio'
import { traceSettingSchema, type TraceSetting } from './trace-context'
import { authSchema, type AuthSpec } from './auth-spec'
import { lazySchema } from './lazy-schema'

/**
 * The collection model: what a collection folder holds once loaded, and the shape of one saved request. The
 * on-disk YAML (src/engine/collections/collection-file-*.ts) maps to and from these; the renderer sees the same types.
 * Paths inside a collection are relative, always with `/`, e.g. `users/create-user.yaml`; '' is the root.
 */

export const REQUEST_KINDS = ['http', 'sse', 'ws', 'graphql', 'grpc', 'mqtt', 'socketio'] as const
export type RequestKind = (typeof REQUEST_KINDS)[number]

export { authSchema, type AuthSpec, type AuthType } from './auth-spec'

/** A WebSocket request's saved messages (sent by hand from the stream view). */
export const savedMessageSchema = lazySchema(() =>
  z.object({
    name: z.string().max(256),
    text: z.string().max(16 * 1024 * 1024),
  }),
)
export type SavedMessage = z.infer<typeof savedMessageSchema>

/**
 * A request's scripts (Postman's pre-request and test scripts; Bruno's and Insomnia's come in as these), written
 * in the Scripts tab or kept by an import. The same shape is a folder's and the collection's own scripts
 * (folder.yaml, collection.yaml), which run around every request below them; older imports carried those down
 * into each request's text (each part marked `// From …`), which still runs as it is. The engine runs them in its QuickJS sandbox around a send and in runs
 * (src/engine/scripts). An import also turns the lines it recognises into `extract`, `assertions` and
 * `dependsOn`; `translated` says every line became one of those, so the checks run and the script does not
 * (never both). A run with scripts off (`--no-scripts`) says which scripts were not run.
 */
const SCRIPT_CHARS = 1024 * 1024
const scriptTextSchema = lazySchema(() =>
  z
    .string('expected the script as text')
    // Written out, not toLocaleString(): formatting a number with ICU at import cost every start-up ~20 ms.
    .max(SCRIPT_CHARS, 'a script may be at most 1,048,576 characters (1 MiB)'),
)
export const requestScriptsSchema = lazySchema(() =>
  z
    .object({
      preRequest: scriptTextSchema.optional(),
      test: scriptTextSchema.optional(),
      translated: z.boolean().optional(),
    })
    .strict(),
)
export type RequestScripts = z.infer<typeof requestScriptsSchema>

/** One request file's content. */
export const savedRequestSchema = lazySchema(() =>
  z.object({
    name: z.string().min(1).max(256),
    kind: z.enum(REQUEST_KINDS),
    method: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'Method must be an HTTP token'),
    url: z.string().max(64 * 1024),
    /**
     * Query parameters switched off: the URL holds the ones sent, so these are kept beside it (the params table
     * shows them unticked; nothing sends them). Left out of the file when empty.
     */
    disabledParams: z.array(keyValueSchema).max(1000).optional(),
    description: z.string().max(64 * 1024),
    headers: z.array(keyValueSchema).max(1000),
    body: bodySchema,
    auth: authSchema,
    options: requestOptionsSchema.partial(),
    /** WebSocket subprotocols. */
    protocols: z.array(z.string().max(256)).max(64),
    /** WebSocket messages kept with the request. */
    messages: z.array(savedMessageSchema).max(1000),
    // The runner's fields (all optional, left out of the file when empty).
    assertions: z.array(assertionSchema).max(1000).optional(),
    extract: z.array(extractionSchema).max(1000).optional(),
    retry: retrySchema.optional(),
    /** Requests that must finish (and pass) first, by path: from the collection root, or `./`/`../` from this file's folder. */
    dependsOn: z.array(z.string().min(1).max(4096)).max(1000).optional(),
    /** SSE and WebSocket requests: when a run's step ends. */
    stop: stopSchema.optional(),
    /** HTTP requests using `{{$webhook}}`: after the response, wait for the callback (and check it). */
    waitForWebhook: waitForWebhookSchema.optional(),
    /** HTTP requests: after the response, follow the job it started; a run checks the last poll's answer. */
    followJob: followOptionsSchema.optional(),
    /** HTTP requests: send again as soon as it answers, until a match; a run checks the last answer. */
    longPoll: longPollOptionsSchema.optional(),
    /** Pre-request and test scripts, run by the engine's sandbox unless `translated` (see requestScriptsSchema). */
    scripts: requestScriptsSchema.optional(),
    /** W3C trace context: whether the request carries a traceparent (`inherit`: its folder's, the collection's). */
    trace: traceSettingSchema.optional(),
    /** GraphQL requests: the document, variables, operation and transport. */
    graphql: savedGraphqlSchema.optional(),
    /** gRPC requests: the method, the schema's source, the deadline (target, metadata and messages are above). */
    grpc: grpcRequestSchema.optional(),
    /** MQTT requests: connection options, subscriptions and saved publishes (the URL is the broker's). */
    mqtt: savedMqttSchema.optional(),
    /** Socket.IO requests: namespace, path, auth, listened events and saved emits. */
    socketio: savedSocketIoSchema.optional(),
  }),
)
export type SavedRequest = z.infer<typeof savedRequestSchema>

/**
 * Rules across a request file's fields, which the schema of each field cannot see: what a request does after
 * its response is one thing (follow a job, long-poll or wait for a webhook), and only HTTP requests do it.
 * The key to blame (its line is the one reported) and why; null when the request keeps them.
 */
export function requestFileRule(
  req: Pick<SavedRequest, 'kind' | 'followJob' | 'longPoll' | 'waitForWebhook'>,
): { key: 'followJob' | 'longPoll' | 'waitForWebhook'; message: string } | null {
  const set = (['followJob', 'longPoll', 'waitForWebhook'] as const).filter((k) => req[k] !== undefined)
  const [first, second] = set
  if (first !== undefined && second !== undefined)
    return {
      key: second,
      message: `${first} and ${second} cannot both be set: after its response a request either follows a job, long-polls or waits for a webhook`,
    }
  if (first !== undefined && first !== 'waitForWebhook' && req.kind !== 'http')
    return { key: first, message: `${first} applies to HTTP requests, not ${req.kind}` }
  return null
}

/** A request as a client saves it: the schema, and the rules across its fields. */
export const savedRequestInputSchema = lazySchema(() =>
  savedRequestSchema.superRefine((req, ctx) => {
    const rule = requestFileRule(req)
    if (rule) ctx.addIssue({ code: 'custom', path: [rule.key], message: rule.message })
  }),
)

/**
 * Every key a request file may have, in the order the format writes them (the schema's order). Written out
 * rather than read from the schema's shape, which would build the schema in every process at import; a key
 * missing here fails the typecheck (below), and test/shared/lazy-schema.test.ts checks the order against the schema.
 */
const SAVED_REQUEST_KEY_LIST = [
  'name',
  'kind',
  'method',
  'url',
  'disabledParams',
  'description',
  'headers',
  'body',
  'auth',
  'options',
  'protocols',
  'messages',
  'assertions',
  'extract',
  'retry',
  'dependsOn',
  'stop',
  'waitForWebhook',
  'followJob',
  'longPoll',
  'scripts',
  'trace',
  'graphql',
  'grpc',
  'mqtt',
  'socketio',
] as const satisfies readonly (keyof SavedRequest)[]
type MissingKey = Exclude<keyof SavedRequest, (typeof SAVED_REQUEST_KEY_LIST)[number]>
/** A key of savedRequestSchema missing from the list makes this line fail to compile, naming the key. */
const listComplete: [MissingKey] extends [never] ? true : MissingKey = true
export const SAVED_REQUEST_KEYS: (keyof SavedRequest)[] = listComplete && [...SAVED_REQUEST_KEY_LIST]

export const variableSchema = lazySchema(() =>
  z.object({
    name: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[A-Za-z_][\w.-]*$/, 'Variable names are letters, digits, _ . and -'),
    /** For a secret, the value as typed when saving; never written into a collection file. */
    value: z.string().max(1024 * 1024),
    secret: z.boolean(),
  }),
)
export type Variable = z.infer<typeof variableSchema>

export function emptySavedRequest(name: string, kind: RequestKind = 'http'): SavedRequest {
  return {
    name,
    kind,
    method: 'GET',
    url: '',
    description: '',
    headers: [],
    body: { kind: 'none' },
    auth: { type: 'inherit' },
    options: {},
    protocols: [],
    messages: [],
  }
}

/** A problem with one file: it is reported and left untouched; the rest of the collection loads. */
export interface FileProblem {
  /** Relative to the collection folder. */
  path: string
  /** 1-based; 0 when the problem is not tied to a line (an unreadable file). */
  line: number
  column: number
  message: string
}

export interface RequestNode {
  type: 'request'
  path: string
  name: string
  kind: RequestKind
  method: string
  url: string
  /** The request file's `trace:` setting, when it has one. */
  trace?: TraceSetting
}

export interface FolderNode {
  type: 'folder'
  /** '' for the collection root. */
  path: string
  name: string
  variables: Variable[]
  auth: AuthSpec
  /** The folder's (for the root, the collection's) `trace:` setting, when it has one. */
  trace?: TraceSetting
  /**
   * The folder's (for the root, the collection's) own scripts: they run around every request below it, in
   * Postman's order (collection, then folders outer first, then the request), in the app, runs and the CLI.
   */
  scripts?: RequestScripts
  children: TreeNode[]
}

export type TreeNode = RequestNode | FolderNode

export interface EnvironmentInfo {
  /** The file stem in `environments/`, which is how it is chosen (`--env staging`). */
  id: string
  name: string
  variables: Variable[]
  /** Where the details' "Open trace" leads: an http(s) URL with `{traceId}` (a Jaeger or Tempo trace page). */
  traceLink?: string
}

export interface CollectionInfo {
  /** The collection folder's absolute path: it names the collection in every command. */
  dir: string
  name: string
  /** The collection's own variables and auth (collection.yaml). */
  variables: Variable[]
  auth: AuthSpec
  root: FolderNode
  environments: EnvironmentInfo[]
  problems: FileProblem[]
  requestCount: number
  /**
   * Counts the changes the host has published for this collection since it opened (collection-delta.ts): a
   * `collection.changed` applies to the version it names. Set by the host that has the collection open.
   */
  version?: number
}

/** Where a variable came from, lowest precedence first. */
export const VARIABLE_SCOPES = ['global', 'collection', 'folder', 'environment'] as const
export type VariableScope = (typeof VARIABLE_SCOPES)[number]

export interface ScopedVariable {
  name: string
  /** '' for a secret: its value never crosses to the renderer. */
  value: string
  secret: boolean
  scope: VariableScope
  /** For folder variables, which folder. */
  source: string
}

/** A request's context: which collection and file it lives in, and which environment is active. */
export const requestContextSchema = lazySchema(() =>
  z
    .object({
      dir: z.string().min(1).max(4096),
      /** The request file, or a folder path for a request not yet saved. */
      path: z.string().max(4096),
      env: z.string().max(256).optional(),
    })
    .strict(),
)
export type RequestContext = z.infer<typeof requestContextSchema>

export function findNode(root: FolderNode, path: string): TreeNode | null {
  if (path === '' || path === root.path) return root
  const walk = (folder: FolderNode): TreeNode | null => {
    for (const child of folder.children) {
      if (child.path === path) return child
      if (child.type === 'folder' && path.startsWith(`${child.path}/`)) return walk(child)
    }
    return null
  }
  return walk(root)
}

/** The folders from the root down to (not including) `path`'s own node, root first. */
export function ancestorFolders(root: FolderNode, path: string): FolderNode[] {
  const out: FolderNode[] = [root]
  let folder = root
  for (let depth = 0; depth < 64; depth++) {
    const next = folder.children.find(
      (c): c is FolderNode => c.type === 'folder' && path.startsWith(`${c.path}/`),
    )
    if (!next) break
    out.push(next)
    folder = next
  }
  return out
}

/** The folder a path lives in: `a/b/c.yaml` -> `a/b`, `c.yaml` -> ''. */
export function parentPath(path: string): string {
  const at = path.lastIndexOf('/')
  return at === -1 ? '' : path.slice(0, at)
}

export function joinPath(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`
}

/** The request as the engine sends it (variables still unresolved; the service resolves them). */
export function savedToSpec(req: SavedRequest): {
  method: string
  url: string
  headers: SavedRequest['headers']
  body: SavedRequest['body']
  options: SavedRequest['options']
} {
  // A GraphQL request as its transport carries it: a POST of its parameters, or a GET as saved.
  if (req.kind === 'graphql' && req.graphql) return graphqlRequestSpec(req, req.graphql)
  return { method: req.method, url: req.url, headers: req.headers, body: req.body, options: req.options }
}
