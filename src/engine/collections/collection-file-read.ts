import { z } from 'zod'
import {
  authSchema,
  requestFileRule,
  requestScriptsSchema,
  savedRequestSchema,
  variableSchema,
  type SavedRequest,
  type Variable,
} from '../../shared/collection'
import { collectionGrpcSchema } from '../../shared/grpc-request'
import { traceLinkProblem, traceSettingSchema } from '../../shared/trace-context'
import { lineOf, parseYaml } from './yaml-doc'
import {
  FORMAT_VERSION,
  type CollectionSettings,
  type FolderSettings,
  type Parsed,
} from './collection-file-format'
import { lazySchema } from '../../shared/lazy-schema'
import { asNumbers, isRaw, isSet, mapRoot, numberTextsRead, str, type Raw } from './yaml-read'
import { listOf, readTrace, runFields } from './run-fields-read'
import { plainAuth, plainRequest } from './plain-request'
import { plainVariables } from './plain-settings'

/**
 * Collection files read into the model: lenient about what may be left out, strict about what is there (a
 * problem names its line).
 */

function kvList(v: unknown): unknown {
  if (v === undefined || v === null) return []
  // Shorthand: a map of name -> value.
  if (isRaw(v)) return Object.entries(v).map(([name, value]) => ({ name, value: str(value), enabled: true }))
  if (!Array.isArray(v)) return v
  return v.map((item: unknown) =>
    isRaw(item)
      ? { name: str(item['name']), value: str(item['value']), enabled: item['enabled'] ?? true }
      : item,
  )
}

/** A body text written as a block with `lineEnds: crlf` (see isCrlfText) reads back with its CRLF line ends. */
function bodyText(v: Raw): unknown {
  const text = str(v['text'])
  return v['lineEnds'] === 'crlf' && typeof text === 'string' ? text.replace(/\r?\n/g, '\r\n') : text
}

function readBody(v: unknown): unknown {
  if (v === undefined || v === null) return { kind: 'none' }
  if (!isRaw(v)) return v
  switch (v['kind']) {
    case 'text':
      return { kind: 'text', text: bodyText(v), contentType: str(v['contentType'], 'text/plain') }
    case 'json':
      return { kind: 'json', text: bodyText(v) }
    case 'form':
      return { kind: 'form', fields: kvList(v['fields']) }
    case 'multipart':
      return {
        kind: 'multipart',
        parts: Array.isArray(v['parts'])
          ? v['parts'].map((p: unknown) =>
              isRaw(p)
                ? {
                    ...p,
                    name: str(p['name']),
                    enabled: p['enabled'] ?? true,
                    ...('value' in p ? { value: str(p['value']) } : {}),
                  }
                : p,
            )
          : v['parts'],
      }
    default:
      return v
  }
}

function readAuth(v: unknown): unknown {
  if (v === undefined || v === null) return { type: 'inherit' }
  if (!isRaw(v)) return v
  const s = (k: string, d = ''): unknown => str(v[k], d)
  switch (v['type']) {
    case 'basic':
    case 'digest':
      return { type: v['type'], username: s('username'), password: s('password') }
    case 'bearer':
      return { type: 'bearer', token: s('token'), ...('prefix' in v ? { prefix: v['prefix'] } : {}) }
    case 'apikey':
      return { type: 'apikey', key: s('key'), value: s('value'), in: v['in'] ?? 'header' }
    case 'oauth2':
      return {
        type: 'oauth2',
        grant: v['grant'] ?? 'client_credentials',
        tokenUrl: s('tokenUrl'),
        clientId: s('clientId'),
        clientSecret: s('clientSecret'),
        scope: s('scope'),
        clientAuth: v['clientAuth'] ?? 'basic',
        ...Object.fromEntries(
          ['authUrl', 'redirectUri', 'pkce', 'username', 'password', 'tokenIn']
            .filter((k) => v[k] !== undefined && v[k] !== null)
            .map((k) => [k, k === 'pkce' || k === 'tokenIn' ? v[k] : s(k)]),
        ),
      }
    default:
      return v
  }
}

function readVariables(v: unknown): unknown {
  if (v === undefined || v === null) return []
  if (!isRaw(v)) return v
  return Object.entries(v).map(([name, value]) =>
    isRaw(value)
      ? { name, value: value['secret'] === true ? '' : str(value['value']), secret: value['secret'] === true }
      : { name, value: str(value), secret: false },
  )
}

let schemaChecks = 0

