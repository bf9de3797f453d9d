import type { ScopedVariable } from '../../shared/collection'
import { FAKE_VARIABLES, isFakeVariable } from '../../shared/fake-variables'
import { DYNAMIC_NAMES, isDynamicName } from '../../shared/template'
import { scanTemplate } from '../../shared/template-scan'
import { variableHints, variableMap, type VariableHint } from '../composer/variable-hints'

/**
 * The editor's view of `{{variables}}`, as pure functions of text and scope so they are tested without a DOM:
 * where a token is, what state it is in (known, unknown, dynamic), what to offer after `{{`, what the hover says.
 */

/** Completion offers at most this many names; a scope with more is narrowed by typing. */
export const MAX_COMPLETIONS = 200

export type VariableState = VariableHint['state']

/** One name map per scope array: the highlighter asks for every token in view, on every redraw. */
const names = new WeakMap<readonly ScopedVariable[], ReadonlyMap<string, ScopedVariable>>()

function namesOf(vars: readonly ScopedVariable[]): ReadonlyMap<string, ScopedVariable> {
  let map = names.get(vars)
  if (!map) {
    map = variableMap(vars)
    names.set(vars, map)
  }
  return map
}

/** Whether a name resolves in this scope (dynamic names always do, except `$webhook` without an inbox). */
export function variableState(name: string, vars: readonly ScopedVariable[]): VariableState {
  if (isDynamicName(name) || isFakeVariable(name)) return 'dynamic'
  return namesOf(vars).has(name) ? 'known' : 'unknown'
}

export interface TokenAt {
  name: string
  from: number
  to: number
  /** Escaped braces (`\{{name}}`): sent as typed, not a variable. */
  literal?: true
}

/**
 * The `{{name}}` token covering `pos` in `line` (positions relative to the line), or null; escaped braces that
 * hold a name (`\{{apiKey}}`) are one too, marked literal. Only the line is searched: a hover on a 1 MB body must
 * not scan all of it.
 */
export function tokenAt(line: string, pos: number): TokenAt | null {
  if (!line.includes('{{')) return null
  for (const t of scanTemplate(line)) {
    if (t.start > pos) break
    if (t.kind === 'backslashes' || pos < t.start || pos > t.end) continue
    if (t.kind === 'ref') {
      if (pos >= t.braces) return { name: t.name as string, from: t.braces, to: t.end }
    } else if (pos >= t.braces - 1)
      return { name: t.name ?? '', from: t.braces - 1, to: t.end, literal: true }
  }
  return null
}

export interface CompletionSpot {
  /** Where the typed name starts (right after `{{` and any spaces). */
  from: number
  /** What is typed of the name so far. */
  prefix: string
  /** Whether `}}` already follows the cursor (then a completion does not add another). */
  closed: boolean
}

/**
 * Whether the cursor at `pos` (relative to `before + after`, the text of its line split at the cursor) is in an
 * unfinished `{{name`: then completion offers the scope's names.
 */
export function completionSpot(before: string, after: string, lineStart: number): CompletionSpot | null {
  const m = /\{\{\s*([A-Za-z_$][\w.$-]*)?$/.exec(before)
  if (!m) return null
  // After an escape (`\{{`, an odd run of backslashes) the braces are text: nothing to complete.
  let slashes = 0
  while (before.charCodeAt(m.index - 1 - slashes) === 92) slashes++
  if (slashes % 2 === 1) return null
  const prefix = m[1] ?? ''
  return { from: lineStart + before.length - prefix.length, prefix, closed: /^\s*\}\}/.test(after) }
}

export interface VariableOption {
  name: string
  /** Shown beside the name: the scope it comes from. */
  detail: string
  /** Shown in the info box: the value, masked for secrets. */
  info: string
}

/** The names a completion offers for `prefix`: the scope's variables (innermost wins), then dynamic names. */
export function variableOptions(vars: readonly ScopedVariable[], prefix: string): VariableOption[] {
  const lower = prefix.toLowerCase()
  const out: VariableOption[] = []
  const matching = [...namesOf(vars).keys()].filter((n) => n.toLowerCase().startsWith(lower))
  const hints = variableHints(
    matching.map((n) => `{{${n}}}`),
    vars,
  )
  for (const h of hints) {
    if (out.length >= MAX_COMPLETIONS) break
    out.push({ name: h.name, detail: h.source, info: h.secret ? 'secret (value hidden)' : h.value })
  }
  // The engine's dynamic names, then Postman's random-data ones ($randomEmail, …), which send as well.
  for (const name of [...DYNAMIC_NAMES, ...Object.keys(FAKE_VARIABLES)]) {
    if (out.length >= MAX_COMPLETIONS) break
    if (name.toLowerCase().startsWith(lower)) {
      const [hint] = variableHints([`{{${name}}}`], vars)
      out.push({ name, detail: 'dynamic', info: hint?.value ?? '' })
    }
  }
  return out
}

/** What hovering a `{{name}}` says: its resolved value and where it comes from, or that it is not defined. */
export function hoverText(name: string, vars: readonly ScopedVariable[]): string {
  const [h] = variableHints([`{{${name}}}`], vars)
  if (!h || h.state === 'unknown') return `{{${name}}} is not defined in any scope: sending will be refused`
  if (h.state === 'dynamic') return `{{${name}}}: ${h.value || 'set at send time'}`
  return `{{${name}}} = ${h.value}\nfrom: ${h.source}`
}
