import { describe, expect, it } from 'vitest'
import { plainRequest } from '../../src/engine/collections/plain-request'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { savedRequestSchema } from '../../src/shared/collection'
import { rng } from '../fixtures/seeded-random'

/**
 * The request file check without zod (plain-request.ts) against the schema it stands in for: whatever it takes,
 * zod takes too and makes the very same value (same keys in the same order); whatever zod refuses, it leaves to
 * zod (so every error is zod's, worded as before). Checked at both sides of every limit it enforces, and over a
 * seeded fuzz of mutated requests (wrong types, missing and extra keys, holes, limits crossed).
 */

type Obj = Record<string, unknown>

/** Key order too: JSON text of both sides, and structural equality for what JSON cannot show. */
function expectSame(value: unknown, where: string): 'taken' | 'left' {
  const fast = plainRequest(value)
  const zod = savedRequestSchema.safeParse(value)
  if (fast === null) return 'left'
  expect(zod.success, `${where}: the fast check took what zod refuses: ${zod.error?.message}`).toBe(true)
  expect(JSON.stringify(fast), where).toBe(JSON.stringify(zod.data))
  expect(fast, where).toStrictEqual(zod.data)
  return 'taken'
}

const BASES: Obj[] = [
  {
    name: 'Item 0',
    kind: 'http',
    method: 'GET',
    url: '{{baseUrl}}/items/0',
    description: '',
    headers: [{ name: 'Accept', value: 'application/json', enabled: true }],
    body: { kind: 'none' },
    auth: { type: 'inherit' },
    options: {},
    protocols: [],
    messages: [],
    assertions: [{ kind: 'status', equals: 200 }],
  },
  {
    name: 'Create',
    kind: 'http',
    method: 'POST',
    url: 'http://127.0.0.1/users?x=1',
    disabledParams: [{ name: 'y', value: '2', enabled: false }],
    description: 'Makes one',
    headers: [
      { name: 'Content-Type', value: 'application/json', enabled: true },
      { name: 'X-Off', value: '', enabled: false },
    ],
    body: { kind: 'json', text: '{"a":1}' },
    auth: { type: 'bearer', token: '{{token}}' },
    options: {},
    protocols: [],
    messages: [],
    assertions: [
      { kind: 'status', oneOf: [200, 201], min: 200, max: 299 },
      { kind: 'header', name: 'content-type', contains: 'json', exists: true },
      { kind: 'body-contains', text: 'id' },
    ],
    dependsOn: ['auth/login.yaml', './other'],
    scripts: { preRequest: 'pm.variables.set("a", 1)', test: '', translated: false },
  },
  {
    name: 'Form',
    kind: 'http',
    method: 'PUT',
    url: '',
    description: '',
    headers: [],
    body: { kind: 'form', fields: [{ name: 'a', value: 'b', enabled: true }] },
    auth: { type: 'basic', username: 'u', password: 'p' },
    options: {},
    protocols: [],
    messages: [],
  },
  {
    name: 'Text',
    kind: 'sse',
    method: 'GET',
    url: 'http://127.0.0.1/events',
    description: '',
    headers: [],
    body: { kind: 'text', text: 'hi\n', contentType: 'text/plain' },
    auth: { type: 'apikey', key: 'k', value: 'v', in: 'query' },
    options: {},
    protocols: [],
    messages: [],
  },
  {
    name: 'Socket',
    kind: 'ws',
    method: 'GET',
    url: 'ws://127.0.0.1/ws',
    description: '',
    headers: [],
    body: { kind: 'none' },
    auth: { type: 'digest', username: 'u', password: 'p' },
    options: {},
    protocols: ['chat', 'v2'],
    messages: [{ name: 'hello', text: '{"op":"hi"}' }],
  },
  {
    name: 'N',
    kind: 'grpc',
    method: 'POST',
    url: 'grpc://127.0.0.1:1',
    description: '',
    headers: [],
    body: { kind: 'none' },
    auth: { type: 'none' },
    options: {},
    protocols: [],
    messages: [],
  },
]

const clone = <T>(v: T): T => structuredClone(v)

function withAt(base: Obj, path: (string | number)[], value: unknown): Obj {
  const copy = clone(base)
  let at: Obj | unknown[] = copy
  for (const key of path.slice(0, -1)) at = (at as Obj)[key as string] as Obj
  const last = path[path.length - 1] as string
  if (value === DELETE) delete (at as Obj)[last]
  else (at as Obj)[last] = value
  return copy
}
const DELETE = Symbol('delete')

