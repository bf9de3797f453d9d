import type { Assertion } from '../../shared/run-spec'
import type { BruPair } from './bru-lang'
import { responsePath } from './bruno-runtime'

/**
 * Bruno's `assert` rows (`res.status: eq 200`, `res.body.items: isArray`), the same in .bru files and
 * OpenCollection YAML. The ones Flightdeck's own assertions say (status, JSON and header equality and
 * presence) become assertions; every other operator Bruno has becomes a test in the request's test script,
 * named as Bruno names it (`res.body.items: isArray`) and checked with chai as Bruno checks it, so a run fails
 * where Bruno's would. A row whose left side is not `res.status`, `res.body…`, `res.headers…` or
 * `res.responseTime` (Bruno's `res('path')` shorthand, any other expression) is left out and named.
 */

export interface BrunoChecks {
  assertions: Assertion[]
  /** Test script code for the rest ('' when there is none). */
  script: string
}

/** Bruno's operators, as chai says them (`L` the response value, `R` the row's value). */
const OPERATORS: Record<string, (l: string, r: string) => string> = {
  eq: (l, r) => `expect(${l}).to.equal(${r})`,
  neq: (l, r) => `expect(${l}).to.not.equal(${r})`,
  gt: (l, r) => `expect(${l}).to.be.above(${r})`,
  gte: (l, r) => `expect(${l}).to.be.at.least(${r})`,
  lt: (l, r) => `expect(${l}).to.be.below(${r})`,
  lte: (l, r) => `expect(${l}).to.be.at.most(${r})`,
  in: (l, r) => `expect(${l}).to.be.oneOf(${r})`,
  notIn: (l, r) => `expect(${l}).to.not.be.oneOf(${r})`,
  contains: (l, r) => `expect(${l}).to.include(${r})`,
  notContains: (l, r) => `expect(${l}).to.not.include(${r})`,
  length: (l, r) => `expect(${l}).to.have.lengthOf(${r})`,
  matches: (l, r) => `expect(${l}).to.match(new RegExp(${r}))`,
  notMatches: (l, r) => `expect(${l}).to.not.match(new RegExp(${r}))`,
  startsWith: (l, r) =>
    `expect(String(${l}).startsWith(${r}), 'expected ' + ${l} + ' to start with ' + ${r}).to.equal(true)`,
  endsWith: (l, r) =>
    `expect(String(${l}).endsWith(${r}), 'expected ' + ${l} + ' to end with ' + ${r}).to.equal(true)`,
  between: (l, r) => `expect(${l}).to.be.within(${r}[0], ${r}[1])`,
  isEmpty: (l) => `expect(${l}).to.be.empty`,
  isNotEmpty: (l) => `expect(${l}).to.not.be.empty`,
  isNull: (l) => `expect(${l}).to.be.null`,
  isUndefined: (l) => `expect(${l}).to.be.undefined`,
  isDefined: (l) => `expect(${l}).to.not.be.undefined`,
  isTruthy: (l) => `expect(${l}).to.be.ok`,
  isFalsy: (l) => `expect(${l}).to.not.be.ok`,
  isJson: (l) => `expect(${l}).to.be.an('object')`,
  isNumber: (l) => `expect(${l}).to.be.a('number')`,
  isString: (l) => `expect(${l}).to.be.a('string')`,
  isBoolean: (l) => `expect(${l}).to.be.a('boolean')`,
  isArray: (l) => `expect(${l}).to.be.an('array')`,
}

/** Operators whose value is a list (`in 200, 201`, `between 1, 5`). */
const LISTED = new Set(['in', 'notIn', 'between'])

