import type { AuthSpec, SavedRequest, Variable } from '../../shared/collection'
import {
  DEFAULT_RETRY,
  type Assertion,
  type Extraction,
  type RetrySpec,
  type StopSpec,
  type WaitForWebhookSpec,
  type WebhookAssertion,
} from '../../shared/run-spec'
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
import type { TraceSetting } from '../../shared/trace-context'
import type { Plain, PlainMap } from './yaml-doc'
import { FORMAT_VERSION, type CollectionSettings, type FolderSettings } from './collection-file-format'

/** The collection model as plain YAML values, in canonical key order, defaults left out. */

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
  if (p.contentType !== undefined) out['contentType'] = p.contentType
  if (p.kind === 'file' && p.fileName !== undefined) out['fileName'] = p.fileName
  if (!p.enabled) out['enabled'] = false
  return out
}

/**
 * A text whose every line ends in CRLF (a body pasted from Windows, a HAR, an HTTP capture) is written as a
 * block string with `lineEnds: crlf` beside it: YAML reads every line break in a block as LF, so without the
 * key the file would hold a double-quoted string full of `\r\n` (one long line, where a one-space edit shows as
 * a change to the whole body). Mixed or lone CR line ends are not one style: they stay quoted, exact.
 */
export function isCrlfText(text: string): boolean {
  if (!text.includes('\r\n')) return false
  return !/\r(?!\n)|(?<!\r)\n/.test(text)
}

function textPlain(out: PlainMap, text: string): PlainMap {
  if (!isCrlfText(text)) return { ...out, text }
  return { ...out, text: text.replace(/\r\n/g, '\n'), lineEnds: 'crlf' }
}