describe('the request check without zod', () => {
  it('takes every base shape, to the value zod makes', () => {
    for (const [i, base] of BASES.entries()) expect(expectSame(base, `base ${i}`)).toBe('taken')
  })

  // [path, longest the schema allows, shortest it allows]
  const limits: [(string | number)[], number, number][] = [
    [['name'], 256, 1],
    [['method'], 64, 1],
    [['url'], 64 * 1024, 0],
    [['description'], 64 * 1024, 0],
    [['headers', 0, 'name'], 8192, 0],
    [['headers', 0, 'value'], 1024 * 1024, 0],
    [['assertions', 0, 'name'], 256, 1],
    [['assertions', 0, 'contains'], 64 * 1024, 0],
    [['assertions', 1, 'text'], 64 * 1024, 1],
    [['dependsOn', 0], 4096, 1],
    [['scripts', 'preRequest'], 1024 * 1024, 0],
    [['auth', 'token'], 64 * 1024, 0],
    [['body', 'text'], 64 * 1024 * 1024, 0],
  ]
  it.each(limits)('holds to the schema at both ends of %j', (path, longest, shortest) => {
    const base =
      path[0] === 'assertions'
        ? {
            ...clone(BASES[1] as Obj),
            assertions: [
              { kind: 'header', name: 'x', contains: 'y' },
              { kind: 'body-contains', text: 't' },
            ],
          }
        : path[0] === 'auth' || path[0] === 'body' || path[0] === 'dependsOn' || path[0] === 'scripts'
          ? (BASES[1] as Obj)
          : (BASES[0] as Obj)
    const at = (n: number): Obj => withAt(base, path, path[0] === 'method' ? 'G'.repeat(n) : 'x'.repeat(n))
    expect(expectSame(at(longest), `${path.join('.')} at ${longest}`)).toBe('taken')
    expect(plainRequest(at(longest + 1))).toBeNull()
    expect(savedRequestSchema.safeParse(at(longest + 1)).success).toBe(false)
    if (shortest > 0) {
      expect(expectSame(at(shortest), `${path.join('.')} at ${shortest}`)).toBe('taken')
      expect(plainRequest(at(shortest - 1))).toBeNull()
      expect(savedRequestSchema.safeParse(at(shortest - 1)).success).toBe(false)
    }
  })

  const lists: [(string | number)[], number, unknown][] = [
    [['headers'], 1000, { name: 'a', value: 'b', enabled: true }],
    [['disabledParams'], 1000, { name: 'a', value: 'b', enabled: false }],
    [['protocols'], 64, 'p'],
    [['messages'], 1000, { name: 'm', text: 't' }],
    [['assertions'], 1000, { kind: 'status', equals: 200 }],
    [['dependsOn'], 1000, 'a.yaml'],
    [['assertions', 0, 'oneOf'], 100, 200],
  ]
  it.each(lists)('holds to the schema on the length of %j', (path, longest, item) => {
    const at = (n: number): Obj =>
      withAt(
        BASES[1] as Obj,
        path,
        Array.from({ length: n }, () => item),
      )
    expect(expectSame(at(longest), `${path.join('.')} of ${longest}`)).toBe('taken')
    expect(plainRequest(at(longest + 1))).toBeNull()
    expect(savedRequestSchema.safeParse(at(longest + 1)).success).toBe(false)
  })

  it('holds to the schema on status codes and methods', () => {
    for (const code of [99, 100, 200, 999, 1000, 200.5, -200, NaN, Infinity, '200', null])
      for (const key of ['equals', 'min', 'max'])
        expectSame(withAt(BASES[0] as Obj, ['assertions', 0, key], code), `${key} ${String(code)}`)
    for (const method of ['GET', 'get', 'M-SEARCH', "A!#$%&'*+.^_`|~9", 'GE T', 'GET\n', 'É', '', '(x)'])
      expectSame(withAt(BASES[0] as Obj, ['method'], method), `method ${method}`)
  })

  it('never takes what zod refuses, over a seeded fuzz of mutated requests', () => {
    const counts = { taken: 0, left: 0 }
    const random = rng(0x5eed)
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
    for (let round = 0; round < 6000; round++) {
      let value: unknown = clone(pick(BASES))
      const edits = 1 + Math.floor(random() * 3)
      for (let e = 0; e < edits; e++) value = mutate(value, random, pick)
      counts[expectSame(value, `round ${round}: ${safeJson(value)}`)]++
    }
    // Both sides exercised: a check that took nothing (or everything) would prove little.
    expect(counts.taken).toBeGreaterThan(600)
    expect(counts.left).toBeGreaterThan(600)
  })

  it('reads request files as before, and words their errors as zod does', () => {
    const ok = parseRequestText(
      'name: Item 0\nmethod: get\nurl: "{{baseUrl}}/items/0"\nheaders:\n  Accept: application/json\nassertions:\n  - kind: status\n    equals: 200\n',
      'item-0',
    )
    expect(ok).toEqual({ ok: true, value: { ...(BASES[0] as Obj), name: 'Item 0' } })
    expect(parseRequestText('name: x\nmethod: "G T"\n', 'x')).toEqual({
      ok: false,
      problem: { line: 2, column: 9, message: 'method: Method must be an HTTP token' },
    })
    expect(parseRequestText('url: x\nheaders:\n  - name: a\n    value: b\n    enabled: 3\n', 'x')).toEqual({
      ok: false,
      problem: {
        line: 5,
        column: 14,
        message: 'headers.0.enabled: Invalid input: expected boolean, received number',
      },
    })
    expect(
      parseRequestText('url: x\nassertions:\n  - kind: status\n    equals: 200\n    extra: 1\n', 'x'),
    ).toMatchObject({ ok: false, problem: { line: 3, message: expect.stringContaining('assertions.0') } })
  })
})

