import { describe, expect, it } from 'vitest'
import { plainRequest } from '../../src/engine/collections/plain-request'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { savedRequestSchema } from '../../src/shared/collection'

/**
 * An outsider's attack on the request check without zod (plain-request.ts), whose contract is: the value
 * savedRequestSchema.safeParse makes, or null. Two guards the differential in plain-request.test.ts lacks:
 *
 * - The limits are read from the schema itself, not written out: every string, list and number the fast check
 *   covers is tried one past each bound the schema sets on it, so a limit tightened (or a check, transform or
 *   default added) in the schema later fails here, naming the path, instead of the fast check quietly taking
 *   what zod would now refuse.
 * - Values no YAML file gives but a caller could: `__proto__` own keys (JSON.parse makes them), objects without a
 *   prototype or with another one, non-enumerable and symbol keys, arrays with holes or extra properties,
 *   -0/NaN/Infinity, lone surrogates, and key order.
 */

type Obj = Record<string, unknown>

/** Deep equality that also holds key order, -0 and holes (what toStrictEqual and JSON.stringify each miss). */
function sameValue(a: unknown, b: unknown, at: string): string | null {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
    return Object.is(a, b) ? null : `${at}: ${String(a).slice(0, 40)} vs ${String(b).slice(0, 40)}`
  if (Array.isArray(a) !== Array.isArray(b)) return `${at}: array vs object`
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${at}: prototypes differ`
  const ka = Reflect.ownKeys(a)
  const kb = Reflect.ownKeys(b)
  if (ka.join('\0') !== kb.join('\0')) return `${at}: keys [${ka.join(',')}] vs [${kb.join(',')}]`
  for (const k of ka) {
    const d = sameValue((a as Obj)[k as string], (b as Obj)[k as string], `${at}.${String(k)}`)
    if (d) return d
  }
  return null
}

function expectSame(value: unknown, where: string): 'taken' | 'left' {
  const fast = plainRequest(value)
  if (fast === null) return 'left'
  const zod = savedRequestSchema.safeParse(value)
  if (!zod.success)
    expect.fail(`${where}: the fast check took what zod refuses: ${zod.error.issues[0]?.message}`)
  const diff = sameValue(fast, zod.data, 'request')
  if (diff) expect.fail(`${where}: ${diff}`)
  return 'taken'
}

/** A copy sharing strings (a 64 MB text is not copied for every case). */
function copy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(copy) as T
  if (typeof v === 'object' && v !== null) {
    const out: Obj = {}
    for (const [k, x] of Object.entries(v)) out[k] = copy(x)
    return out as T
  }
  return v
}

/** One request per body, auth and check kind the fast check covers, each optional key present. */
const BASE: Obj = {
  name: 'Create',
  kind: 'http',
  method: 'POST',
  url: 'http://127.0.0.1/users',
  disabledParams: [{ name: 'y', value: '2', enabled: false }],
  description: 'd',
  headers: [{ name: 'A', value: 'b', enabled: true }],
  body: { kind: 'json', text: '{}' },
  auth: { type: 'bearer', token: 't' },
  options: {},
  protocols: ['chat'],
  messages: [{ name: 'm', text: 't' }],
  assertions: [
    { kind: 'status', equals: 200, oneOf: [200, 201], min: 200, max: 299 },
    { kind: 'header', name: 'h', equals: 'e', contains: 'c', exists: true },
    { kind: 'body-contains', text: 'x' },
  ],
  dependsOn: ['a.yaml'],
  scripts: { preRequest: 'p', test: 't', translated: false },
}
const BODIES: Obj[] = [
  { kind: 'none' },
  { kind: 'json', text: '{}' },
  { kind: 'text', text: 'hi', contentType: 'text/plain' },
  { kind: 'form', fields: [{ name: 'a', value: 'b', enabled: true }] },
]
const AUTHS: Obj[] = [
  { type: 'inherit' },
  { type: 'none' },
  { type: 'bearer', token: 't' },
  { type: 'basic', username: 'u', password: 'p' },
  { type: 'digest', username: 'u', password: 'p' },
  { type: 'apikey', key: 'k', value: 'v', in: 'header' },
]
const BASES: Obj[] = [
  ...BODIES.map((body) => ({ ...copy(BASE), body })),
  ...AUTHS.map((auth) => ({ ...copy(BASE), auth })),
]

interface Def {
  type: string
  checks?: { _zod: { def: Record<string, unknown> } }[]
  innerType?: Schema
  element?: Schema
  options?: Schema[]
  shape?: Record<string, Schema>
  catchall?: Schema
  discriminator?: string
  values?: unknown[]
  entries?: Record<string, unknown>
}
interface Schema {
  _zod: { def: Def }
}

const strings = new Map<number, string>()
/** 'x' repeated, built once per length (a 64 MB string made once, shared by every case). */
const xs = (n: number): string => {
  let s = strings.get(n)
  if (s === undefined) strings.set(n, (s = 'x'.repeat(n)))
  return s
}

function setAt(base: Obj, path: (string | number)[], value: unknown): Obj {
  const out = copy(base)
  let at: Obj = out
  for (const k of path.slice(0, -1)) at = at[k as string] as Obj
  at[path[path.length - 1] as string] = value
  return out
}

function getAt(base: Obj, path: (string | number)[]): unknown {
  let at: unknown = base
  for (const k of path) at = (at as Obj)[k as string]
  return at
}

/**
 * Every case the schema's own bounds give at the path: one inside and one past each. A check, a wrapper or a
 * node kind this walk does not know is refused by name, so a schema change the fast check might skip is seen.
 */
function boundaryCases(
  schema: Schema,
  base: Obj,
  path: (string | number)[],
  out: { path: string; value: Obj }[],
  seen: Set<string>,
): void {
  const def = schema._zod.def
  const where = path.join('.')
  const value = getAt(base, path)
  const checks = (def.checks ?? []).map((c) => c._zod.def)
  const push = (label: string, v: unknown): void => {
    const key = `${where} ${label}`
    if (seen.has(key)) return
    seen.add(key)
    out.push({ path: key, value: setAt(base, path, v) })
  }
  switch (def.type) {
    case 'optional':
      boundaryCases(def.innerType as Schema, base, path, out, seen)
      return
    case 'object': {
      if (checks.length > 0) throw new Error(`${where}: an object check (${String(checks[0]?.['check'])})`)
      const shape = def.shape as Record<string, Schema>
      for (const key of Object.keys(value as Obj))
        if (key in shape) boundaryCases(shape[key] as Schema, base, [...path, key], out, seen)
      // Unknown keys: stripped by a plain object, refused by a strict one; both sides must agree.
      push('extra key', { ...(value as Obj), zzExtra: 'x' })
      return
    }
    case 'union': {
      const disc = def.discriminator
      if (disc === undefined) throw new Error(`${where}: a union without a discriminator`)
      const option = (def.options as Schema[]).find((o) => {
        const lit = (o._zod.def.shape as Record<string, Schema>)[disc]?._zod.def
        return lit?.values?.includes((value as Obj)[disc]) === true
      })
      if (!option) throw new Error(`${where}: no option for ${String((value as Obj)[disc])}`)
      boundaryCases(option, base, path, out, seen)
      return
    }
    case 'array': {
      const item = (value as unknown[])[0]
      for (const c of checks) {
        const n = c['maximum'] ?? c['minimum']
        if ((c['check'] !== 'max_length' && c['check'] !== 'min_length') || typeof n !== 'number')
          throw new Error(`${where}: a list check ${String(c['check'])} the fast check may skip`)
        for (const len of [n - 1, n, n + 1].filter((l) => l >= 0))
          push(
            `length ${len}`,
            Array.from({ length: len }, () => copy(item)),
          )
      }
      if ((value as unknown[]).length > 0) boundaryCases(def.element as Schema, base, [...path, 0], out, seen)
      return
    }
    case 'string':
      for (const c of checks) {
        if (c['check'] === 'max_length' || c['check'] === 'min_length') {
          const n = (c['maximum'] ?? c['minimum']) as number
          for (const len of [n - 1, n, n + 1].filter((l) => l >= 0))
            push(`length ${len}`, where === 'method' ? 'G'.repeat(len) : xs(len))
        } else if (c['check'] === 'string_format' && c['format'] === 'regex' && where === 'method') {
          for (const m of ['GET', 'G T', 'GET\n', '\nGET', 'É', '(x)', "A!#$%&'*+.^_`|~9", 'M-SEARCH'])
            push(`method ${JSON.stringify(m)}`, m)
        } else throw new Error(`${where}: a string check ${String(c['check'])} the fast check may skip`)
      }
      for (const s of ['', '\ud800', 'a\udfffb', '\u0000', '💥'.repeat(3)])
        push(`text ${JSON.stringify(s)}`, s)
      return
    case 'number': {
      for (const c of checks) {
        const kind = c['check']
        if (kind === 'number_format') continue
        if (kind !== 'greater_than' && kind !== 'less_than')
          throw new Error(`${where}: a number check ${String(kind)} the fast check may skip`)
        const n = c['value'] as number
        for (const v of [n - 1, n - 0.5, n, n + 0.5, n + 1]) push(`number ${v}`, v)
      }
      for (const v of [-0, 0, NaN, Infinity, -Infinity, 2 ** 53, 200.0000001, '200', 200n])
        push(`number ${String(v)}`, v)
      return
    }
    case 'boolean':
    case 'enum':
    case 'literal':
      for (const v of [undefined, null, 0, 1, 'true', 'x']) push(`scalar ${String(v)}`, v)
      return
    default:
      // A transform, a default, a pipe or a refinement: zod's value may not be the input's, the fast check's is.
      throw new Error(`${where}: a ${def.type} node the fast check does not know`)
  }
}

