import type { z } from 'zod'
import {
  SAVED_REQUEST_KEYS,
  authSchema,
  DEFAULT_RETRY,
  requestFileRule,
  savedRequestSchema,
  variableSchema,
  type Assertion,
  type AuthSpec,
  type Extraction,
  type RetrySpec,
  type SavedRequest,
  type StopSpec,
  type Variable,
  type WaitForWebhookSpec,
  type WebhookAssertion,
} from '../../shared/collection'
import { DEFAULT_REQUEST_OPTIONS } from '../../shared/constants'
import {
  DEFAULT_FOLLOW_JOB,
  DEFAULT_LONG_POLL,
  followOptionsSchema,
  longPollOptionsSchema,
  type FollowOptionsSpec,
  type LongPollOptionsSpec,
} from '../../shared/job-options'
import type { KeyValue, MultipartPart, RequestBody, RequestOptions } from '../../shared/request'
import * as jsYaml from 'js-yaml'
import { load as loadYaml, CORE_SCHEMA, Type, YAMLException } from 'js-yaml'
import { lineOf, parseYaml, type Plain, type PlainMap, type YamlProblem } from './yaml-doc'

/**
 * The on-disk format (see the README's "Collections on disk"): model <-> plain YAML values in canonical key
 * order, leaving out defaults so files stay short. Reading is lenient about what may be left out (a missing
 * `method` is GET) and strict about what is there (a `method: 42` is a problem with a line number).
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
const KEPT_UNLESS_SET = SAVED_REQUEST_KEYS.filter(
  (k) => savedRequestSchema.shape[k].safeParse(undefined).success && k !== 'followJob' && k !== 'longPoll',
)

/**
 * The top-level keys a save of `req` owns. A run field the request leaves undefined (a client that does not
 * edit it, such as the composer) is left alone on disk; set to empty, it is removed.
 */
export function requestKeysFor(req: SavedRequest): ReadonlySet<string> {
  const absent = KEPT_UNLESS_SET.filter((k) => req[k] === undefined)
  if (absent.length === 0) return REQUEST_KEYS
  const keys = new Set(REQUEST_KEYS)
  for (const k of absent) keys.delete(k)
  return keys
}

export const FOLDER_KEYS: ReadonlySet<string> = new Set(['name', 'variables', 'auth', 'order'])
export const COLLECTION_KEYS: ReadonlySet<string> = new Set([
  'flightdeck',
  'id',
  'name',
  'variables',
  'auth',
  'order',
])
export const ENVIRONMENT_KEYS: ReadonlySet<string> = new Set(['name', 'variables'])

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: YamlProblem }

// ---------------------------------------------------------------- writing

function kvPlain(list: readonly KeyValue[]): Plain[] {
  return list.map((h) =>
    h.enabled ? { name: h.name, value: h.value } : { name: h.name, value: h.value, enabled: false },
  )
}

function partPlain(p: MultipartPart): PlainMap {
  const out: PlainMap =
    p.kind === 'text'
      ? { kind: 'text', name: p.name, value: p.value }
      : { kind: 'file', name: p.name, path: p.path }
  if (p.kind === 'file' && p.contentType !== undefined) out['contentType'] = p.contentType
  if (!p.enabled) out['enabled'] = false
  return out
}

export function bodyPlain(body: RequestBody): PlainMap | null {
  switch (body.kind) {
    case 'none':
      return null
    case 'text':
      return { kind: 'text', contentType: body.contentType, text: body.text }
    case 'json':
      return { kind: 'json', text: body.text }
    case 'form':
      return { kind: 'form', fields: kvPlain(body.fields) }
    case 'multipart':
      return { kind: 'multipart', parts: body.parts.map(partPlain) }
    case 'file':
      return body.contentType === undefined
        ? { kind: 'file', path: body.path }
        : { kind: 'file', path: body.path, contentType: body.contentType }
  }
}

/** Auth as written; `inherit` (the default) is left out. Key order follows the schema. */
export function authPlain(auth: AuthSpec): PlainMap | null {
  if (auth.type === 'inherit') return null
  return { ...auth }
}

