import type { Extraction } from '../../shared/run-spec'
import { isFakeVariable } from '../../shared/fake-variables'
import { varName } from './plan'

/**
 * Insomnia's template tags (`{% name 'arg', ... %}`). Response chaining (`{% response 'body', 'req_1',
 * 'b64::JC50b2tlbg==::46b' %}`) becomes an extraction on the referenced request plus a dependency of the
 * request that uses it: the runner then sends them in order and the value flows through a variable. `uuid`,
 * `now` (nowDynamic) and `faker` (`{% faker 'randomEmail' %}`, Postman's random-data names) map to dynamic variables; `base64`
 * encoding a value written out is put in encoded. Anything else stays as text, is reported, and the send refuses it by name
 * (see send-rules/template-tags.ts), so it never goes out literally.
 */

/** Insomnia faker names whose Flightdeck dynamic variable is named otherwise, or is not a random-data one. */
const FAKER_TWINS: Readonly<Record<string, string>> = {
  $guid: '$uuid',
  $randomUUID: '$uuid',
  $timestamp: '$timestamp',
  $isoTimestamp: '$isoTimestamp',
  $randomInt: '$randomInt',
}

// Arguments hold no `%` and are bounded: a try stops at the next `%`, and every try starts at one, so text
// full of `{%` with no `%}` costs linear time, not quadratic. They are trimmed after the match: spaces matched
// before, inside and after them backtracked cubically ('{% a' and 400 spaces took 85 ms, 4,000 minutes).
const TAG = /\{%\s*([A-Za-z][\w.]{0,64})([^%]{0,4096})%\}/g
const MAX_ARGS_TEXT = 4096

/** `'body', "req_1", 60, true` -> ['body', 'req_1', '60', 'true']; null when the list does not parse. */
export function tagArgs(text: string): string[] | null {
  if (text.length > MAX_ARGS_TEXT) return null
  const out: string[] = []
  let i = 0
  while (i < text.length && out.length < 16) {
    while (text[i] === ' ' || text[i] === ',') i++
    if (i >= text.length) break
    const q = text[i]
    if (q === "'" || q === '"') {
      const end = text.indexOf(q, i + 1)
      if (end < 0) return null
      out.push(text.slice(i + 1, end))
      i = end + 1
    } else {
      const m = /^[^,\s]+/.exec(text.slice(i))
      if (!m) return null
      out.push(m[0])
      i += m[0].length
    }
  }
  return out
}

/**
 * Insomnia's base64 tag encoding a value written out (`{% base64 'encode', 'normal', 'ann:pw' %}`, `'url'` for
 * the URL-safe form without padding), as Insomnia renders it: the same text on every send, so it is put in now.
 * Undefined for one that reads a variable (`_.user`), holds a quote, brace or escape, or decodes.
 */
