import { REQUEST_KINDS, type SavedRequest } from '../../shared/collection'

/**
 * The request file check for the shapes nearly every file has (an HTTP, SSE or WebSocket request with headers,
 * a none/text/JSON/form body, plain auth, status/header/body checks, scripts), without zod. Run cold, zod's
 * object parse cost a 1,000-file collection ~40 % of its open (its checks are general; these are straight-line
 * code over the few keys a plain file has).
 *
 * The contract: `plainRequest(value)` returns exactly what `savedRequestSchema.safeParse(value).data` would
 * (the same keys in the schema's order, unknown keys dropped, fresh objects), or null whenever the value is
 * anything else — another key, another kind of body, auth or check, a limit crossed, a value of the wrong type.
 * Null means "zod decides": every error is still zod's, worded as before. So each limit below must be at most
 * the schema's; test/engine/plain-request.test.ts checks both sides of every one against the schema.
 */

type Obj = Record<string, unknown>

const KB = 1024
const MB = 1024 * KB
/** The schema's `text` (auth fields, check texts) and a URL or description. */
const TEXT = 64 * KB
/** A request body's text (request.ts MAX_TEXT). */
const BODY_TEXT = 64 * MB
const SCRIPT_CHARS = MB
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const KINDS: ReadonlySet<string> = new Set(REQUEST_KINDS)

/** Not taken: a value the check does not cover (zod then reads it). */
class NotPlain {}
const NOT_PLAIN = new NotPlain()

function obj(v: unknown): Obj {
  if (typeof v !== 'object' || v === null) throw NOT_PLAIN
  const proto: unknown = Object.getPrototypeOf(v)
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN
  return v as Obj
}

/** Each item of a list read by `read`, into a new list (by index: a hole is an `undefined` item, as zod sees it). */
function list<T>(v: unknown, max: number, read: (item: unknown) => T, min = 0): T[] {
  if (!Array.isArray(v) || v.length > max || v.length < min) throw NOT_PLAIN
  const out: T[] = []
  for (let i = 0; i < v.length; i++) out.push(read(v[i]))
  return out
}

function str(v: unknown, max: number, min = 0): string {
  if (typeof v !== 'string' || v.length > max || v.length < min) throw NOT_PLAIN
  return v
}

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw NOT_PLAIN
  return v
}

function status(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 100 || v > 999) throw NOT_PLAIN
  return v
}

/** Only these keys (as a `.strict()` object wants, and so nothing the check would drop unseen). */
function only(o: Obj, keys: readonly string[]): void {
  for (const k in o) if (!keys.includes(k)) throw NOT_PLAIN
}

/** An optional key: absent, or its value read by `read` (a key present with `undefined` is zod's to judge). */
function opt<T>(o: Obj, key: string, out: Obj, read: (v: unknown) => T): void {
  if (!Object.hasOwn(o, key)) {
    if (key in o) throw NOT_PLAIN
    return
  }
  out[key] = read(o[key])
}

function keyValues(v: unknown, max: number): { name: string; value: string; enabled: boolean }[] {
  return list(v, max, (item) => {
    const o = obj(item)
    return { name: str(o['name'], 8 * KB), value: str(o['value'], MB), enabled: bool(o['enabled']) }
  })
}

function body(v: unknown): SavedRequest['body'] {
  const o = obj(v)
  switch (o['kind']) {
    case 'none':
      return { kind: 'none' }
    case 'json':
      return { kind: 'json', text: str(o['text'], BODY_TEXT) }
    case 'text':
      return { kind: 'text', text: str(o['text'], BODY_TEXT), contentType: str(o['contentType'], 256) }
    case 'form':
      return { kind: 'form', fields: keyValues(o['fields'], 10_000) }
    default:
      throw NOT_PLAIN
  }
}

function auth(v: unknown): SavedRequest['auth'] {
  const o = obj(v)
  switch (o['type']) {
    case 'inherit':
      return { type: 'inherit' }
    case 'none':
      return { type: 'none' }
    case 'bearer':
      return {
        type: 'bearer',
        token: str(o['token'], TEXT),
        ...(o['prefix'] !== undefined ? { prefix: str(o['prefix'], TEXT) } : {}),
      }
    case 'basic':
    case 'digest':
      return { type: o['type'], username: str(o['username'], TEXT), password: str(o['password'], TEXT) }
    case 'apikey': {
      const where = o['in']
      if (where !== 'header' && where !== 'query') throw NOT_PLAIN
      return { type: 'apikey', key: str(o['key'], TEXT), value: str(o['value'], TEXT), in: where }
    }
    default:
      throw NOT_PLAIN
  }
}

