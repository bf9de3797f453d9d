import * as jsYaml from 'js-yaml'
import { load as loadYaml, CORE_SCHEMA, Type, YAMLException } from 'js-yaml'
import type { Parsed } from './collection-file-format'
import { readSimpleYaml } from './yaml-fast'

/** A collection file's YAML read into plain values: what ./collection-file-read.ts maps onto the model. */

export type Raw = Record<string, unknown>

export function isRaw(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof NumberText)
}

/**
 * A number written so that the number alone would not give its text back (`01234`, `12345678901234567890`,
 * `1.10`, `0x1F`, `1e3`): where the format wants text (a variable, a header, a parameter) it is read as written —
 * a zip code keeps its leading zero and an account id its digits — and where it wants a number, as the number.
 * Plain numbers (`42`, `1.5`) stay plain numbers, so reading costs nothing extra.
 */
export class NumberText {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}
}
/** Scalars a person may write without quotes (`value: 1`, `enabled: yes`) read as the string they look like. */
export function str(v: unknown, fallback = ''): unknown {
  if (v === undefined || v === null) return fallback
  if (v instanceof NumberText) return v.text
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return v
}

export const isSet = (v: unknown): boolean => v !== undefined && v !== null

let numberTextsSeen = 0

/** How many NumberTexts the last read made (none: the value needs no asNumbers pass). */
export function numberTextsRead(): number {
  return numberTextsSeen
}

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
export const READ_SCHEMA = CORE_SCHEMA.extend({
  implicit: [keepText(yamlTypes.int), keepText(yamlTypes.float)],
})

/** js-yaml's implicit types of the read schema, in its order (@types/js-yaml does not declare the list). */
const IMPLICIT = (READ_SCHEMA as unknown as { compiledImplicit: Type[] }).compiledImplicit

/**
 * The core schema's implicit types take a scalar only when it starts with one of these: `~` or `n`/`N` (null),
 * `t`/`T`/`f`/`F` (booleans), a sign, a digit or `.` (numbers). Anything else (`Item 1`, `application/json`)
 * is its text without asking each type. Only while the read schema's types are exactly those four.
 */
const MAY_RESOLVE = new Set('~nNtTfF+-.0123456789')
const CORE_TYPES_ONLY =
  IMPLICIT.map((t) => (t as Type & { tag: string }).tag).join(' ') ===
  ['null', 'bool', 'int', 'float'].map((t) => `tag:yaml.org,2002:${t}`).join(' ')

/** A plain scalar resolved as js-yaml resolves it with the read schema: the first implicit type that takes it. */
export function plainScalar(text: string): unknown {
  if (CORE_TYPES_ONLY && !MAY_RESOLVE.has(text.charAt(0))) return text
  for (const type of IMPLICIT) if (type.resolve(text)) return type.construct(text) as unknown
  return text
}

/** `value` with every NumberText left in it (where no text was wanted) as its number. */
export function asNumbers(value: unknown): unknown {
  if (value instanceof NumberText) return value.value
  if (Array.isArray(value)) return value.map(asNumbers)
  if (isRaw(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asNumbers(v)]))
  return value
}

/** Values a file's aliases may add beyond one per character of the file. */
const ALIAS_ALLOWANCE = 100_000

/**
 * js-yaml shares the part an alias repeats, but reading a file walks its values again (asNumbers, the schema),
 * so `a1: &a1 [*a0, *a0, …]` nested a dozen times (a 1 KB "billion laughs") would be walked 9^12 times. A file
 * may hold one value per character plus ALIAS_ALLOWANCE, counted as a walk meets them; the count stops as soon
 * as it is over, so refusing costs no more than the limit. Null when within it, else the words.
 */
function aliasExpansion(root: unknown, textLength: number): string | null {
  const limit = textLength + ALIAS_ALLOWANCE
  const stack: unknown[] = [root]
  let counted = 1
  while (stack.length > 0) {
    const node = stack.pop()
    const children = Array.isArray(node) ? node : isRaw(node) ? Object.values(node) : []
    counted += children.length
    if (counted > limit)
      return `its YAML aliases expand to more than ${limit.toLocaleString('en-US')} values (a part repeated by aliases); not read`
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push(child)
  }
  return null
}

/**
 * Reading uses js-yaml (about five times faster than the position-keeping parser, which matters for a
 * 5,000-file collection) with the YAML 1.2 core schema, so `2024-01-01` stays a string; a file in the plain
 * block YAML Flightdeck writes is read by ./yaml-fast.ts instead, to the same value, several times faster again.
 * Writing uses `yaml`'s Document API (./yaml-doc.ts), which keeps comments and layout.
 */
export function mapRoot(text: string): Parsed<Raw> {
  let raw: unknown
  numberTextsSeen = 0
  try {
    raw = readSimpleYaml(text, plainScalar)
    if (raw === undefined) {
      numberTextsSeen = 0
      raw = loadYaml(text, { schema: READ_SCHEMA, json: false })
      const expanding = text.includes('*') ? aliasExpansion(raw, text.length) : null
      if (expanding !== null) return { ok: false, problem: { line: 1, column: 1, message: expanding } }
    }
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
