import type { ScopedVariable } from '../../shared/collection'
import { unknownNamesOf } from '../../shared/error-facts'
import { FAKE_VARIABLES, isFakeVariable } from '../../shared/fake-variables'
import type { AppError } from '../../shared/result'
import { isDynamicName, resolveTemplate, templateRefs } from '../../shared/template'
import { fillTemplate } from '../../shared/template-scan'
import type { ComposerDraft } from './composer-draft'

/**
 * What the composer says about `{{variables}}`: every name the request uses, where its value comes from (the
 * innermost scope wins), and which have no value at all, so the person sees it before sending.
 */

export interface VariableHint {
  name: string
  state: 'known' | 'unknown' | 'dynamic'
  /** The resolved value; masked for secrets. */
  value: string
  /** "environment staging", "collection", "folder users", "global", "dynamic". */
  source: string
  secret: boolean
}

const DYNAMIC_TEXT: Record<string, string> = {
  $uuid: 'a new UUID each send',
  $guid: 'a new UUID each send (Postman’s name for $uuid)',
  $randomUUID: 'a new UUID each send (Postman’s name for $uuid)',
  $timestamp: 'Unix seconds at send time',
  $timestampMs: 'Unix milliseconds at send time',
  $isoTimestamp: 'ISO time at send time',
  $randomInt: 'a random integer 0–1000 each send',
}

/** Every text in the draft (and its auth) that can hold a variable. */
export function templatedTexts(d: ComposerDraft): string[] {
  const out: string[] = [d.url]
  for (const h of d.headers) if (h.enabled) out.push(h.name, h.value)
  switch (d.bodyKind) {
    case 'json':
      out.push(d.json)
      break
    case 'text':
      out.push(d.text.text)
      break
    case 'form':
      for (const f of d.form) if (f.enabled) out.push(f.name, f.value)
      break
    case 'multipart':
      for (const p of d.multipart) if (p.enabled) out.push(p.name, p.kind === 'text' ? p.value : p.path)
      break
    case 'file':
      out.push(d.file.path)
      break
    case 'none':
      break
  }
  for (const [k, v] of Object.entries(d.auth)) if (k !== 'type' && typeof v === 'string') out.push(v)
  return out
}

/** The winning definition of each name: later scopes override earlier ones. */
export function variableMap(vars: readonly ScopedVariable[]): Map<string, ScopedVariable> {
  const map = new Map<string, ScopedVariable>()
  for (const v of vars) map.set(v.name, v)
  return map
}

function sourceOf(v: ScopedVariable): string {
  return v.scope === 'folder'
    ? `folder ${v.source}`
    : v.scope === 'environment'
      ? `environment ${v.source}`
      : v.scope
}

export function variableHints(texts: readonly string[], vars: readonly ScopedVariable[]): VariableHint[] {
  const map = variableMap(vars)
  const values = new Map([...map].map(([k, v]) => [k, v.secret ? '••••••' : v.value]))
  const seen = new Set<string>()
  const out: VariableHint[] = []
  for (const text of texts) {
    for (const ref of templateRefs(text)) {
      if (seen.has(ref.name) || seen.size >= 200) continue
      seen.add(ref.name)
      if (isDynamicName(ref.name) || isFakeVariable(ref.name)) {
        out.push({
          name: ref.name,
          state: 'dynamic',
          value: DYNAMIC_TEXT[ref.name] ?? `${FAKE_VARIABLES[ref.name] ?? ''}, new each send`,
          source: 'dynamic',
          secret: false,
        })
        continue
      }
      const v = map.get(ref.name)
      if (!v) {
        out.push({ name: ref.name, state: 'unknown', value: '', source: '', secret: false })
        continue
      }
      // A value may itself use variables; show it resolved (secrets stay masked).
      const resolved = v.secret ? '••••••' : resolveTemplate(v.value, values).text
      out.push({ name: ref.name, state: 'known', value: resolved, source: sourceOf(v), secret: v.secret })
    }
  }
  return out
}

/** The URL as it would be sent; dynamic values stay as their names (they change every send), secrets masked. */
export function previewUrl(url: string, vars: readonly ScopedVariable[]): string {
  const values = new Map([...variableMap(vars)].map(([k, v]) => [k, v.secret ? '••••••' : v.value]))
  // Read as a send reads it: escaped braces are never taken for a dynamic name.
  const hidden = fillTemplate(url, (name) => (name.startsWith('$') ? `\uE000${name}\uE000` : undefined))
  return resolveTemplate(hidden, values).text.replace(
    /\uE000([^\uE000]*)\uE000/g,
    (_m, name: string) => `{{${name}}}`,
  )
}

/**
 * Whether a send's refusal (shown above the hints) already names every unknown variable of these hints, by the
 * names it carries (`unknown`), not by its words: then the hints do not say them a second time.
 */
export function unknownNamedByRefusal(hints: readonly VariableHint[], refusal: AppError | null): boolean {
  const named = unknownNamesOf(refusal)
  if (named === null) return false
  const set = new Set(named)
  return hints.every((h) => h.state !== 'unknown' || set.has(h.name))
}