function base64Literal(rawArgs: string): string | undefined {
  const m = /^\s*(['"])encode\1\s*,\s*(['"])(normal|url)\2\s*,\s*(['"])([^'"\\{}%]*)\4\s*$/.exec(rawArgs)
  if (!m) return undefined
  const b64 = Buffer.from(m[5] ?? '', 'utf8').toString('base64')
  return m[3] === 'url' ? b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : b64
}

/**
 * The dynamic variable Insomnia's `now` tag stands for, by its format as Insomnia reads it (case-insensitive,
 * with its short names): `millis`/`ms` -> `$timestampMs`, `unix`/`seconds`/`s` -> `$timestamp`, `iso-8601` (the
 * default) -> `$isoTimestamp`; a `custom` moment.js format only when it is one of those (`x` ms, `X` seconds).
 * Otherwise why it cannot be said (not starting with `$`).
 */
export function nowDynamic(args: readonly string[]): string {
  const kind = (args[0] ?? 'iso-8601').toLowerCase()
  if (kind === 'millis' || kind === 'ms') return '$timestampMs'
  if (kind === 'unix' || kind === 'seconds' || kind === 's') return '$timestamp'
  if (kind === 'iso-8601') return '$isoTimestamp'
  if (kind !== 'custom') return `Insomnia has no "${kind.slice(0, 40)}" format for it either`
  const format = (args[1] ?? '').trim()
  if (format === 'x') return '$timestampMs'
  if (format === 'X') return '$timestamp'
  return `its custom format "${format.slice(0, 40)}" has no dynamic variable in Flightdeck ({{$timestamp}} seconds, {{$timestampMs}} milliseconds, {{$isoTimestamp}} ISO 8601 UTC)`
}

/** `b64::JC5pZA==::46b` -> `$.id`; a plain filter is itself. */
export function decodeFilter(f: string): string {
  const m = /^b64::(.*)::46b$/.exec(f)
  if (!m) return f
  return Buffer.from(m[1] ?? '', 'base64').toString('utf8')
}

/** What one response tag asks for, once understood. */
interface Chain {
  refId: string
  extraction: Extraction
}

/** The referenced requests, by id: their names (for the variable's name). */
export type RequestNames = ReadonlyMap<string, string>

/**
 * Collects the chains found while an Insomnia export is mapped: which request extracts what, and which
 * request depends on which. One instance per import.
 */
export class TagMapper {
  /** Extractions to add, by the referenced request's id. */
  readonly extracts = new Map<string, Extraction[]>()
  /** The ids each request depends on, by the referencing request's id. */
  readonly depends = new Map<string, Set<string>>()
  private readonly byKey = new Map<string, string>()

  constructor(
    private readonly names: RequestNames,
    private readonly unmapped: string[],
  ) {}

  /** Replace the tags in `s` (owned by request `ownerId`, '' for folders and environments). */
  replace(s: string, where: string, ownerId: string): string {
    if (!s.includes('{%')) return s
    return s.replace(TAG, (whole, name: string, rawArgs: string) => {
      const args = tagArgs(rawArgs.trim())
      if (name === 'uuid') return '{{$uuid}}'
      // Insomnia's faker tag takes Postman's dynamic-variable names without the `$`.
      if (name === 'faker' && args?.length === 1) {
        const dynamic = `$${args[0] ?? ''}`
        const twin = FAKER_TWINS[dynamic] ?? (isFakeVariable(dynamic) ? dynamic : undefined)
        if (twin !== undefined) return `{{${twin}}}`
      }
      if (name === 'now' && args !== null) {
        const now = nowDynamic(args)
        if (now.startsWith('$')) return `{{${now}}}`
        this.report(where, whole, now)
        return whole
      }
      const encoded = name === 'base64' ? base64Literal(rawArgs) : undefined
      if (encoded !== undefined) return encoded
      if (name === 'response' && args !== null && ownerId !== '') {
        const chain = this.chain(args)
        if (typeof chain === 'string') {
          this.report(where, whole, chain)
          return whole
        }
        const v = this.variableFor(chain)
        const deps = this.depends.get(ownerId) ?? new Set<string>()
        if (chain.refId !== ownerId) deps.add(chain.refId)
        this.depends.set(ownerId, deps)
        return `{{${v}}}`
      }
      this.report(where, whole, 'Flightdeck has no such tag')
      return whole
    })
  }

  private report(where: string, tag: string, why: string): void {
    const line = `${where}: Insomnia template tag kept as text (${tag.slice(0, 80)}): ${why}; the request refuses to send until it is replaced`
    if (!this.unmapped.includes(line)) this.unmapped.push(line)
  }

  /** Understand `response 'field', 'req_id', 'filter'`, or say why not. */
  private chain(args: readonly string[]): Chain | string {
    const [field, refId, rawFilter] = args
    if (refId === undefined || !this.names.has(refId))
      return `the request it reads (${refId ?? 'none'}) is not in this export`
    const filter = decodeFilter(rawFilter ?? '').trim()
    const base = varName(
      `${this.names.get(refId) ?? 'response'}`
        .toLowerCase()
        .replace(/[^\w.-]+/g, '_')
        .replace(/^[^A-Za-z_]+/, ''),
    )
    const prefix = base ?? 'response'
    if (field === 'body') {
      if (!filter.startsWith('$'))
        return `its filter "${filter.slice(0, 60)}" is not a JSONPath (XPath is not supported)`
      const last = /[A-Za-z_][\w-]*(?=[^A-Za-z_]*$)/.exec(filter)?.[0] ?? 'value'
      return { refId, extraction: { name: `${prefix}_${last}`, from: 'json', path: filter } }
    }
    if (field === 'header') {
      if (filter === '') return 'it names no header'
      return {
        refId,
        extraction: { name: `${prefix}_${filter.replace(/[^\w-]+/g, '_')}`, from: 'header', header: filter },
      }
    }
    return `the "${field ?? ''}" attribute of a response is not supported (only body with a JSONPath, or a header)`
  }

  /** The variable a chain's value lands in: one per (request, extraction), reused by every tag that asks. */
  private variableFor(chain: Chain): string {
    const x = chain.extraction
    const key = `${chain.refId}\u0000${x.from}\u0000${x.from === 'json' ? x.path : x.from === 'header' ? x.header : ''}`
    const known = this.byKey.get(key)
    if (known !== undefined) return known
    const taken = new Set(this.byKey.values())
    let name = x.name
    for (let i = 2; taken.has(name) && i < 1000; i++) name = `${x.name}_${i}`
    this.byKey.set(key, name)
    const list = this.extracts.get(chain.refId) ?? []
    list.push({ ...x, name })
    this.extracts.set(chain.refId, list)
    return name
  }
}