export function variablesPlain(vars: readonly Variable[]): PlainMap | null {
  if (vars.length === 0) return null
  const out: PlainMap = {}
  // A secret's value is never written here: only that it exists. The value lives in the secret store.
  for (const v of vars) {
    // defineProperty, not assignment: a variable named `__proto__` must be an own key, not the prototype.
    Object.defineProperty(out, v.name, {
      value: v.secret ? { secret: true } : v.value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

function optionsPlain(options: SavedRequest['options']): PlainMap | null {
  const out: PlainMap = {}
  for (const key of Object.keys(DEFAULT_REQUEST_OPTIONS) as (keyof RequestOptions)[]) {
    const v = options[key]
    if (v !== undefined) out[key] = v
  }
  if (options.caFile !== undefined) out['caFile'] = options.caFile
  return Object.keys(out).length > 0 ? out : null
}

function put(out: PlainMap, key: string, value: Plain | null | undefined): void {
  if (value !== null && value !== undefined) out[key] = value
}

export function requestPlain(req: SavedRequest): PlainMap {
  const out: PlainMap = { name: req.name }
  if (req.kind !== 'http') out['kind'] = req.kind
  if (req.kind === 'http' || req.method !== 'GET') out['method'] = req.method
  out['url'] = req.url
  if (req.description !== '') out['description'] = req.description
  if (req.headers.length > 0) out['headers'] = kvPlain(req.headers)
  put(out, 'body', bodyPlain(req.body))
  put(out, 'auth', authPlain(req.auth))
  put(out, 'options', optionsPlain(req.options))
  if (req.protocols.length > 0) out['protocols'] = [...req.protocols]
  if (req.messages.length > 0) out['messages'] = req.messages.map((m) => ({ name: m.name, text: m.text }))
  if (req.assertions && req.assertions.length > 0) out['assertions'] = req.assertions.map(assertionPlain)
  if (req.extract && req.extract.length > 0) out['extract'] = req.extract.map(extractionPlain)
  // `retries: 0` is no retry policy: the key goes (how the composer turns retry off).
  if (req.retry && req.retry.retries > 0) out['retry'] = retryPlain(req.retry)
  if (req.dependsOn && req.dependsOn.length > 0) out['dependsOn'] = [...req.dependsOn]
  put(out, 'stop', req.stop ? stopPlain(req.stop) : null)
  if (req.waitForWebhook) out['waitForWebhook'] = waitForWebhookPlain(req.waitForWebhook)
  if (req.followJob) out['followJob'] = followJobPlain(req.followJob)
  if (req.longPoll) out['longPoll'] = longPollPlain(req.longPoll)
  return out
}

/** Copy the keys that are set, in the order given (the canonical order), leaving out undefined ones. */
function pick(from: Record<string, unknown>, keys: readonly string[]): PlainMap {
  const out: PlainMap = {}
  for (const k of keys) {
    const v = from[k]
    if (v === undefined) continue
    out[k] = Array.isArray(v) ? [...(v as Plain[])] : (v as Plain)
  }
  return out
}

const ASSERTION_KEYS: Record<Assertion['kind'], readonly string[]> = {
  status: ['kind', 'equals', 'oneOf', 'min', 'max'],
  header: ['kind', 'name', 'equals', 'contains', 'exists'],
  json: ['kind', 'path', 'equals', 'exists'],
  'body-contains': ['kind', 'text'],
  'duration-under': ['kind', 'ms'],
  'message-count': ['kind', 'equals', 'min', 'max'],
}

function assertionPlain(a: Assertion): PlainMap {
  return pick(a, ASSERTION_KEYS[a.kind])
}

function webhookAssertionPlain(a: WebhookAssertion): PlainMap {
  return a.kind === 'method' || a.kind === 'path' ? pick(a, ['kind', 'equals']) : assertionPlain(a)
}

/** `timeoutMs`, then the call's assertions and extractions when there are any. */
function waitForWebhookPlain(w: WaitForWebhookSpec): PlainMap {
  const out: PlainMap = { timeoutMs: w.timeoutMs }
  if (w.assertions && w.assertions.length > 0) out['assertions'] = w.assertions.map(webhookAssertionPlain)
  if (w.extract && w.extract.length > 0) out['extract'] = w.extract.map(extractionPlain)
  return out
}

const FOLLOW_KEYS = Object.keys(followOptionsSchema.shape)
const UNTIL_KEYS = Object.keys(followOptionsSchema.shape.until.shape)
const LONG_POLL_KEYS = Object.keys(longPollOptionsSchema.shape)
const CONDITION_KEYS = ['jsonPath', 'equals']

/** Leave out what equals its default, so a file says only what differs. */
function withoutDefaults(out: PlainMap, defaults: Readonly<Record<string, unknown>>): PlainMap {
  for (const [k, v] of Object.entries(defaults)) if (out[k] === v) delete out[k]
  return out
}

/** The follow options in the schema's order; fields at their default (DEFAULT_FOLLOW_JOB) left out. */
function followJobPlain(f: FollowOptionsSpec): PlainMap {
  const out = pick(
    {
      ...f,
      statusUrl: pick(f.statusUrl, ['from', 'path']),
      until: pick(f.until, UNTIL_KEYS),
      failWhen: f.failWhen ? pick(f.failWhen, CONDITION_KEYS) : undefined,
    },
    FOLLOW_KEYS,
  )
  return withoutDefaults(out, DEFAULT_FOLLOW_JOB)
}

/** The long-poll options in the schema's order; fields at their default (DEFAULT_LONG_POLL) left out. */
function longPollPlain(l: LongPollOptionsSpec): PlainMap {
  const out = pick({ ...l, until: l.until ? pick(l.until, CONDITION_KEYS) : undefined }, LONG_POLL_KEYS)
  return withoutDefaults(out, DEFAULT_LONG_POLL)
}

function extractionPlain(x: Extraction): PlainMap {
  return pick(x, ['name', 'from', 'path', 'header', 'pattern', 'group'])
}

/** `retries` always; the other fields only when they differ from DEFAULT_RETRY. */
function retryPlain(r: RetrySpec): PlainMap {
  const out: PlainMap = { retries: r.retries }
  if (r.onNetworkError !== DEFAULT_RETRY.onNetworkError) out['onNetworkError'] = r.onNetworkError
  if (r.onStatus.join(',') !== DEFAULT_RETRY.onStatus.join(',')) out['onStatus'] = [...r.onStatus]
  if (r.backoffMs !== DEFAULT_RETRY.backoffMs) out['backoffMs'] = r.backoffMs
  if (r.factor !== DEFAULT_RETRY.factor) out['factor'] = r.factor
  if (r.maxBackoffMs !== DEFAULT_RETRY.maxBackoffMs) out['maxBackoffMs'] = r.maxBackoffMs
  return out
}

function stopPlain(s: StopSpec): PlainMap | null {
  const out = pick(s, ['count', 'durationMs', 'match'])
  return Object.keys(out).length > 0 ? out : null
}

export interface FolderSettings {
  name?: string
  variables: Variable[]
  auth: AuthSpec
  order: string[]
}

export interface CollectionSettings extends FolderSettings {
  id?: string
  name: string
}

export function folderPlain(f: FolderSettings): PlainMap {
  const out: PlainMap = {}
  if (f.name !== undefined) out['name'] = f.name
  put(out, 'variables', variablesPlain(f.variables))
  put(out, 'auth', authPlain(f.auth))
  if (f.order.length > 0) out['order'] = [...f.order]
  return out
}

export function collectionPlain(c: CollectionSettings): PlainMap {
  const out: PlainMap = { flightdeck: FORMAT_VERSION }
  if (c.id !== undefined) out['id'] = c.id
  out['name'] = c.name
  return { ...out, ...folderPlain({ variables: c.variables, auth: c.auth, order: c.order }) }
}

export function environmentPlain(name: string, vars: readonly Variable[]): PlainMap {
  const out: PlainMap = { name }
  put(out, 'variables', variablesPlain(vars))
  return out
}

// ---------------------------------------------------------------- reading

type Raw = Record<string, unknown>

function isRaw(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof NumberText)
}

/** Scalars a person may write without quotes (`value: 1`, `enabled: yes`) read as the string they look like. */
function str(v: unknown, fallback = ''): unknown {
  if (v === undefined || v === null) return fallback
  if (v instanceof NumberText) return v.text
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return v
}

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

function readBody(v: unknown): unknown {
  if (v === undefined || v === null) return { kind: 'none' }
  if (!isRaw(v)) return v
  switch (v['kind']) {
    case 'text':
      return { kind: 'text', text: str(v['text']), contentType: str(v['contentType'], 'text/plain') }
    case 'json':
      return { kind: 'json', text: str(v['text']) }
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
      return { type: 'bearer', token: s('token') }
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

function validate<T>(
  text: string,
  schema: z.ZodType<T>,
  value: unknown,
  pathMap?: (p: PropertyKey[]) => PropertyKey[],
): Parsed<T> {
  const r = schema.safeParse(numberTextsSeen > 0 ? asNumbers(value) : value)
  if (r.success) return { ok: true, value: r.data }
  const issue = r.error.issues[0]
  const path = issue?.path ?? []
  // Only a file that is wrong pays for the position-keeping parse that finds the offending line.
  const parsed = parseYaml(text)
  const at = parsed.ok ? lineOf(parsed.value, pathMap ? pathMap(path) : path) : { line: 1, column: 1 }
  const where = path.length > 0 ? `${path.join('.')}: ` : ''
  return { ok: false, problem: { ...at, message: `${where}${issue?.message ?? 'invalid'}` } }
}

/**
 * A number written so that the number alone would not give its text back (`01234`, `12345678901234567890`,
 * `1.10`, `0x1F`, `1e3`): where the format wants text (a variable, a header, a parameter) it is read as written —
 * a zip code keeps its leading zero and an account id its digits — and where it wants a number, as the number.
 * Plain numbers (`42`, `1.5`) stay plain numbers, so reading costs nothing extra.
 */
class NumberText {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}
}
let numberTextsSeen = 0

/** js-yaml's built-in scalar types; @types/js-yaml declares neither `types` nor a type's `tag`. */
const yamlTypes = (jsYaml as unknown as { types: Record<'int' | 'float', Type & { tag: string }> }).types

function keepText(type: Type & { tag: string }): Type {
  const construct = type.construct.bind(type)
  return new Type(type.tag, {
    kind: 'scalar',
    resolve: type.resolve,
    construct(data: string) {
      const n = construct(data) as number
      if (String(n) === data) return n
      numberTextsSeen++
      return new NumberText(n, data)
    },
    instanceOf: NumberText,
  })
}
const READ_SCHEMA = CORE_SCHEMA.extend({ implicit: [keepText(yamlTypes.int), keepText(yamlTypes.float)] })

/** `value` with every NumberText left in it (where no text was wanted) as its number. */
function asNumbers(value: unknown): unknown {
  if (value instanceof NumberText) return value.value
  if (Array.isArray(value)) return value.map(asNumbers)
  if (isRaw(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asNumbers(v)]))
  return value
}

/**
 * Reading uses js-yaml (about five times faster than the position-keeping parser, which matters for a
 * 5,000-file collection) with the YAML 1.2 core schema, so `2024-01-01` stays a string. Writing uses `yaml`'s
 * Document API (./yaml-doc.ts), which keeps comments and layout.
 */
function mapRoot(text: string): Parsed<Raw> {
  let raw: unknown
  numberTextsSeen = 0
  try {
    raw = loadYaml(text, { schema: READ_SCHEMA, json: false })
  } catch (e) {
    if (e instanceof YAMLException) {
      return {
        ok: false,
        problem: {
          line: e.mark.line + 1,
          column: e.mark.column + 1,
          message: e.reason || e.message.split('\n')[0] || 'YAML syntax error',
        },
      }
    }
    throw e
  }
  if (raw === null || raw === undefined) return { ok: true, value: {} }
  if (!isRaw(raw))
    return { ok: false, problem: { line: 1, column: 1, message: 'Expected a YAML map at the top level' } }
  return { ok: true, value: raw }
}

/** `create-user` -> `create-user`: the file stem is the name when the file gives none. */
export function parseRequestText(text: string, stem: string): Parsed<SavedRequest> {
  const root = mapRoot(text)
  if (!root.ok) return root
  const raw = root.value
  const method = str(raw['method'], 'GET')
  const value = {
    name: str(raw['name'], stem),
    kind: raw['kind'] ?? 'http',
    method: typeof method === 'string' ? method.toUpperCase() : method,
    url: str(raw['url']),
    description: str(raw['description']),
    headers: kvList(raw['headers']),
    body: readBody(raw['body']),
    auth: readAuth(raw['auth']),
    options: raw['options'] ?? {},
    protocols: raw['protocols'] ?? [],
    messages: raw['messages'] ?? [],
    ...runFields(raw),
  }
  const parsed = validate(text, savedRequestSchema, value)
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

const isSet = (v: unknown): boolean => v !== undefined && v !== null

/** A single item where a list is expected (`dependsOn: login`, `onStatus: 503`) reads as a list of one. */
function listOf(v: unknown): unknown {
  return Array.isArray(v) ? v : [v]
}

/**
 * The runner's fields, present only when the file has them (so a file without them reads, and writes back,
 * exactly as before). Header and body texts written as bare numbers read as the text they look like.
 */
function runFields(raw: Raw): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (isSet(raw['assertions'])) out['assertions'] = readAssertions(raw['assertions'])
  if (isSet(raw['extract'])) out['extract'] = raw['extract']
  if (isSet(raw['retry'])) {
    const r = raw['retry']
    out['retry'] = isRaw(r)
      ? {
          ...DEFAULT_RETRY,
          ...r,
          ...(isSet(r['onStatus']) ? { onStatus: listOf(r['onStatus']) } : {}),
        }
      : r
  }
  if (isSet(raw['dependsOn'])) out['dependsOn'] = listOf(raw['dependsOn'])
  if (isSet(raw['stop'])) out['stop'] = raw['stop']
  if (isSet(raw['waitForWebhook'])) {
    const w = raw['waitForWebhook']
    out['waitForWebhook'] = isRaw(w)
      ? { ...w, ...(isSet(w['assertions']) ? { assertions: readAssertions(w['assertions']) } : {}) }
      : w
  }
  if (isSet(raw['followJob'])) {
    const f = raw['followJob']
    out['followJob'] = isRaw(f) ? { ...DEFAULT_FOLLOW_JOB, ...f, until: readUntil(f['until']) } : f
  }
  if (isSet(raw['longPoll'])) {
    const l = raw['longPoll']
    out['longPoll'] = isRaw(l) ? { ...DEFAULT_LONG_POLL, ...l } : l
  }
  return out
}

/**
 * A job's done condition: `status: 200` reads as a list of one, and a JSONPath without `equals` is done when
 * the value is null (as the engine compares it), written out as `equals: null`.
 */
function readUntil(u: unknown): unknown {
  if (!isRaw(u)) return u
  return {
    ...u,
    ...(isSet(u['status']) ? { status: listOf(u['status']) } : {}),
    ...(isSet(u['jsonPath']) && !('equals' in u) ? { equals: null } : {}),
  }
}

/** Texts compared with strings (a header's value, body text, a method) read as text when written bare. */
function readAssertions(list: unknown): unknown {
  if (!Array.isArray(list)) return list
  return list.map((a: unknown) => {
    if (!isRaw(a)) return a
    if (a['kind'] === 'header')
      return {
        ...a,
        ...(isSet(a['equals']) ? { equals: str(a['equals']) } : {}),
        ...(isSet(a['contains']) ? { contains: str(a['contains']) } : {}),
      }
    if (a['kind'] === 'body-contains') return { ...a, text: str(a['text']) }
    if ((a['kind'] === 'method' || a['kind'] === 'path') && isSet(a['equals']))
      return { ...a, equals: str(a['equals']) }
    return a
  })
}

const folderFileSchema = variableSchema.array().max(10_000)

function readFolderish(raw: Raw, text: string): Parsed<FolderSettings> {
  const vars = validate(text, folderFileSchema, readVariables(raw['variables']), () => ['variables'])
  if (!vars.ok) return vars
  const auth = validate(text, authSchema, readAuth(raw['auth']), (p) => ['auth', ...p])
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
  return { ok: true, value: out }
}

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
  return { ok: true, value: out }
}

export function parseEnvironmentText(
  text: string,
  stem: string,
): Parsed<{ name: string; variables: Variable[] }> {
  const root = mapRoot(text)
  if (!root.ok) return root
  const raw = root.value
  const vars = validate(text, folderFileSchema, readVariables(raw['variables']), () => ['variables'])
  if (!vars.ok) return vars
  const name = raw['name']
  return {
    ok: true,
    value: { name: typeof name === 'string' && name !== '' ? name : stem, variables: vars.value },
  }
}

function lineIn(text: string, path: PropertyKey[]): { line: number; column: number } {
  const parsed = parseYaml(text)
  return parsed.ok ? lineOf(parsed.value, path) : { line: 1, column: 1 }
}
