import type { AuthSpec } from './collection'
import type { KeyValue, RequestBody, RequestSpec } from './request'
import { mapTemplate, scanTemplate, tokenBackslashes } from './template-scan'
import { groupDigits } from './group-digits'

/**
 * `{{name}}` substitution, and nothing more: a name is looked up in a Map (own entries only, so
 * `{{constructor}}` or `{{__proto__}}` are just unknown names), values are plain strings, and nothing is ever
 * evaluated. `${process}` and friends are not template syntax at all and stay as they are.
 */

/** Any `{{ name }}` at all, escaped or not: when there is none, a text's escapes are all it holds. */
const ANY_REF = /\{\{\s*[A-Za-z_$][\w.$-]*\s*\}\}/
/** Variables referring to variables resolve this deep, then stop (a cycle stays visible as text). */
const MAX_DEPTH = 8
/** Substituted text allowed in one resolution (one request): variables that repeat each other stop here. */
export const MAX_EXPANSION = 32 * 1024 * 1024

/** A resolution that would blow up; its message is for the user. */
export class TemplateTooLarge extends Error {
  /**
   * `variable`: the name the person used. `repeated`: set when the cut came from using variables many times
   * over (not from one variable nesting others): the name that gave the most text, its uses and its size.
   */
  constructor(
    readonly variable: string,
    repeated?: Usage & { name: string },
  ) {
    super(
      !repeated
        ? `Variables expand to more than 32 MiB (starting from {{${variable}}}); check for variables that repeat each other`
        : repeated.count === 1
          ? `Variables expand to more than 32 MiB: {{${repeated.name}}} gives ${sizeText(repeated.chars)}`
          : `Variables expand to more than 32 MiB: {{${repeated.name}}} is used ${groupDigits(repeated.count)} times in this request, ${sizeText(repeated.chars)} in all (${sizeText(repeated.chars / repeated.count)} a use); use it fewer times`,
    )
    this.name = 'TemplateTooLarge'
  }
}

function sizeText(chars: number): string {
  if (chars >= 1024 * 1024) return `${(chars / 1024 / 1024).toFixed(1)} MiB`
  if (chars >= 1024) return `${(chars / 1024).toFixed(1)} KiB`
  return `${Math.round(chars)} characters`
}

/** How often a name was substituted into the person's text, and how much text it gave. */
interface Usage {
  count: number
  chars: number
}

interface Budget {
  left: number
  /** Per name used in the person's text (depth 0), made at the first substitution: the cut names the biggest. */
  uses?: Map<string, Usage>
  /** Random values given so far: a value that took one is expanded afresh at each use, as Postman does. */
  randoms?: number
  /**
   * A variable's expansion at a depth, with the budget it took, so each is built once: without it variables that
   * repeat each other are re-expanded at every use, and ten of them nesting an empty value ten times each held
   * the thread for minutes while producing no text at all.
   */
  built?: Map<string, { text: string; cost: number }>
  /** The unknown names listed so far: a text naming tens of thousands was quadratic to check against the list. */
  unknownSeen?: Set<string>
}

/**
 * The name that gave the most text so far. `repeated`: only when used more than once and giving a quarter of the
 * limit or more (a cut from nesting blames the nesting unless a name repeated that much).
 */
function mostUsed(budget: Budget, repeated = false): (Usage & { name: string }) | undefined {
  let top: (Usage & { name: string }) | undefined
  for (const [name, use] of budget.uses ?? []) if (!top || use.chars > top.chars) top = { name, ...use }
  if (repeated && top && (top.count < 2 || top.chars < MAX_EXPANSION / 4)) return undefined
  return top
}

export interface TemplateRef {
  name: string
  start: number
  end: number
}

/** Every `{{name}}` in `text`, in order (start and end are its braces'); an escaped one (`\{{name}}`) is text. */
export function templateRefs(text: string): TemplateRef[] {
  const out: TemplateRef[] = []
  if (!text.includes('{{')) return out
  for (const t of scanTemplate(text))
    if (t.kind === 'ref') out.push({ name: t.name as string, start: t.braces, end: t.end })
  return out
}

