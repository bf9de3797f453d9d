import { parseArgs } from 'node:util'
import { type KeyValue, type RequestBody, type RequestOptions, type RequestSpec } from '../shared/request'
import {
  COLLECTION_OPTIONS,
  COLLECTION_USAGE_LINES,
  parseImport,
  parseSavedSend,
  type ImportCommand,
  type SavedSendCommand,
} from './collection-args'
import { parseFormArgs, type FormArg } from './form-args'
import {
  eachTyped,
  LITERAL_BRACES_OPTION,
  literalBracesUsage,
  typedAsSent,
  typedUnlessFile,
  unresolvedVariable,
  valuesAsSent,
} from './unresolved-variable'

/**
 * The CLI's argument parser: small, pure, and curl-shaped where curl has a convention (-X, -H 'k: v', -d,
 * -k). Everything it rejects is a bad argument (exit 2) with a one-line reason.
 */

export const USAGE = `usage: flightdeck send <url> [options]

Runs one HTTP request through the Flightdeck engine (following redirects) and prints
the status, a headers summary and the phase timings.

options:
  -X, --request <method>   HTTP method (default GET, or POST with -d or -F)
  -H, --header 'k: v'      add a request header (repeatable); 'k:' sends none (not even
                           Flightdeck's own, nor -d's Content-Type), 'k;' sends it empty
  -A, --user-agent <name>  the User-Agent sent (default Flightdeck/<version>); '' sends none
  -d, --data <body>        request body; @path sends a file's bytes, @- stdin's
  -F, --form <name=value>  a multipart/form-data part, as curl's -F (repeatable): name=@path
                           sends a file (@- stdin's), name=<path a field holding its text
                           (<- stdin's); ;type=<type> and ;filename=<name> follow
      --form-string <name=value>
                           a multipart field whose value is sent as typed: a leading @ or <
                           and ;type= are letters of it (repeatable, in order with -F)
      --json               print one JSON object: status, headers, url, timeline, timings (HAR)
  -k, --insecure           accept TLS certificates that do not verify
      --cacert <file>      trust the certificate authorities in this PEM file (a path from the
                           current folder, as typed; with --collection, in place of caFile)
      --timeout <ms>       give up on the whole exchange after this many ms
      --max-body <size>    largest response body to read (default 2g): bytes, or with k, m, g
      --push               accept HTTP/2 server push (https only): pushed streams are listed
      --trace              carry a W3C traceparent (a fresh trace id; a traceparent given with -H
                           is sent as written); --json names it as traceId
${literalBracesUsage()}
  -h, --help               show this help

exit codes: 0 any HTTP response, 1 network error, 2 bad arguments,
            130 / 143 cancelled by Ctrl+C / SIGTERM`
  .replace('[options]\n', `[options]\n${COLLECTION_USAGE_LINES}\n`)
  .replace('\nexit codes', `${COLLECTION_OPTIONS}\nexit codes`)

export type CliCommand =
  | { kind: 'help' }
  | {
      kind: 'send'
      request: RequestSpec
      json: boolean
      trace: boolean
      /** `--literal-braces`: a body file's `{{…}}` is not looked for either. */
      literalBraces?: true
      /** The form's `-F name=<path` parts (their indexes): file parts until read, then sent as fields. */
      fieldFiles?: number[]
    }
  | SavedSendCommand
  | ImportCommand
  | { kind: 'error'; message: string }

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// A typed scheme before a slash or backslash (`http:/host` too, as URL parsers read it: request-checks.ts).
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:[/\\]/i

function error(message: string): CliCommand {
  return { kind: 'error', message }
}

/** One `-H`: a header to send (`Name: value`, or `Name;` empty), one to leave out (`Name:`), or null if neither. */
export function parseHeader(text: string): { send: KeyValue } | { leaveOut: string } | null {
  const colon = text.indexOf(':')
  if (colon < 0) {
    // curl's `-H 'Name;'`: the header with an empty value (`Name:` means leave it out).
    const m = /^\s*([^\s;]+)\s*;\s*$/.exec(text)
    const name = m?.[1]
    return name !== undefined && TOKEN.test(name) ? { send: { name, value: '', enabled: true } } : null
  }
  const name = text.slice(0, colon).trim()
  if (colon === 0 || !TOKEN.test(name)) return null
  const value = text.slice(colon + 1).trim()
  return value === '' ? { leaveOut: name } : { send: { name, value, enabled: true } }
}

/**
 * Flightdeck's own headers a request sends unless told not to (the engine's `omitDefaultHeaders`): its User-Agent,
 * Accept and Accept-Encoding, a body's Content-Type (curl sends `-d` with none after `-H 'Content-Type:'`) and an
 * SSE request's Cache-Control.
 */
type DefaultHeaderName = NonNullable<RequestOptions['omitDefaultHeaders']>[number]
const OWN_HEADERS: readonly string[] = [
  'user-agent',
  'accept',
  'accept-encoding',
  'content-type',
  'cache-control',
] satisfies DefaultHeaderName[]

/** Headers the protocol needs, which the engine writes whatever -H says: `-H 'Name:'` cannot leave them out. */
const NEEDED_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection']

