import type { Assertion, Extraction } from '../../shared/run-spec'

/**
 * Postman scripts read for what Flightdeck can do declaratively. The lines most real collections carry —
 * `pm.environment.set("x", pm.response.json().y)`, `pm.test(…, () => pm.response.to.have.status(200))`,
 * `pm.expect(json.a).to.eql(1)`, `pm.response.to.have.header("X")` — become extractions and assertions. Nothing
 * is evaluated: each statement is matched against known shapes, and a script with any statement outside them is
 * "not fully translated" (its text is kept in the request file either way).
 */

export interface ScriptTranslation {
  assertions: Assertion[]
  extract: Extraction[]
  /** Statements that matched no known shape, as written (trimmed). */
  untranslated: string[]
}

/** Bounds: a script is walked once, statement by statement, and never past these. */
const MAX_SCRIPT_CHARS = 256 * 1024
const MAX_STATEMENTS = 2000
/** Longer statements are not the one-line checks translated here, and are not matched (their cost stays small). */
const MAX_CHECK_CHARS = 1000

const STR = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|\x60((?:[^\x60\\$]|\\.)*)\x60)`
const SETTER = new RegExp(
  String.raw`^(?:pm\.(?:environment|collectionVariables|globals|variables)\.set|postman\.set(?:Environment|Global)Variable)\(\s*${STR}\s*,\s*([\s\S]+)\)$`,
)
const TEST = new RegExp(
  String.raw`^pm\.test\(\s*${STR}\s*,\s*(?:async\s+)?(?:function\s*\(\s*\)|\(\s*\)\s*=>)\s*(?:\{([\s\S]*)\}|([^{][\s\S]*))\s*\)$`,
)
const ALIAS =
  /^(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(pm\.response\.json\(\)|JSON\.parse\(\s*responseBody\s*\)|pm\.response\.text\(\))$/
const ACCESSOR =
  /^(?:\??\.([A-Za-z_$][\w$]*)|(?:\?\.)?\[\s*(\d+)\s*\]|(?:\?\.)?\[\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*\])/

function unquote(m: RegExpExecArray, at: number): string {
  const double = m[at]
  if (double !== undefined) {
    try {
      // A double-quoted JavaScript string is JSON's string syntax (\n, \", \u00e9).
      return JSON.parse(`"${double}"`) as string
    } catch {
      return double.replace(/\\(.)/g, '$1')
    }
  }
  return (m[at + 1] ?? m[at + 2] ?? '').replace(/\\(.)/g, '$1')
}

/** `//` comments and blank lines out; string contents left alone. */
function stripComments(text: string): string {
  let out = ''
  let quote = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? ''
    if (quote) {
      out += ch
      if (ch === '\\') out += text[++i] ?? ''
      else if (ch === quote) quote = ''
      continue
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch
    if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      out += '\n'
      continue
    }
    if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end === -1 ? text.length : end + 1
      continue
    }
    out += ch
  }
  return out
}

/** Top-level statements: split on `;` and on line ends outside brackets and strings. */
export function statements(text: string): string[] {
  const src = stripComments(text.slice(0, MAX_SCRIPT_CHARS))
  const out: string[] = []
  let depth = 0
  let quote = ''
  let cur = ''
  const flush = (): void => {
    const s = cur.trim()
    if (s !== '' && out.length < MAX_STATEMENTS) out.push(s)
    cur = ''
  }
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] ?? ''
    cur += ch
    if (quote) {
      if (ch === '\\') cur += src[++i] ?? ''
      else if (ch === quote) quote = ''
      continue
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch
    else if (ch === '(' || ch === '{' || ch === '[') depth++
    else if (ch === ')' || ch === '}' || ch === ']') depth = Math.max(0, depth - 1)
    else if (depth === 0 && (ch === ';' || ch === '\n')) {
      cur = cur.slice(0, -1)
      // A line that continues (`.to.eql(1)` on the next line) is not the statement's end.
      if (ch === '\n' && /^\s*\./.test(src.slice(i + 1, i + 200))) continue
      flush()
    }
  }
  flush()
  return out
}