export function hasTemplate(text: string): boolean {
  if (!text.includes('{{')) return false
  for (const t of scanTemplate(text)) if (t.kind === 'ref') return true
  return false
}

/**
 * `text` as a template that resolves to exactly `text`: every `{{` escaped, the backslashes typed right before it
 * doubled (`{{` becomes `\{{`, `\{{` becomes `\\\{{`: one backslash, then the literal braces). One linear pass.
 */
export function escapeTemplate(text: string): string {
  if (!text.includes('{{')) return text
  // split and join: replaceAll with a string took 0.5 s for a million `{{`, this a sixth of it.
  if (!text.includes('\\')) return text.split('{{').join('\\{{')
  let out = ''
  let last = 0
  for (let at = text.indexOf('{{'); at !== -1; at = text.indexOf('{{', at + 2)) {
    let start = at
    while (start > last && text.charCodeAt(start - 1) === 92) start--
    out += text.slice(last, at) + text.slice(start, at) + '\\{{'
    last = at + 2
  }
  return out + text.slice(last)
}

/** Whether `text` has an escaped `{{`, which tools without the escape would read as a variable. */
export function hasEscapedBraces(text: string): boolean {
  if (!text.includes('\\{{')) return false
  for (const t of scanTemplate(text)) if (t.kind === 'literal') return true
  return false
}

/**
 * `text` with its escapes undone (`\{{` as `{{`, `\\{{x}}` as `\{{x}}`) and its `{{refs}}` left as they are:
 * what a copy for another tool writes when it keeps variables as variables.
 */
export function unescapeTemplate(text: string): string {
  if (!text.includes('\\{{')) return text
  return mapTemplate(text, () => undefined)
}

export type DynamicName =
  | '$uuid'
  | '$guid'
  | '$randomUUID'
  | '$timestamp'
  | '$timestampMs'
  | '$isoTimestamp'
  | '$randomInt'
  | '$webhook'
/** Every name dynamicValue() below answers without the random-data table; the editor marks these as dynamic. */
export const DYNAMIC_NAMES: readonly DynamicName[] = [
  '$uuid',
  '$guid',
  '$randomUUID',
  '$timestamp',
  '$timestampMs',
  '$isoTimestamp',
  '$randomInt',
  '$webhook',
]

export interface DynamicValues {
  uuid(): string
  /** Wall-clock ms since the epoch. */
  now(): number
  /** A float in [0, 1). */
  random(): number
  /**
   * `{{$webhook}}`: the webhook inbox's URL with a correlation token, the same one for every use within one
   * resolution (one send). Undefined when no inbox is running, so the name is reported unknown.
   */
  webhook?: () => string | undefined
  /**
   * Postman's random-data variables (`{{$randomEmail}}`, src/shared/fake-variables.ts): a fresh value for the
   * name, or undefined when the name is not one or their values are not loaded (the engine loads them on demand).
   */
  fake?: (name: string) => string | undefined
}

/** Where the random-data values come from once the engine has loaded them (none in the renderer). */
let fakeSource: ((name: string) => string | undefined) | undefined

/** The engine's fake-data values, installed once loaded (src/engine/variables/fake-loader.ts). */
export function useFakeValues(source: (name: string) => string | undefined): void {
  fakeSource = source
}

export const defaultDynamicValues: DynamicValues = {
  uuid: () => globalThis.crypto.randomUUID(),
  now: () => Date.now(),
  random: () => Math.random(),
  fake: (name) => fakeSource?.(name),
}

/** Postman's meanings: `$timestamp` is Unix seconds, `$randomInt` is 0..1000, `$randomEmail` an email, … */
export function dynamicValue(name: string, dyn: DynamicValues): string | undefined {
  switch (name) {
    // `$guid` and `$randomUUID`: Postman's names for the same, as a request pasted from Postman has them.
    case '$uuid':
    case '$guid':
    case '$randomUUID':
      return dyn.uuid()
    case '$timestamp':
      return String(Math.floor(dyn.now() / 1000))
    // Milliseconds since the epoch (13 digits), as Insomnia's `{% now 'millis' %}` gives it.
    case '$timestampMs':
      return String(Math.floor(dyn.now()))
    case '$isoTimestamp':
      return new Date(dyn.now()).toISOString()
    case '$randomInt':
      return String(Math.floor(dyn.random() * 1001))
    case '$webhook':
      return dyn.webhook?.()
    default:
      return dyn.fake?.(name)
  }
}