/** What the `-H` options (and `-A`) give: the headers to send, and Flightdeck's own to leave out. */
export interface HeaderArgs {
  headers: KeyValue[]
  omit: DefaultHeaderName[]
}

/**
 * curl's `-H`, one header each: `Name: value` sends it; `Name:` (nothing after the colon) sends no header of
 * that name from Flightdeck itself (its User-Agent, Accept, Accept-Encoding), as curl leaves out its own; `Name;`
 * sends the header with an empty value. `-A` is read with them (userAgent). A header the protocol needs (Host,
 * Content-Length) cannot be left out: said, not ignored.
 */
export function headerArgs(
  given: readonly string[] | undefined,
  agent: string | undefined,
): HeaderArgs | string {
  const headers: KeyValue[] = []
  const omit: DefaultHeaderName[] = []
  for (const h of given ?? []) {
    const parsed = parseHeader(h)
    if (!parsed)
      return `bad header '${h}'; expected 'Name: value' ('Name:' leaves it out, 'Name;' sends it empty)`
    if ('send' in parsed) {
      headers.push(parsed.send)
      continue
    }
    const lower = parsed.leaveOut.toLowerCase()
    if (NEEDED_HEADERS.includes(lower))
      return `-H '${parsed.leaveOut}:' cannot leave ${parsed.leaveOut} out: Flightdeck sends it when the request needs it`
    if (OWN_HEADERS.includes(lower) && !omit.includes(lower as DefaultHeaderName))
      omit.push(lower as DefaultHeaderName)
  }
  if (agent !== undefined && omit.includes('user-agent'))
    return "-A and -H 'User-Agent:' both set the User-Agent; give one"
  const a = userAgent(agent, headers)
  if (typeof a === 'string') return a
  if (a.omit) omit.push('user-agent')
  return { headers, omit }
}