const POOL: unknown[] = [
  undefined,
  null,
  0,
  200,
  99,
  1000,
  1.5,
  NaN,
  Infinity,
  -1,
  '',
  'x',
  'GET',
  'get it',
  'status',
  'header',
  'body-contains',
  'json',
  'none',
  'text',
  'form',
  'inherit',
  'bearer',
  'oauth2',
  'http',
  'mqtt',
  'header',
  'query',
  true,
  false,
  [],
  [1],
  [''],
  [{}],
  // A list with a hole: zod reads it as an undefined item.
  [, 1], // eslint-disable-line no-sparse-arrays -- the hole is the case under test
  {},
  { kind: 'none' },
  { kind: 'status' },
  { kind: 'status', equals: 200 },
  { kind: 'header', name: 'a' },
  { kind: 'json', path: '$.a' },
  { type: 'inherit' },
  { type: 'bearer' },
  { type: 'bearer', token: 't', prefix: 'Token' },
  { name: 'a', value: 'b', enabled: true },
  { name: 'a', value: 'b' },
  { name: 'm', text: 't' },
  { timeoutMs: 1 },
  new Date(0),
  Object.create(null),
]
const EXTRA_KEYS = [
  'extract',
  'retry',
  'trace',
  'graphql',
  'zzz',
  'stop',
  'followJob',
  'enabled',
  'in',
  'text',
  'prefix',
]

function mutate(value: unknown, random: () => number, pick: <T>(l: readonly T[]) => T): unknown {
  // Walk to a random container, then change one thing in it.
  const containers: (Obj | unknown[])[] = []
  const visit = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null || depth > 6 || v instanceof Date) return
    containers.push(v as Obj)
    for (const child of Object.values(v)) visit(child, depth + 1)
  }
  visit(value, 0)
  if (containers.length === 0) return random() < 0.5 ? clone(pick(BASES)) : value
  const target = pick(containers)
  const keys = Object.keys(target)
  const op = random()
  const fresh = (): unknown => {
    const v = pick(POOL)
    return v instanceof Date || (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null)
      ? v
      : clone(v)
  }
  if (Array.isArray(target)) {
    if (op < 0.4 && target.length > 0) target[Math.floor(random() * target.length)] = fresh()
    else if (op < 0.7) target.push(fresh())
    // A trailing hole, which a check that skips holes (Array.map) would not see.
    else if (op < 0.8) target.length += 1
    else target.length = Math.max(0, target.length - 1)
  } else if (op < 0.45 && keys.length > 0) target[pick(keys)] = fresh()
  else if (op < 0.65 && keys.length > 0) delete target[pick(keys)]
  else if (op < 0.8) target[pick(EXTRA_KEYS)] = fresh()
  else if (op < 0.9 && keys.length > 0) target[pick(keys)] = 'x'.repeat(pick([0, 1, 64, 65, 256, 257, 4097]))
  else if (keys.length > 0) target[pick(keys)] = undefined
  return value
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v).slice(0, 400)
  } catch {
    return String(v)
  }
}