export function bodyPlain(body: RequestBody): PlainMap | null {
  switch (body.kind) {
    case 'none':
      return null
    case 'text':
      return textPlain({ kind: 'text', contentType: body.contentType }, body.text)
    case 'json':
      return textPlain({ kind: 'json' }, body.text)
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

const OAUTH2_KEYS = [
  'type',
  'grant',
  'tokenUrl',
  'clientId',
  'clientSecret',
  'scope',
  'clientAuth',
  'authUrl',
  'redirectUri',
  'pkce',
  'username',
  'password',
  'tokenIn',
] as const satisfies readonly (keyof Extract<AuthSpec, { type: 'oauth2' }>)[]

/** Auth as written; `inherit` (the default) is left out. Key order follows the schema. */
export function authPlain(auth: AuthSpec): PlainMap | null {
  if (auth.type === 'inherit') return null
  // A bearer's prefix only when it has one: the file of a plain `Bearer` stays as it was.
  if (auth.type === 'bearer')
    return auth.prefix === undefined
      ? { type: 'bearer', token: auth.token }
      : { type: 'bearer', token: auth.token, prefix: auth.prefix }
  // OAuth 2.0's grant-specific fields only when set: a client-credentials file stays as it was.
  if (auth.type === 'oauth2') {
    const out: PlainMap = {}
    for (const k of OAUTH2_KEYS) if (auth[k] !== undefined) out[k] = auth[k]
    return out
  }
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
  if (options.omitDefaultHeaders?.length) out['omitDefaultHeaders'] = [...options.omitDefaultHeaders]
  return Object.keys(out).length > 0 ? out : null
}

function put(out: PlainMap, key: string, value: Plain | null | undefined): void {
  if (value !== null && value !== undefined) out[key] = value
}

export function requestPlain(req: SavedRequest): PlainMap {
  const out: PlainMap = { name: req.name }
  if (req.kind !== 'http') out['kind'] = req.kind
  // GraphQL's method is written either way: its default (POST) is not the other kinds' (GET).
  if (req.kind === 'http' || req.kind === 'graphql' || req.method !== 'GET') out['method'] = req.method
  out['url'] = req.url
  // Every row here is off (that is why it is not in the URL): `enabled: false` is implied, not written.
  if (req.disabledParams && req.disabledParams.length > 0)
    out['disabledParams'] = req.disabledParams.map((p) => ({ name: p.name, value: p.value }))
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
  if (req.scripts) put(out, 'scripts', scriptsPlain(req.scripts))
  if (req.trace) out['trace'] = tracePlain(req.trace)
  if (req.grpc)
    out['grpc'] = pick(req.grpc, ['method', 'proto', 'importPaths', 'deadlineMs', 'maxMessageBytes'])
  // As the schema has them (its key order is the file's): subscriptions and publishes, emits and listened events.
  if (req.mqtt) out['mqtt'] = JSON.parse(JSON.stringify(req.mqtt)) as PlainMap
  if (req.socketio) out['socketio'] = JSON.parse(JSON.stringify(req.socketio)) as PlainMap
  // The query is multi-line text: written as a block string, so a change to it diffs line by line.
  if (req.graphql)
    out['graphql'] = pick(req.graphql, [
      'query',
      'variables',
      'operationName',
      'transport',
      'connectionParams',
      'shareConnection',
      'schemaFile',
    ])
  return out
}

/** `trace: per-send` when the mode is all there is; else the map, in the schema's order. */
export function tracePlain(t: TraceSetting): Plain {
  const out = pick(t, ['mode', 'tracestate', 'bodyField'])
  return Object.keys(out).length === 1 ? t.mode : out
}

/** A request's or a folder's scripts: pre-request, test, then whether every line was translated. */
function scriptsPlain(s: NonNullable<SavedRequest['scripts']>): PlainMap | null {
  const out = pick(s, ['preRequest', 'test', 'translated'])
  return Object.keys(out).length > 0 ? out : null
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
  'grpc-status': ['kind', 'equals'],
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

/** The option blocks' keys in schema order, read by the first write (at import they would build the schemas). */
let jobKeys: { follow: string[]; until: string[]; longPoll: string[] } | null = null
function jobOptionKeys(): { follow: string[]; until: string[]; longPoll: string[] } {
  jobKeys ??= {
    follow: Object.keys(followOptionsSchema.shape),
    until: Object.keys(followOptionsSchema.shape.until.shape),
    longPoll: Object.keys(longPollOptionsSchema.shape),
  }
  return jobKeys
}
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
      until: pick(f.until, jobOptionKeys().until),
      failWhen: f.failWhen ? pick(f.failWhen, CONDITION_KEYS) : undefined,
    },
    jobOptionKeys().follow,
  )
  return withoutDefaults(out, DEFAULT_FOLLOW_JOB)
}

/** The long-poll options in the schema's order; fields at their default (DEFAULT_LONG_POLL) left out. */
function longPollPlain(l: LongPollOptionsSpec): PlainMap {
  const out = pick(
    { ...l, until: l.until ? pick(l.until, CONDITION_KEYS) : undefined },
    jobOptionKeys().longPoll,
  )
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

export function folderPlain(f: FolderSettings): PlainMap {
  const out: PlainMap = {}
  if (f.name !== undefined) out['name'] = f.name
  put(out, 'variables', variablesPlain(f.variables))
  put(out, 'auth', authPlain(f.auth))
  if (f.scripts) put(out, 'scripts', scriptsPlain(f.scripts))
  if (f.order.length > 0) out['order'] = [...f.order]
  return out
}

export function collectionPlain(c: CollectionSettings): PlainMap {
  const out: PlainMap = { flightdeck: FORMAT_VERSION }
  if (c.id !== undefined) out['id'] = c.id
  out['name'] = c.name
  const { variables, auth, order, scripts } = c
  return { ...out, ...folderPlain({ variables, auth, order, ...(scripts ? { scripts } : {}) }) }
}

export function environmentPlain(name: string, vars: readonly Variable[]): PlainMap {
  const out: PlainMap = { name }
  put(out, 'variables', variablesPlain(vars))
  return out
}