/** `res.body` and what follows it: `.name`, `[0]` and quoted keys with no backslash (so the code is exact). */
const BODY = /^res\.body((?:\.[A-Za-z_$][\w$]*|\[\d+\]|\[(['"])[^'"\\\n]*\2\])*)$/

/** Bruno's left side as sandbox code reading the response; null for one it cannot read. */
function responseCode(expr: string): string | null {
  const e = expr.trim()
  if (e === 'res.status') return 'res.getStatus()'
  if (e === 'res.responseTime') return 'res.getResponseTime()'
  const body = BODY.exec(e)
  if (body)
    return `res.getBody()${(body[1] ?? '').replace(/\[(['"])([^'"\\\n]*)\1\]/g, (_m, _q, key: string) => `[${JSON.stringify(key)}]`)}`
  const path = responsePath(e)
  return path && 'header' in path ? `res.getHeader(${JSON.stringify(path.header)})` : null
}

const TYPED =
  "(function (v) { return /^-?\\d+(\\.\\d+)?$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v === 'null' ? null : v })"

/** One value of a row as a JavaScript literal: a number, true/false/null, or a string (`{{var}}` put in). */
function literal(raw: string): string {
  const t = raw.trim()
  if (t === 'true' || t === 'false' || t === 'null' || t === 'undefined') return t
  if (/^-?\d+(\.\d+)?$/.test(t)) return t
  const quoted = /^(['"])(.*)\1$/s.exec(t)
  const s = quoted ? (quoted[2] ?? '') : t
  // Bruno puts the variables in, then reads the result as it reads a written value (`7` a number).
  return s.includes('{{') ? `${TYPED}(bru.interpolate(${JSON.stringify(s)}))` : JSON.stringify(s)
}

/** `200, 201` or `[200, 201]` as a list literal. */
function listLiteral(raw: string): string {
  const inner = raw.trim().replace(/^\[(.*)\]$/s, '$1')
  return `[${inner
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map(literal)
    .join(', ')}]`
}

/** The one Flightdeck assertion a row says, or null. */
function native(p: BruPair, op: string, arg: string): Assertion | null {
  // A value with variables is typed once they are put in (below, in the test script).
  if (arg.includes('{{')) return null
  if (p.name === 'res.status' && op === 'eq' && /^\d{3}$/.test(arg))
    return { kind: 'status', equals: Number(arg) }
  const path = responsePath(p.name)
  if (!path || (op !== 'eq' && op !== 'isDefined')) return null
  if ('json' in path)
    return op === 'eq'
      ? { kind: 'json', path: path.json, equals: scalar(arg) }
      : { kind: 'json', path: path.json, exists: true }
  return op === 'eq'
    ? { kind: 'header', name: path.header, equals: arg }
    : { kind: 'header', name: path.header, exists: true }
}

function scalar(v: string): string | number | boolean | null {
  const t = v.trim()
  if (t === 'true' || t === 'false') return t === 'true'
  if (t === 'null') return null
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t)
  return t.replace(/^(['"])(.*)\1$/, '$2')
}

export function brunoChecks(list: readonly BruPair[], u: string[], where: string): BrunoChecks {
  const assertions: Assertion[] = []
  const tests: string[] = []
  for (const p of list) {
    if (!p.enabled) continue
    const value = p.value.trim()
    const op = value.split(/\s+/)[0] ?? ''
    const arg = value.slice(op.length).trim()
    const own = native(p, op, arg)
    if (own) {
      assertions.push(own)
      continue
    }
    const check = OPERATORS[op]
    const left = responseCode(p.name)
    if (!check || !left) {
      u.push(
        `${where}: assertion "${p.name}: ${value.slice(0, 60)}" left out (${check ? 'Flightdeck reads res.status, res.body…, res.headers… and res.responseTime' : `no operator "${op.slice(0, 20)}" in Bruno`})`,
      )
      continue
    }
    const right = LISTED.has(op) ? listLiteral(arg) : literal(arg)
    const name = JSON.stringify(`${p.name.trim()}: ${value}`)
    tests.push(`test(${name}, function () {\n  ${check(left, right)}\n})`)
  }
  if (tests.length > 0)
    u.push(
      `${where}: ${tests.length} assertion${tests.length > 1 ? 's' : ''} written as test${tests.length > 1 ? 's' : ''} in the request's test script, checked as Bruno checks ${tests.length > 1 ? 'them' : 'it'}`,
    )
  return { assertions, script: tests.join('\n') }
}