/** How many values were checked by zod so far (the plain checks take the common files without it). */
export function schemaChecksRun(): number {
  return schemaChecks
}

/** `value` checked: by `plain` when it takes it (exactly zod's result), else by the schema, which words errors. */
function validate<T>(
  text: string,
  schema: z.ZodType<T>,
  value: unknown,
  pathMap?: (p: PropertyKey[]) => PropertyKey[],
  plain?: (value: unknown) => T | null,
): Parsed<T> {
  const taken = plain && numberTextsRead() === 0 ? plain(value) : null
  if (taken) return { ok: true, value: taken }
  schemaChecks++
  const r = schema.safeParse(numberTextsRead() > 0 ? asNumbers(value) : value)
  if (r.success) return { ok: true, value: r.data }
  const issue = r.error.issues[0]
  const path = issue?.path ?? []
  // Only a file that is wrong pays for the position-keeping parse that finds the offending line.
  const parsed = parseYaml(text)
  const at = parsed.ok ? lineOf(parsed.value, pathMap ? pathMap(path) : path) : { line: 1, column: 1 }
  const where = path.length > 0 ? `${path.join('.')}: ` : ''
  return { ok: false, problem: { ...at, message: `${where}${issue?.message ?? 'invalid'}` } }
}

/** `create-user` -> `create-user`: the file stem is the name when the file gives none. */
export function parseRequestText(text: string, stem: string): Parsed<SavedRequest> {
  const root = mapRoot(text)
  if (!root.ok) return root
  const raw = root.value
  // A GraphQL request without a method is a POST, as GraphQL-over-HTTP clients send it (and as `run` does).
  const method = str(raw['method'], raw['kind'] === 'graphql' ? 'POST' : 'GET')
  const value = {
    name: str(raw['name'], stem),
    kind: raw['kind'] ?? 'http',
    method: typeof method === 'string' ? method.toUpperCase() : method,
    url: str(raw['url']),
    ...disabledParams(raw['disabledParams']),
    description: str(raw['description']),
    headers: kvList(raw['headers']),
    body: readBody(raw['body']),
    auth: readAuth(raw['auth']),
    options: raw['options'] ?? {},
    protocols: raw['protocols'] ?? [],
    messages: raw['messages'] ?? [],
    ...runFields(raw),
    ...(isSet(raw['grpc']) ? { grpc: readGrpc(raw['grpc']) } : {}),
    ...(isSet(raw['graphql']) ? { graphql: raw['graphql'] } : {}),
    ...(isSet(raw['mqtt']) ? { mqtt: raw['mqtt'] } : {}),
    ...(isSet(raw['socketio']) ? { socketio: raw['socketio'] } : {}),
  }
  // The common shapes are checked without zod (./plain-request.ts); anything else, and every error, is zod's.
  const plain = numberTextsRead() === 0 ? plainRequest(value) : null
  const parsed: Parsed<SavedRequest> = plain
    ? { ok: true, value: plain }
    : validate(text, savedRequestSchema, value)
  if (!parsed.ok) return parsed
  const rule = requestFileRule(parsed.value)
  if (rule) return { ok: false, problem: { ...keyLine(text, rule.key), message: rule.message } }
  return parsed
}

/** Where a top-level key is written (its own line, not its value's). */
function keyLine(text: string, key: string): { line: number; column: number } {
  const lines = text.split('\n')
  const at = lines.findIndex((l) => new RegExp(`^(['"]?)${key}\\1\\s*:`).test(l))
  return at === -1 ? lineIn(text, [key]) : { line: at + 1, column: 1 }
}

/** `proto: a.proto` and `importPaths: protos` read as lists of one. */
function readGrpc(v: unknown): unknown {
  if (!isRaw(v)) return v
  return {
    ...v,
    ...(isSet(v['proto']) ? { proto: listOf(v['proto']) } : {}),
    ...(isSet(v['importPaths']) ? { importPaths: listOf(v['importPaths']) } : {}),
  }
}

/** A single path may stand for a list of one, as in a request's `grpc:` block. */
function readCollectionGrpc(v: unknown): unknown {
  if (!isRaw(v)) return v
  return {
    ...v,
    ...(isSet(v['protoFiles']) ? { protoFiles: listOf(v['protoFiles']) } : {}),
    ...(isSet(v['importPaths']) ? { importPaths: listOf(v['importPaths']) } : {}),
  }
}