describe('the request check without zod, attacked', () => {
  it('holds at every bound the schema itself sets, one inside and one past', () => {
    const cases: { path: string; value: Obj }[] = []
    const seen = new Set<string>()
    for (const base of BASES) boundaryCases(savedRequestSchema as unknown as Schema, base, [], cases, seen)
    const counts = { taken: 0, left: 0 }
    for (const c of cases) counts[expectSame(c.value, c.path)]++
    // Every covered path tried at least at its bounds: a walk that found nothing would prove nothing.
    expect(cases.length).toBeGreaterThan(300)
    expect(counts.taken).toBeGreaterThan(100)
    expect(counts.left).toBeGreaterThan(100)
  })

  it('leaves prototype tricks, odd objects and odd arrays to zod or agrees with it', () => {
    const variants: [string, unknown][] = []
    const containers = (v: unknown, path: (string | number)[], out: (string | number)[][]): void => {
      if (typeof v !== 'object' || v === null) return
      out.push(path)
      for (const [k, x] of Object.entries(v)) containers(x, [...path, Array.isArray(v) ? Number(k) : k], out)
    }
    for (const base of BASES) {
      const paths: (string | number)[][] = []
      containers(base, [], paths)
      for (const path of paths) {
        const at = (): Obj => copy(base)
        const target = (root: Obj): Obj => (path.length === 0 ? root : (getAt(root, path) as Obj))
        const replace = (name: string, make: (old: Obj) => unknown): void => {
          const root = at()
          const made = make(target(root))
          variants.push([`${path.join('.')} ${name}`, path.length === 0 ? made : setAt(root, path, made)])
        }
        const json = JSON.stringify(target(base))
        const inner = json.slice(1, -1)
        const withKey = (key: string, first: boolean): string =>
          inner === '' ? `{${key}}` : first ? `{${key},${inner}}` : `{${inner},${key}}`
        // JSON.parse makes __proto__ an own, enumerable key (an object literal would set the prototype).
        if (!Array.isArray(target(base))) {
          replace('__proto__ own key', () => JSON.parse(withKey('"__proto__":{"x":1}', true)))
          replace('__proto__ own key last', () => JSON.parse(withKey('"__proto__":[]', false)))
          replace('constructor key', () => JSON.parse(withKey('"constructor":{"name":"x"}', false)))
          replace('no prototype', (o) => Object.assign(Object.create(null), o))
          replace('another prototype', (o) => Object.assign(Object.create({ inherited: 1 }), o))
          replace('inherits its keys', (o) => Object.create(o))
          replace('class instance', (o) => Object.assign(new (class Req {})(), o))
          replace('symbol key', (o) => ({ ...o, [Symbol('s')]: 1 }))
          replace('hidden key', (o) =>
            Object.defineProperty({ ...o }, 'zzHidden', { value: 1, enumerable: false }),
          )
          replace('frozen', (o) => Object.freeze({ ...o }))
          replace('keys reversed', (o) => Object.fromEntries(Object.entries(o).reverse()))
          replace('a getter per key', (o) =>
            Object.defineProperties(
              {},
              Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { get: () => v, enumerable: true }])),
            ),
          )
          replace('a proxy', (o) => new Proxy({ ...o }, {}))
          for (const key of Object.keys(target(base))) {
            replace(`${key} undefined`, (o) => ({ ...o, [key]: undefined }))
            replace(`${key} deleted`, (o) => {
              const c = { ...o }
              delete c[key]
              return c
            })
          }
        } else {
          replace('with a hole', (o) => {
            const c = [...(o as unknown as unknown[])]
            c.length += 1
            return c
          })
          replace('hole first', (o) => {
            const c: unknown[] = []
            c.length = 1
            return [...c, ...(o as unknown as unknown[])].slice(0, 1).concat(o as unknown as unknown[])
          })
          replace('extra property', (o) => Object.assign([...(o as unknown as unknown[])], { extra: 1 }))
          replace('array subclass', (o) => Object.assign(new (class L extends Array {})(), o))
          replace('array-like object', (o) => ({ ...o, length: (o as unknown as unknown[]).length }))
        }
      }
    }
    const counts = { taken: 0, left: 0 }
    for (const [where, value] of variants) counts[expectSame(value, where)]++
    expect(variants.length).toBeGreaterThan(500)
    expect(counts.taken).toBeGreaterThan(50)
  })

  it('gives the value zod gives for request files with __proto__, constructor and duplicate keys', () => {
    const files = [
      'name: a\n__proto__:\n  scripts:\n    test: x\nurl: u\n',
      'name: a\nbody:\n  kind: json\n  text: "{}"\n  __proto__:\n    kind: none\n',
      'name: a\nheaders:\n  - name: a\n    value: b\n    enabled: true\n    __proto__: {}\n',
      'name: a\nauth:\n  __proto__: {type: bearer, token: t}\n  type: inherit\n',
      'name: a\nassertions:\n  - kind: status\n    __proto__: {equals: 200}\n',
      'name: a\nconstructor: 1\n',
      'name: a\nname: b\n',
      'name: a\n"__proto__": 1\n',
    ]
    for (const text of files) {
      const read = parseRequestText(text, 'stem')
      if (!read.ok) continue
      // What the reader returned is what zod makes of that value, and carries no key the file smuggled in.
      const again = savedRequestSchema.safeParse(read.value)
      expect(again.success, text).toBe(true)
      expect(sameValue(read.value, again.data, 'request'), text).toBeNull()
      expect(Object.getPrototypeOf(read.value), text).toBe(Object.prototype)
      expect(read.value.scripts, text).toBeUndefined()
    }
  })
})