/** `pm.response.json().a.b[0]` (or `alias.a.b[0]`) -> `$.a.b[0]`; null when it is anything else. */
function jsonPathOf(expr: string, aliases: ReadonlySet<string>): string | null {
  let rest = expr.trim()
  const root = /^(?:pm\.response\.json\(\)|JSON\.parse\(\s*responseBody\s*\))/.exec(rest)
  if (root) rest = rest.slice(root[0].length)
  else {
    const name = /^[A-Za-z_$][\w$]*/.exec(rest)?.[0]
    if (name === undefined || !aliases.has(name)) return null
    rest = rest.slice(name.length)
  }
  let path = '$'
  for (let i = 0; i < 64 && rest.length > 0; i++) {
    const m = ACCESSOR.exec(rest)
    if (!m) return null
    if (m[1] !== undefined) path += `.${m[1]}`
    else if (m[2] !== undefined) path += `[${m[2]}]`
    else {
      let key = m[4] ?? ''
      if (m[3] !== undefined) {
        try {
          key = JSON.parse(`"${m[3]}"`) as string
        } catch {
          key = m[3]
        }
      }
      path += `['${key.replace(/'/g, "\\'")}']`
    }
    rest = rest.slice(m[0].length).trimStart()
  }
  return rest === '' ? path : null
}

/** A JSON scalar written in JavaScript: `200`, `"ok"`, `'ok'`, `true`, `null`; undefined otherwise. */
function literal(expr: string): string | number | boolean | null | undefined {
  const t = expr.trim()
  if (/^-?\d+(?:\.\d+)?$/.test(t)) return Number(t)
  if (t === 'true' || t === 'false') return t === 'true'
  if (t === 'null') return null
  const m = new RegExp(`^${STR}$`).exec(t)
  return m ? unquote(m, 1) : undefined
}

function headerName(expr: string): string | null {
  const m = new RegExp(String.raw`^pm\.response\.headers\.get\(\s*${STR}\s*\)$`).exec(expr.trim())
  return m ? unquote(m, 1) : null
}

