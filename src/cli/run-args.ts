import { parseOAuthTimeout } from './oauth-args'
import { parseArgs } from 'node:util'
import { TRACE_OVERRIDES, type TraceOverride } from '../engine/trace/run-trace'
import { ENV_VAR_HELP, parseEnvVars } from './env-var-args'
import { MAX_RUN_STEPS } from '../shared/run-schemas'

/**
 * `flightdeck run <collection-dir> [path/in/collection] [options]`, parsed. Pure: everything it rejects is a
 * bad argument (exit 2) with a one-line reason.
 */

export const REPORTERS = ['cli', 'json', 'junit', 'har'] as const
export type Reporter = (typeof REPORTERS)[number]

export interface RunCommand {
  kind: 'run'
  dir: string
  /** '' for the whole collection. */
  path: string
  env?: string
  concurrency: number
  iterations: number
  delayMs?: number
  ratePerSecond?: number
  data?: string
  bail: boolean
  /** `--allow-untranslated-scripts`: steps with untranslated imported scripts pass on their other checks. */
  allowUntranslatedScripts: boolean
  /** `--no-scripts`: the requests' scripts are not run. */
  noScripts: boolean
  reporters: Reporter[]
  /** Where report files go; null: json to stdout, other files to the current folder. */
  out: string | null
  includeSecrets: boolean
  /** Where the webhook inbox listens when a step uses {{$webhook}} (default: a free port). */
  webhookPort?: number
  /** Folders outside the collection whose files its requests may send (`--allow-files DIR`, repeatable). */
  allowFiles: string[]
  /** `--trace`: trace context for every request in place of the collection's `trace:` mode. */
  trace?: TraceOverride
  /** `--env-var`: values laid over the environment's (a stored secret's too). */
  envVars: Map<string, string>
  /** `--global-var`: values laid over the global variables'. */
  globalVars: Map<string, string>
  /** `--allow-empty-secrets`: requests that use a secret with no value here are sent, not failed. */
  allowEmptySecrets: boolean
  /** `--oauth-timeout`, in ms: how long an OAuth 2.0 sign-in is awaited. */
  oauthTimeoutMs?: number
  /** `-k`: every step accepts TLS certificates that do not verify. */
  insecure: boolean
  /** `--cacert`: a CA file the person named, read as typed (from the current folder) in place of every caFile. */
  caFile?: string
}

export type RunCliCommand = RunCommand | { kind: 'help' } | { kind: 'error'; message: string }

export const RUN_USAGE = `usage: flightdeck run <collection-dir> [path/in/collection] [options]

Runs a saved collection, one of its folders or one request through the Flightdeck engine:
every request with its assertions, extractions, retries and dependencies, concurrently.

options:
      --env <name>          the environment (a file in <dir>/environments) for {{variables}}
${ENV_VAR_HELP}
      --concurrency <n>     requests in flight at once (1-1000, default 1)
      --iterations <n>      times to run everything (1-1000000, default 1); with --data,
                            passes over all of the file's rows (a run has at most
                            1000000 step runs: requests x iterations x rows)
      --data <file>         a CSV (header row) or JSON (array of objects) file; each row's
                            columns become variables for one iteration
      --allow-files <dir>   let requests read files from this folder outside the collection
                            (repeatable): body and multipart files, CA files (caFile), gRPC
                            protos, certificates and keys, GraphQL schema files; without it a
                            request naming a file outside the collection folder fails, unsent
  -k, --insecure            every request accepts TLS certificates that do not verify
      --cacert <file>       every request trusts the certificate authorities in this PEM file
                            (a path from the current folder, as typed), in place of its caFile
      --delay <ms>          wait this long between starting two requests
      --rate <n>            start at most n requests per second
      --bail                stop starting requests after the first failure
      --oauth-timeout <s>   OAuth 2.0 authorization code: how long to wait for you to sign in at
                            the URL printed on stderr (default 300, at most 3600)
      --no-scripts          do not run the requests' pre-request and test scripts (they run in
                            a sandbox by default); such requests then fail unless
      --allow-untranslated-scripts
                            requests whose scripts were not run pass on their other checks
      --reporter <list>     comma-separated: cli (default: a summary table on stdout), json
                            (run.json), junit (junit.xml), har (run.har)
      --out <dir>           write report files here (created if missing); without it, json
                            goes to stdout (the table then goes to stderr) and junit/har files
                            to the current folder
      --include-secrets     keep secret variables' values in the reports (the table, json, junit,
                            har) and, in har, Authorization and cookies (redacted by default)
      --webhook-port <n>    when a request uses {{$webhook}}: the port the webhook inbox listens on
                            at 127.0.0.1 (default: a free port; no inbox when nothing uses it)
      --trace <mode>        W3C trace context for every request, in place of the collection's
                            trace: setting: per-run (one trace id, a span per request),
                            per-send (a trace per request) or off
  -h, --help                show this help

exit codes: 0 every request passed, 1 an assertion or request failed (or a request used a
secret variable with no value), 2 bad input (unknown option, missing folder, unknown
environment, bad data file, bad --env-var), 130 / 143 cancelled by Ctrl+C / SIGTERM (the
reports are still written; a second signal ends it at once)`

function wholeNumber(name: string, text: string | undefined, min: number, max: number, fallback: number) {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < min || n > max)
    return new Error(`${name} must be a whole number from ${min} to ${max}, got '${text}'`)
  return n
}