type Assertion = NonNullable<SavedRequest['assertions']>[number]

function assertion(v: unknown): Assertion {
  const o = obj(v)
  const out: Obj = { kind: o['kind'] }
  switch (o['kind']) {
    case 'status':
      only(o, ['kind', 'equals', 'oneOf', 'min', 'max'])
      opt(o, 'equals', out, status)
      opt(o, 'oneOf', out, (l) => list(l, 100, status, 1))
      opt(o, 'min', out, status)
      opt(o, 'max', out, status)
      break
    case 'header':
      only(o, ['kind', 'name', 'equals', 'contains', 'exists'])
      out['name'] = str(o['name'], 256, 1)
      opt(o, 'equals', out, (s) => str(s, TEXT))
      opt(o, 'contains', out, (s) => str(s, TEXT))
      opt(o, 'exists', out, bool)
      break
    case 'body-contains':
      only(o, ['kind', 'text'])
      out['text'] = str(o['text'], TEXT, 1)
      break
    default:
      throw NOT_PLAIN
  }
  return out as Assertion
}

function scripts(v: unknown): NonNullable<SavedRequest['scripts']> {
  const o = obj(v)
  only(o, ['preRequest', 'test', 'translated'])
  const out: Obj = {}
  opt(o, 'preRequest', out, (s) => str(s, SCRIPT_CHARS))
  opt(o, 'test', out, (s) => str(s, SCRIPT_CHARS))
  opt(o, 'translated', out, bool)
  return out as NonNullable<SavedRequest['scripts']>
}

function options(v: unknown): SavedRequest['options'] {
  // Options set (timeouts, redirects, TLS…) are zod's to check; the common file sets none.
  for (const _ in obj(v)) throw NOT_PLAIN
  return {}
}

/** The keys read here, in the schema's order; any other key present sends the value to zod. */
const KEYS = [
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
  'dependsOn',
  'scripts',
] as const

function read(v: unknown): SavedRequest {
  const o = obj(v)
  only(o, KEYS)
  const kind = o['kind']
  if (typeof kind !== 'string' || !KINDS.has(kind)) throw NOT_PLAIN
  const method = str(o['method'], 64, 1)
  if (!METHOD.test(method)) throw NOT_PLAIN
  const out: Obj = {
    name: str(o['name'], 256, 1),
    kind,
    method,
    url: str(o['url'], TEXT),
  }
  opt(o, 'disabledParams', out, (l) => keyValues(l, 1000))
  out['description'] = str(o['description'], TEXT)
  out['headers'] = keyValues(o['headers'], 1000)
  out['body'] = body(o['body'])
  out['auth'] = auth(o['auth'])
  out['options'] = options(o['options'])
  out['protocols'] = list(o['protocols'], 64, (p) => str(p, 256))
  out['messages'] = list(o['messages'], 1000, (m) => {
    const msg = obj(m)
    return { name: str(msg['name'], 256), text: str(msg['text'], 16 * MB) }
  })
  opt(o, 'assertions', out, (l) => list(l, 1000, assertion))
  opt(o, 'dependsOn', out, (l) => list(l, 1000, (d) => str(d, 4096, 1)))
  opt(o, 'scripts', out, scripts)
  return out as SavedRequest
}

/** What authSchema makes of `value` when it is plain auth (inherit, none, basic, digest, bearer, API key); else null. */
export function plainAuth(value: unknown): SavedRequest['auth'] | null {
  try {
    return auth(value)
  } catch (e) {
    if (e === NOT_PLAIN) return null
    throw e
  }
}

/** What savedRequestSchema makes of `value` when it is a plain request; null when zod must decide. */
export function plainRequest(value: unknown): SavedRequest | null {
  try {
    return read(value)
  } catch (e) {
    if (e === NOT_PLAIN) return null
    throw e
  }
}
