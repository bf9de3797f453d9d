import { OAUTH_TIMEOUT_USAGE, parseOAuthTimeout } from './oauth-args'
/**
 * The CLI's collection commands, parsed: `send --collection DIR --request PATH [--env NAME]` runs a saved
 * request; `import FILE --into DIR [--format F]` converts another tool's export into a collection folder.
 */

export interface SavedSendCommand {
  kind: 'send-saved'
  collection: string
  /** The request file, relative to the collection (`.yaml` may be left off). */
  request: string
  env?: string
  json: boolean
  insecure: boolean
  /** `--cacert`: a CA file the person named, read as typed (from the current folder) in place of caFile. */
  caFile?: string
  /** `--trace`: a traceparent when the collection's `trace:` setting says nothing (`off` still wins). */
  trace: boolean
  /** Folders outside the collection whose files its requests may send (`--allow-files DIR`, repeatable). */
  allowFiles: string[]
  /** `--no-scripts`: the request's pre-request and test scripts are not run. */
  noScripts?: true
  /** `--env-var` as given (NAME=VALUE or NAME), read when the send runs (env-var-args.ts). */
  envVars: string[]
  /** `--global-var` as given, read the same way. */
  globalVars: string[]
  /** `--allow-empty-secrets`: a secret with no value on this machine is sent empty instead of refused. */
  allowEmptySecrets: boolean
  /** `--oauth-timeout`, in ms: how long an OAuth 2.0 sign-in is awaited. */
  oauthTimeoutMs?: number
}

export interface ImportCommand {
  kind: 'import'
  file: string
  into: string
  format: string
}

type Err = { kind: 'error'; message: string }

export const COLLECTION_USAGE_LINES = `       flightdeck send --collection <dir> --request <path> [--env <name>] [--env-var <name=value>]
                       [--allow-files <dir>] [--json]
       flightdeck import <file> --into <dir> [--format <format>]
       flightdeck run <collection-dir> [path/in/collection] [--env <name>] [--concurrency <n>]
                      [--env-var <name=value>] [--iterations <n>] [--data <file>] [--bail]
                      [--reporter cli,json,junit,har] [--out <dir>]`

export const COLLECTION_OPTIONS = `
saved requests and import:
      --collection <dir>   run a saved request from this collection folder; with it,
      --request <path>     names the request file (e.g. users/create-user), not the method
      --env <name>         the environment (a file in <dir>/environments) for {{variables}}
      --allow-files <dir>  let the request read files from this folder outside the collection
                           (repeatable): body and multipart files, its CA file (caFile); without
                           it, only files inside the collection folder are read
      --no-scripts         do not run the request's pre-request and test scripts (they run in
                           a sandbox by default; a failed script test exits 1)
      --env-var <name=value>
                           a value for {{name}}, in place of the environment's value or a
                           stored secret (repeatable); --env-var <name> alone reads it from
                           the environment variable of that name (keeps a CI secret out of
                           the command line)
      --global-var <name=value>
                           the same for a global variable (the lowest layer)
      --allow-empty-secrets
                           send a request that uses a secret variable with no value on this
                           machine (empty); without it the send is refused (exit 2)
${OAUTH_TIMEOUT_USAGE}
      --into <dir>         import: the collection folder to write (created if missing)
      --format <format>    import: auto (default), postman, postman-env, insomnia, openapi, har, curl
`

export function parseSavedSend(
  values: {
    collection?: string
    request?: string
    env?: string
    json?: boolean
    trace?: boolean
    insecure?: boolean
    cacert?: string
    data?: string
    header?: string[]
    'allow-files'?: string[]
    'no-scripts'?: boolean
    'env-var'?: string[]
    'global-var'?: string[]
    'allow-empty-secrets'?: boolean
    'oauth-timeout'?: string
  },
  positionals: readonly string[],
): SavedSendCommand | Err {
  if (positionals.length > 0)
    return { kind: 'error', message: `unexpected argument '${positionals[0] ?? ''}' with --collection` }
  if (!values.collection) return { kind: 'error', message: '--collection needs a folder' }
  if (!values.request) return { kind: 'error', message: '--collection needs --request <path/to/request>' }
  if (values.data !== undefined || (values.header ?? []).length > 0) {
    return {
      kind: 'error',
      message: '-d and -H do not apply to a saved request; edit the request file instead',
    }
  }
  const out: SavedSendCommand = {
    kind: 'send-saved',
    collection: values.collection,
    request: /\.ya?ml$/.test(values.request) ? values.request : `${values.request}.yaml`,
    json: values.json === true,
    trace: values.trace === true,
    insecure: values.insecure === true,
    allowFiles: values['allow-files'] ?? [],
    envVars: values['env-var'] ?? [],
    globalVars: values['global-var'] ?? [],
    allowEmptySecrets: values['allow-empty-secrets'] === true,
  }
  if (values.env !== undefined) out.env = values.env
  if (values.cacert !== undefined) out.caFile = values.cacert
  if (values['no-scripts'] === true) out.noScripts = true
  const oauthTimeout = parseOAuthTimeout(values['oauth-timeout'])
  if (oauthTimeout instanceof Error) return { kind: 'error', message: oauthTimeout.message }
  if (oauthTimeout !== undefined) out.oauthTimeoutMs = oauthTimeout
  return out
}

export function parseImport(
  values: { into?: string; format?: string },
  positionals: readonly string[],
): ImportCommand | Err {
  const [file, ...extra] = positionals
  if (file === undefined)
    return { kind: 'error', message: 'missing file; try: flightdeck import <file> --into <dir>' }
  if (extra.length > 0) return { kind: 'error', message: `unexpected argument '${extra[0] ?? ''}'` }
  if (!values.into) return { kind: 'error', message: 'import needs --into <dir>' }
  return { kind: 'import', file, into: values.into, format: values.format ?? 'auto' }
}