/** `env`: the process's environment, where `--env-var NAME` (no `=`) reads its value. */
export function parseRunArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): RunCliCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        env: { type: 'string' },
        concurrency: { type: 'string' },
        iterations: { type: 'string' },
        data: { type: 'string' },
        delay: { type: 'string' },
        rate: { type: 'string' },
        bail: { type: 'boolean' },
        'allow-untranslated-scripts': { type: 'boolean' },
        'no-scripts': { type: 'boolean' },
        reporter: { type: 'string', multiple: true },
        out: { type: 'string' },
        'include-secrets': { type: 'boolean' },
        'webhook-port': { type: 'string' },
        'allow-files': { type: 'string', multiple: true },
        trace: { type: 'string' },
        'env-var': { type: 'string', multiple: true },
        'global-var': { type: 'string', multiple: true },
        'allow-empty-secrets': { type: 'boolean' },
        'oauth-timeout': { type: 'string' },
        insecure: { type: 'boolean', short: 'k' },
        cacert: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (e) {
    return {
      kind: 'error',
      // parseArgs' messages are one sentence, plus advice about `--` that does not apply here.
      message: ((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'bad arguments').replace(
        /\. To specify a positional argument.*$/,
        '',
      ),
    }
  }
  const { values, positionals } = parsed
  if (values.help) return { kind: 'help' }
  const [dir, path, ...extra] = positionals
  if (dir === undefined || dir === '')
    return { kind: 'error', message: 'missing collection folder; try: flightdeck run <collection-dir>' }
  if (extra.length > 0) return { kind: 'error', message: `unexpected argument '${extra[0] ?? ''}'` }
  if (values.cacert === '')
    return { kind: 'error', message: '--cacert needs a PEM file of certificate authorities' }

  const concurrency = wholeNumber('--concurrency', values.concurrency, 1, 1000, 1)
  if (concurrency instanceof Error) return { kind: 'error', message: concurrency.message }
  const iterations = wholeNumber('--iterations', values.iterations, 1, MAX_RUN_STEPS, 1)
  if (iterations instanceof Error)
    return {
      kind: 'error',
      message: `${iterations.message} (a run has at most ${MAX_RUN_STEPS.toLocaleString('en-US')} step runs)`,
    }
  const delay = wholeNumber('--delay', values.delay, 0, 3_600_000, -1)
  if (delay instanceof Error) return { kind: 'error', message: delay.message }
  let rate: number | undefined
  if (values.rate !== undefined) {
    rate = Number(values.rate)
    if (!Number.isFinite(rate) || rate <= 0 || rate > 1_000_000)
      return {
        kind: 'error',
        message: `--rate must be a number of requests per second above 0, got '${values.rate}'`,
      }
  }

  const reporters: Reporter[] = []
  for (const item of (values.reporter ?? ['cli']).flatMap((r) => r.split(','))) {
    const name = item.trim()
    if (name === '') continue
    if (!(REPORTERS as readonly string[]).includes(name))
      return { kind: 'error', message: `unknown reporter '${name}'; use ${REPORTERS.join(', ')}` }
    if (!reporters.includes(name as Reporter)) reporters.push(name as Reporter)
  }
  if (reporters.length === 0)
    return { kind: 'error', message: '--reporter needs at least one of cli, json, junit, har' }
  if (values.out === '') return { kind: 'error', message: '--out needs a folder' }
  const webhookPort = wholeNumber('--webhook-port', values['webhook-port'], 0, 65_535, -1)
  if (webhookPort instanceof Error) return { kind: 'error', message: webhookPort.message }
  const trace = values.trace
  if (trace !== undefined && !(TRACE_OVERRIDES as readonly string[]).includes(trace))
    return { kind: 'error', message: `--trace must be one of ${TRACE_OVERRIDES.join(', ')}, got '${trace}'` }

  const envVars = parseEnvVars(values['env-var'], env)
  if (envVars instanceof Error) return { kind: 'error', message: envVars.message }
  const globalVars = parseEnvVars(values['global-var'], env, '--global-var')
  if (globalVars instanceof Error) return { kind: 'error', message: globalVars.message }

  const cmd: RunCommand = {
    kind: 'run',
    dir,
    path: path ?? '',
    concurrency,
    iterations,
    bail: values.bail === true,
    allowUntranslatedScripts: values['allow-untranslated-scripts'] === true,
    noScripts: values['no-scripts'] === true,
    reporters,
    out: values.out ?? null,
    includeSecrets: values['include-secrets'] === true,
    allowFiles: values['allow-files'] ?? [],
    envVars,
    globalVars,
    allowEmptySecrets: values['allow-empty-secrets'] === true,
    insecure: values.insecure === true,
  }
  if (values.env !== undefined) cmd.env = values.env
  if (delay >= 0) cmd.delayMs = delay
  if (rate !== undefined) cmd.ratePerSecond = rate
  if (values.data !== undefined) cmd.data = values.data
  if (webhookPort >= 0) cmd.webhookPort = webhookPort
  if (trace !== undefined) cmd.trace = trace as TraceOverride
  // The person's own argument: read as typed, from the current folder, never confined.
  if (values.cacert !== undefined) cmd.caFile = values.cacert
  const oauthTimeout = parseOAuthTimeout(values['oauth-timeout'])
  if (oauthTimeout instanceof Error) return { kind: 'error', message: oauthTimeout.message }
  if (oauthTimeout !== undefined) cmd.oauthTimeoutMs = oauthTimeout
  return cmd
}