export function isDynamicName(name: string): name is DynamicName {
  return (DYNAMIC_NAMES as readonly string[]).includes(name)
}

export interface Resolved {
  text: string
  /** Names that have no value in any scope (each once, in order of appearance). */
  unknown: string[]
}

export function resolveTemplate(
  text: string,
  vars: ReadonlyMap<string, string>,
  dyn: DynamicValues = defaultDynamicValues,
): Resolved {
  const unknown: string[] = []
  const out = expand(text, vars, dyn, unknown, 0, { left: MAX_EXPANSION })
  return { text: out, unknown }
}

function expand(
  text: string,
  vars: ReadonlyMap<string, string>,
  dyn: DynamicValues,
  unknown: string[],
  depth: number,
  budget: Budget,
  fit?: (piece: string) => string,
): string {
  if (!text.includes('{{')) return text
  if (!ANY_REF.test(text)) {
    if (!text.includes('\\')) return text
    // Braces kept as text and no variable (a recorded body full of `\{{`) and no backslash doubled before them: one
    // pass, no token objects (split and join: replaceAll with a string took 0.5 s for a million).
    if (!text.includes('\\\\{{')) return text.split('\\{{').join('{{')
  }
  let out = ''
  let last = 0
  for (const t of scanTemplate(text)) {
    out += text.slice(last, t.start) + tokenBackslashes(t)
    last = t.end
    if (t.kind !== 'ref') {
      out += text.slice(t.braces, t.end)
      continue
    }
    const name = t.name as string
    let value: string | undefined
    const random = name.startsWith('$')
    if (random) value = dynamicValue(name, dyn)
    else value = vars.get(name)
    if (value === undefined) {
      // In what the person typed, an unknown name refuses the send. Inside a variable's value it is data:
      // a value that merely looks like a template (`{{constructor}}`) goes out as the text it is.
      if (depth === 0) {
        budget.unknownSeen ??= new Set(unknown)
        if (!budget.unknownSeen.has(name)) {
          budget.unknownSeen.add(name)
          unknown.push(name)
        }
      }
      out += text.slice(t.braces, t.end)
      continue
    }
    if (random) budget.randoms = (budget.randoms ?? 0) + 1
    let piece = value
    if (depth < MAX_DEPTH && value.includes('{{')) {
      try {
        piece = expandValue(name, value, vars, dyn, unknown, depth + 1, budget)
      } catch (e) {
        // Name the variable the person used, not the one deep inside that tipped it over.
        throw e instanceof TemplateTooLarge && depth === 0
          ? new TemplateTooLarge(name, mostUsed(budget, true))
          : e
      }
    }
    budget.left -= piece.length
    if (depth === 0) {
      budget.uses ??= new Map()
      const use = budget.uses.get(name)
      if (use) {
        use.count++
        use.chars += piece.length
      } else budget.uses.set(name, { count: 1, chars: piece.length })
    }
    if (budget.left < 0) throw new TemplateTooLarge(name, depth === 0 ? mostUsed(budget) : undefined)
    out += fit ? fit(piece) : piece
  }
  return out + text.slice(last)
}

/**
 * A variable's value expanded at `depth`, built once a resolution unless it took a random value: a later use
 * takes the same text and is charged the same budget, so the cut falls where it would have.
 */
function expandValue(
  name: string,
  value: string,
  vars: ReadonlyMap<string, string>,
  dyn: DynamicValues,
  unknown: string[],
  depth: number,
  budget: Budget,
): string {
  const key = `${depth}:${name}`
  const built = budget.built?.get(key)
  if (built) {
    budget.left -= built.cost
    if (budget.left < 0) throw new TemplateTooLarge(name)
    return built.text
  }
  const left = budget.left
  const randoms = budget.randoms ?? 0
  const text = expand(value, vars, dyn, unknown, depth, budget)
  if ((budget.randoms ?? 0) === randoms) {
    budget.built ??= new Map()
    budget.built.set(key, { text, cost: left - budget.left })
  }
  return text
}