/** curl's habit: no scheme means http://. Only http and https are sent. */
export function normalizeUrl(text: string): string | null {
  const withScheme = HAS_SCHEME.test(text) ? text : `http://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
  return url.href
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }

/** `8g`, `500M`, `64KiB`, `1048576` -> bytes (binary units, as the limit is shown); null if not a size. */
export function parseSize(text: string): number | null {
  const m = /^(\d{1,16})\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim())
  if (!m) return null
  const n = Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toLowerCase()] ?? 1)
  return Number.isSafeInteger(n) && n > 0 ? n : null
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        request: { type: 'string', short: 'X' },
        header: { type: 'string', short: 'H', multiple: true },
        'user-agent': { type: 'string', short: 'A' },
        data: { type: 'string', short: 'd' },
        form: { type: 'string', short: 'F', multiple: true },
        'form-string': { type: 'string', multiple: true },
        json: { type: 'boolean' },
        insecure: { type: 'boolean', short: 'k' },
        cacert: { type: 'string' },
        timeout: { type: 'string' },
        'max-body': { type: 'string' },
        push: { type: 'boolean' },
        trace: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        collection: { type: 'string' },
        env: { type: 'string' },
        into: { type: 'string' },
        format: { type: 'string' },
        'allow-files': { type: 'string', multiple: true },
        'no-scripts': { type: 'boolean' },
        'env-var': { type: 'string', multiple: true },
        'global-var': { type: 'string', multiple: true },
        'allow-empty-secrets': { type: 'boolean' },
        'oauth-timeout': { type: 'string' },
        ...LITERAL_BRACES_OPTION,
      },
    })
  } catch (e) {
    // parseArgs' messages are already one plain sentence ("Unknown option '--foo'").
    return error((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'bad arguments')
  }
  const { positionals, tokens } = parsed
  let values = parsed.values
  if (values.help) return { kind: 'help' }
  let formArgs: FormArg[] = []
  for (const t of tokens) {
    if (t.kind === 'option' && (t.name === 'form' || t.name === 'form-string') && t.value !== undefined)
      formArgs.push({ literal: t.name === 'form-string', arg: t.value })
  }

  const [command, target, ...extra] = positionals
  if (command === undefined) return error('missing command; try: flightdeck send <url>')
  if (command === 'import') return parseImport(values, positionals.slice(1))
  if (values.cacert === '') return error('--cacert needs a PEM file of certificate authorities')
  if (command === 'send' && values.collection !== undefined && formArgs.length > 0)
    return error('-F does not apply to a saved request; edit the request file instead')
  if (command === 'send' && values.collection !== undefined) {
    // A saved request reads its own braces (its variables and \{{ escapes): nothing here to say otherwise.
    const oneOff = (['literal-braces', 'user-agent'] as const).find((o) => values[o] !== undefined)
    if (oneOff) return error(`--${oneOff} applies to a one-off send <url>, not to a saved request`)
    return parseSavedSend(values, positionals.slice(1))
  }
  if (command !== 'send') return error(`unknown command '${command}'; try: flightdeck send <url>`)
  // A URL sent from the command line names its own -d @file; only a collection's files are confined.
  if (values['allow-files'] !== undefined)
    return error('--allow-files applies to a saved request (--collection) and to flightdeck run')
  const savedOnly = (['env-var', 'global-var', 'allow-empty-secrets', 'oauth-timeout'] as const).find(
    (o) => values[o] !== undefined,
  )
  if (savedOnly)
    return error(`--${savedOnly} applies to a saved request (--collection) and to flightdeck run`)
  if (target === undefined) return error('missing URL; try: flightdeck send <url>')
  if (extra.length > 0) return error(`unexpected argument '${extra[0] ?? ''}'`)

  const literalBraces = values['literal-braces'] === true
  const unresolved = literalBraces
    ? null
    : unresolvedVariable('send', [
        ['the URL', target],
        ...eachTyped('a header', values.header),
        typedUnlessFile('the body (-d)', values.data),
        ...eachTyped('a form part (-F)', values.form),
        ...eachTyped('a form part (--form-string)', values['form-string']),
        ['the User-Agent (-A)', values['user-agent']],
      ])
  if (unresolved) return error(unresolved)
  if (!literalBraces) {
    values = valuesAsSent(values, ['header', 'user-agent'], ['data'])
    formArgs = formArgs.map((f) => ({ ...f, arg: typedAsSent(f.arg) }))
  }
  const typedUrl = literalBraces ? target : typedAsSent(target)
  const url = normalizeUrl(typedUrl)
  if (url === null) return error(`not an http(s) URL: '${target}'`)

  const given = headerArgs(values.header, values['user-agent'])
  if (typeof given === 'string') return error(given)
  const { headers, omit } = given

  const data = values.data
  const form = formArgs.length > 0
  if (form && data !== undefined)
    return error('-F (a multipart form) and -d (a body) cannot be used together; choose one')
  // A multipart body is read by the boundary its Content-Type names: without it the server cannot read the parts.
  if (form && omit.includes('content-type'))
    return error(
      "-H 'Content-Type:' cannot leave a form's Content-Type out: it names the boundary between its parts",
    )
  const method = (values.request ?? (data !== undefined || form ? 'POST' : 'GET')).toUpperCase()
  if (!TOKEN.test(method) || method.length > 64) return error(`bad method '${values.request ?? ''}'`)

  let body: RequestBody = { kind: 'none' }
  let fieldFiles: number[] = []
  if (form) {
    const parsedForm = parseFormArgs(formArgs)
    if (typeof parsedForm === 'string') return error(parsedForm)
    body = { kind: 'multipart', parts: parsedForm.parts }
    fieldFiles = parsedForm.fieldFiles
  }
  if (data !== undefined) {
    const explicitType = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value
    if (data.startsWith('@')) {
      const path = data.slice(1)
      if (path === '') return error('-d @ needs a file path, e.g. -d @body.json')
      body = explicitType ? { kind: 'file', path, contentType: explicitType } : { kind: 'file', path }
    } else {
      // curl's default for -d; an explicit Content-Type header wins (the engine keeps the header as given).
      body = { kind: 'text', text: data, contentType: explicitType ?? 'application/x-www-form-urlencoded' }
    }
  }

  const options: RequestSpec['options'] = {}
  if (omit.length > 0) options.omitDefaultHeaders = omit
  if (values.insecure) options.insecure = true
  // The person's own argument: read as typed, from the current folder, never confined.
  if (values.cacert !== undefined) options.caFile = values.cacert
  if (values.push) options.acceptPush = true
  if (values.timeout !== undefined) {
    const ms = Number(values.timeout)
    if (!Number.isInteger(ms) || ms < 1 || ms > 24 * 3_600_000) {
      return error(`--timeout must be a whole number of ms (1..86400000), got '${values.timeout}'`)
    }
    options.totalTimeoutMs = ms
  }
  const maxBody = values['max-body']
  if (maxBody !== undefined) {
    const bytes = parseSize(maxBody)
    if (bytes === null) {
      return error(`--max-body must be a size in bytes, or with k, m or g (e.g. 500m, 8g), got '${maxBody}'`)
    }
    options.maxBodyBytes = bytes
  }

  return {
    kind: 'send',
    json: values.json === true,
    trace: values.trace === true,
    request: { method, url, headers, body, options },
    ...(literalBraces ? { literalBraces: true as const } : {}),
    ...(fieldFiles.length > 0 ? { fieldFiles } : {}),
  }
}

/**
 * curl's `-A, --user-agent`: a name is added to `headers` as the User-Agent; `''` sends none at all, not even the
 * engine's own (`omit`), as `-A ''` does in curl. Given with a `-H 'User-Agent: …'` too, it is refused: which
 * one goes would be a guess.
 */
export function userAgent(given: string | undefined, headers: KeyValue[]): { omit: boolean } | string {
  if (given === undefined) return { omit: false }
  if (headers.some((h) => h.name.toLowerCase() === 'user-agent'))
    return "-A and -H 'User-Agent: …' both set the User-Agent; give one"
  if (given === '') return { omit: true }
  if (/[\r\n\0]/.test(given)) return '-A: a User-Agent cannot hold a line break or NUL'
  headers.push({ name: 'User-Agent', value: given, enabled: true })
  return { omit: false }
}
