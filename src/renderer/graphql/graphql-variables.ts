import type { ScopedVariable } from '../../shared/collection'
import type { SavedGraphql } from '../../shared/graphql-saved'
import type { AppError } from '../../shared/result'
import { resolveTemplate, type DynamicValues } from '../../shared/template'
import type { ComposerDraft } from '../composer/composer-draft'
import { templatedTexts } from '../composer/variable-hints'

/**
 * The GraphQL variables (and connection params) as the composer checks them before sending. Text with
 * `{{variables}}` is not JSON until they are filled in, so it is checked after filling them in with the values
 * the composer knows (a secret, whose value never reaches the renderer, and a dynamic value stand in as `0`,
 * which reads as JSON quoted or not): an unknown name is refused by name, as the URL's are, and text that is
 * still not a JSON object says so. What is sent is the text as typed; the engine fills it in with the real
 * values (secrets, a fresh `{{$uuid}}`) and checks it again.
 */

export type Checked =
  | { ok: true; value: { object: Record<string, unknown> } | { text: string } | null }
  | { ok: false; error: AppError }

const STAND_IN = '0'
const STAND_IN_DYNAMIC: DynamicValues = {
  uuid: () => STAND_IN,
  now: () => 0,
  random: () => 0,
  webhook: () => STAND_IN,
}

export function checkJsonText(text: string, what: string, vars: readonly ScopedVariable[]): Checked {
  if (!text.trim()) return { ok: true, value: null }
  const templated = text.includes('{{')
  let filled = text
  if (templated) {
    const values = new Map<string, string>()
    for (const v of vars) values.set(v.name, v.secret ? STAND_IN : v.value)
    const r = resolveTemplate(text, values, STAND_IN_DYNAMIC)
    if (r.unknown.length > 0) {
      const names = [...new Set(r.unknown)].map((n) => `{{${n}}}`).join(', ')
      return refuse(`${what}: ${names} ${r.unknown.length === 1 ? 'is' : 'are'} not defined in any scope`)
    }
    filled = r.text
  }
  let v: unknown
  try {
    v = JSON.parse(filled)
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    return refuse(`${what} are not JSON${templated ? ' once their {{variables}} are filled in' : ''}: ${why}`)
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return refuse(`${what} must be a JSON object`)
  return { ok: true, value: templated ? { text } : { object: v as Record<string, unknown> } }
}

function refuse(message: string): Checked {
  return { ok: false, error: { code: 'invalid_request', message } }
}

/**
 * Every text of the composer's request that may hold `{{variables}}`, for the hints under the URL: a GraphQL
 * tab's query, variables and connection params beside the URL, headers and auth.
 */
export function composerTemplatedTexts(draft: ComposerDraft, g: SavedGraphql): string[] {
  const texts = templatedTexts(draft)
  return draft.kind === 'graphql' ? [...texts, g.query, g.variables ?? '', g.connectionParams ?? ''] : texts
}