/** Resolve every field a person can put a variable in: URL, headers, body, auth. */
export function resolveRequest(
  spec: RequestSpec,
  auth: AuthSpec,
  vars: ReadonlyMap<string, string>,
  dyn: DynamicValues = defaultDynamicValues,
): { spec: RequestSpec; auth: AuthSpec; unknown: string[] } {
  const unknown: string[] = []
  const budget = { left: MAX_EXPANSION }
  const r = (t: string): string => expand(t, vars, dyn, unknown, 0, budget)
  // A value's tabs and line breaks go encoded, as Postman sends them: a URL parser would drop them.
  const url = expand(spec.url, vars, dyn, unknown, 0, budget, encodeUrlBreaks)
  const kv = (list: KeyValue[]): KeyValue[] =>
    list.map((h) => (h.enabled ? { ...h, name: r(h.name), value: r(h.value) } : h))
  const out: RequestSpec = {
    ...spec,
    url,
    headers: kv(spec.headers),
    body: resolveBody(spec.body, r, kv),
  }
  return { spec: out, auth: resolveAuth(auth, r), unknown }
}

const URL_BREAKS = /[\t\n\r]/g
const URL_BREAK_CODES: Readonly<Record<string, string>> = { '\t': '%09', '\n': '%0A', '\r': '%0D' }

/**
 * A variable's tabs and line breaks as %09, %0A, %0D: WHATWG URL parsing removes them without a word, so
 * `?note={{$randomLoremParagraphs}}` went out with its paragraphs run together. In a path or query the server
 * decodes them back; in a host or port the URL is refused, showing the %0A.
 */
function encodeUrlBreaks(piece: string): string {
  return piece.replace(URL_BREAKS, (c) => URL_BREAK_CODES[c] ?? c)
}

function resolveBody(
  body: RequestBody,
  r: (t: string) => string,
  kv: (l: KeyValue[]) => KeyValue[],
): RequestBody {
  switch (body.kind) {
    case 'none':
      return body
    case 'text':
      return { ...body, text: r(body.text) }
    case 'json':
      return { ...body, text: r(body.text) }
    case 'form':
      return { ...body, fields: kv(body.fields) }
    case 'multipart':
      return {
        ...body,
        parts: body.parts.map((p) =>
          !p.enabled
            ? p
            : p.kind === 'text'
              ? { ...p, name: r(p.name), value: r(p.value) }
              : { ...p, name: r(p.name), path: r(p.path) },
        ),
      }
    case 'file':
      return { ...body, path: r(body.path) }
  }
}

export function resolveAuth(auth: AuthSpec, r: (t: string) => string): AuthSpec {
  switch (auth.type) {
    case 'inherit':
    case 'none':
      return auth
    case 'basic':
    case 'digest':
      return { ...auth, username: r(auth.username), password: r(auth.password) }
    case 'bearer':
      return {
        ...auth,
        token: r(auth.token),
        ...(auth.prefix !== undefined ? { prefix: r(auth.prefix) } : {}),
      }
    case 'apikey':
      return { ...auth, key: r(auth.key), value: r(auth.value) }
    case 'oauth2':
      return {
        ...auth,
        tokenUrl: r(auth.tokenUrl),
        clientId: r(auth.clientId),
        clientSecret: r(auth.clientSecret),
        scope: r(auth.scope),
        ...(auth.authUrl !== undefined ? { authUrl: r(auth.authUrl) } : {}),
        ...(auth.redirectUri !== undefined ? { redirectUri: r(auth.redirectUri) } : {}),
        ...(auth.username !== undefined ? { username: r(auth.username) } : {}),
        ...(auth.password !== undefined ? { password: r(auth.password) } : {}),
      }
  }
}