/** Query parameters switched off: every row is off, whatever an `enabled:` in the file says. */
function disabledParams(v: unknown): Record<string, unknown> {
  if (!isSet(v)) return {}
  const list = kvList(v)
  return {
    disabledParams: Array.isArray(list)
      ? list.map((p: unknown) => (isRaw(p) ? { ...p, enabled: false } : p))
      : list,
  }
}

const folderFileSchema = lazySchema(() => variableSchema.array().max(10_000))

/** The `variables` list of a folder, collection or environment file: checked without zod when plain. */
function readFileVariables(text: string, raw: Raw) {
  return validate(
    text,
    folderFileSchema,
    readVariables(raw['variables']),
    () => ['variables'],
    plainVariables,
  )
}

function readFolderish(raw: Raw, text: string): Parsed<FolderSettings> {
  const vars = readFileVariables(text, raw)
  if (!vars.ok) return vars
  const auth = validate(text, authSchema, readAuth(raw['auth']), (p) => ['auth', ...p], plainAuth)
  if (!auth.ok) return auth
  const order = raw['order'] ?? []
  if (!Array.isArray(order) || !order.every((o) => typeof o === 'string')) {
    return {
      ok: false,
      problem: { ...lineIn(text, ['order']), message: 'order: expected a list of names' },
    }
  }
  const name = raw['name']
  const out: FolderSettings = { variables: vars.value, auth: auth.value, order: order as string[] }
  if (typeof name === 'string' && name !== '') out.name = name
  if (isSet(raw['trace'])) {
    const trace = validate(text, traceSettingSchema, readTrace(raw['trace']), (p) => ['trace', ...p])
    if (!trace.ok) return trace
    out.trace = trace.value
  }
  if (isSet(raw['scripts'])) {
    const scripts = validate(text, levelScriptsSchema, { scripts: raw['scripts'] })
    if (!scripts.ok) return scripts
    out.scripts = scripts.value.scripts
  }
  return { ok: true, value: out }
}

/** Wrapped so a problem reads `scripts.preRequest: …` on the line it is on. */
const levelScriptsSchema = lazySchema(() => z.object({ scripts: requestScriptsSchema }))

export function parseFolderText(text: string): Parsed<FolderSettings> {
  const root = mapRoot(text)
  if (!root.ok) return root
  return readFolderish(root.value, text)
}

export function parseCollectionText(text: string, fallbackName: string): Parsed<CollectionSettings> {
  const root = mapRoot(text)
  if (!root.ok) return root
  const raw = root.value
  const version = raw['flightdeck']
  if (version !== undefined && typeof version === 'number' && version > FORMAT_VERSION) {
    return {
      ok: false,
      problem: {
        ...lineIn(text, ['flightdeck']),
        message: `Written by a newer Flightdeck (format ${version}); this one reads format ${FORMAT_VERSION}`,
      },
    }
  }
  const f = readFolderish(raw, text)
  if (!f.ok) return f
  const id = raw['id']
  const out: CollectionSettings = { ...f.value, name: f.value.name ?? fallbackName }
  if (typeof id === 'string' && id !== '') out.id = id
  if (isSet(raw['grpc'])) {
    const grpc = validate(text, collectionGrpcSchema, readCollectionGrpc(raw['grpc']), (p) => ['grpc', ...p])
    if (!grpc.ok) return grpc
    out.grpc = grpc.value
  }
  return { ok: true, value: out }
}

export function parseEnvironmentText(
  text: string,
  stem: string,
): Parsed<{ name: string; variables: Variable[]; traceLink?: string }> {
  const root = mapRoot(text)
  if (!root.ok) return root
  const raw = root.value
  const vars = readFileVariables(text, raw)
  if (!vars.ok) return vars
  const name = raw['name']
  const link = raw['traceLink']
  if (isSet(link)) {
    const problem = typeof link === 'string' ? traceLinkProblem(link) : 'traceLink: expected a URL text'
    if (problem !== null) return { ok: false, problem: { ...lineIn(text, ['traceLink']), message: problem } }
  }
  return {
    ok: true,
    value: {
      name: typeof name === 'string' && name !== '' ? name : stem,
      variables: vars.value,
      ...(typeof link === 'string' ? { traceLink: link } : {}),
    },
  }
}

function lineIn(text: string, path: PropertyKey[]): { line: number; column: number } {
  const parsed = parseYaml(text)
  return parsed.ok ? lineOf(parsed.value, path) : { line: 1, column: 1 }
}