/** One `pm.expect(subject).to…` / `pm.response.to…` statement as assertions; null when not recognised. */
function check(stmt: string, aliases: ReadonlySet<string>): Assertion[] | null {
  const s = stmt.replace(/\s+/g, ' ').trim()
  const status = /^pm\.response\.to\.(?:have\.status|be\.status)\(\s*(\d{3})\s*\)$/.exec(s)
  if (status) return [{ kind: 'status', equals: Number(status[1]) }]
  if (/^pm\.response\.to\.be\.ok$/.test(s)) return [{ kind: 'status', equals: 200 }]
  if (/^pm\.response\.to\.be\.success$/.test(s)) return [{ kind: 'status', min: 200, max: 299 }]
  const header = new RegExp(
    String.raw`^pm\.response\.to\.(?:have|be)\.header\(\s*${STR}\s*(?:,\s*${STR}\s*)?\)$`,
  ).exec(s)
  if (header) {
    const name = unquote(header, 1)
    const value = header[4] ?? header[5] ?? header[6]
    return [
      value === undefined
        ? { kind: 'header', name, exists: true }
        : { kind: 'header', name, equals: value.replace(/\\(.)/g, '$1') },
    ]
  }
  const absent = new RegExp(String.raw`^pm\.response\.to\.not\.have\.header\(\s*${STR}\s*\)$`).exec(s)
  if (absent) return [{ kind: 'header', name: unquote(absent, 1), exists: false }]
  const legacy = /^tests\[.*\]\s*=\s*responseCode\.code\s*={2,3}\s*(\d{3})$/.exec(s)
  if (legacy) return [{ kind: 'status', equals: Number(legacy[1]) }]
  const body = new RegExp(
    String.raw`^pm\.expect\(\s*pm\.response\.text\(\)\s*\)\.to\.(?:include|contain|have\.string)\(\s*${STR}\s*\)$`,
  ).exec(s)
  if (body) return [{ kind: 'body-contains', text: unquote(body, 1) }]
  const time =
    /^pm\.expect\(\s*pm\.response\.responseTime\s*\)\.to\.be\.(?:below|lessThan)\(\s*(\d+)\s*\)$/.exec(s)
  if (time) return [{ kind: 'duration-under', ms: Number(time[1]) }]
  const expect =
    /^pm\.expect\((.+?)\)\.to\.((?:not\.)?(?:be\.|have\.|deep\.)*)([A-Za-z]+)(?:\((.*)\))?$/.exec(s)
  if (!expect) return null
  const [, subject = '', chain = '', verb = '', arg] = expect
  const negated = chain.startsWith('not.')
  const headerOf = headerName(subject)
  if (headerOf !== null && !negated && (verb === 'include' || verb === 'contain')) {
    const m = new RegExp(`^${STR}$`).exec((arg ?? '').trim())
    return m ? [{ kind: 'header', name: headerOf, contains: unquote(m, 1) }] : null
  }
  if (/^pm\.response\.(?:code|status)$/.test(subject.trim()) && !negated && arg !== undefined) {
    const codes = arg.split(',').map((c) =>
      c
        .trim()
        .replace(/^\[|\]$/g, '')
        .trim(),
    )
    const nums = codes.every((c) => /^\d{3}$/.test(c)) ? codes.map(Number) : []
    if (verb === 'oneOf' && /^\s*\[.*\]\s*$/.test(arg) && nums.length > 0)
      return [{ kind: 'status', oneOf: nums }]
    if (verb === 'within' && nums.length === 2)
      return [{ kind: 'status', min: nums[0] ?? 100, max: nums[1] ?? 999 }]
  }
  if (
    /^pm\.response\.(?:code|status)$/.test(subject.trim()) &&
    !negated &&
    (verb === 'eql' || verb === 'equal')
  ) {
    const v = literal(arg ?? '')
    return typeof v === 'number' ? [{ kind: 'status', equals: v }] : null
  }
  if (verb === 'property' && !negated && arg !== undefined) {
    const base = jsonPathOf(subject, aliases)
    const m = new RegExp(`^${STR}$`).exec(arg.trim())
    if (base === null || !m) return null
    const key = unquote(m, 1)
    const path = /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}['${key}']`
    return [{ kind: 'json', path, exists: true }]
  }
  const path = jsonPathOf(subject, aliases)
  if (path === null) return null
  if ((verb === 'eql' || verb === 'equal' || verb === 'equals') && !negated) {
    const v = literal(arg ?? '')
    return v === undefined ? null : [{ kind: 'json', path, equals: v }]
  }
  // `to.exist` and `to.not.be.undefined` say it is there. Their negations are left alone: Postman passes
  // `to.not.exist` on a null, which a JSON path that finds null does not.
  if (arg === undefined && !chain.startsWith('not.') && verb === 'exist')
    return [{ kind: 'json', path, exists: true }]
  // `to.be.undefined` and its negation say exactly what `exists` does (null is there).
  if (arg === undefined && verb === 'undefined') return [{ kind: 'json', path, exists: negated }]
  return null
}

/** `pm.environment.set("x", …)` as an extraction; null when the value is not one Flightdeck can take. */
function setter(stmt: string, aliases: ReadonlySet<string>): Extraction | null {
  const m = SETTER.exec(stmt.trim())
  if (!m) return null
  const name = unquote(m, 1)
  if (!/^[A-Za-z_][\w.-]*$/.test(name) || name.length > 256) return null
  const value = (m[4] ?? '').trim()
  const path = jsonPathOf(value, aliases)
  if (path !== null && path !== '$') return { name, from: 'json', path }
  const header = headerName(value)
  if (header !== null) return { name, from: 'header', header }
  const regex = new RegExp(
    String.raw`^pm\.response\.text\(\)\.match\(\s*new RegExp\(\s*${STR}\s*\)\s*\)\?\.\[(\d{1,2})\]$`,
  ).exec(value)
  if (regex) {
    const pattern = unquote(regex, 1)
    try {
      new RegExp(pattern)
    } catch {
      return null
    }
    return { name, from: 'regex', pattern, group: Number(regex[4]) }
  }
  return null
}

/** Translate one test script. Each recognised statement adds its checks; the rest are listed as untranslated. */
export function translateTestScript(text: string): ScriptTranslation {
  const out: ScriptTranslation = { assertions: [], extract: [], untranslated: [] }
  const aliases = new Set<string>()
  const walk = (list: readonly string[], depth: number): void => {
    for (const stmt of list) {
      const one = stmt.replace(/;$/, '').trim()
      const alias = ALIAS.exec(one.replace(/\s+/g, ' '))
      if (alias && alias[2] !== 'pm.response.text()') {
        aliases.add(alias[1] ?? '')
        continue
      }
      const test = TEST.exec(one)
      if (test && depth < 4) {
        walk(test[4] !== undefined ? statements(test[4]) : [test[5] ?? ''], depth + 1)
        continue
      }
      if (one.length > MAX_CHECK_CHARS) {
        out.untranslated.push(`${one.slice(0, 200)}…`)
        continue
      }
      const x = setter(one, aliases)
      if (x) {
        out.extract.push(x)
        continue
      }
      const checks = check(one, aliases)
      if (checks) {
        out.assertions.push(...checks)
        continue
      }
      out.untranslated.push(one.length > 200 ? `${one.slice(0, 200)}…` : one)
    }
  }
  walk(statements(text), 0)
  return out
}
