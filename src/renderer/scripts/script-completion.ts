import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete'
import { completionPath, javascriptLanguage, localCompletionSource } from '@codemirror/lang-javascript'
import { topLevelApi, type ApiEntry } from './script-api'

/**
 * Completion in a script editor: the script API (`pm.` then `pm.response.` …, `console.`, `bru.` in Bruno
 * scripts) and the names the script itself declares. Only where the editor's language is JavaScript, so the
 * JSON and XML body editors are unaffected.
 */
export function scriptCompletionSource(context: CompletionContext): CompletionResult | null {
  if (!javascriptLanguage.isActiveAt(context.state, context.pos)) return null
  const at = completionPath(context)
  if (!at) return null
  const bruno = /\b(bru|req|res)\./.test(
    context.state.sliceDoc(0, Math.min(context.state.doc.length, 100_000)),
  )
  let members: Readonly<Record<string, ApiEntry>> | undefined = topLevelApi(bruno)
  for (const part of at.path) members = members?.[part]?.members
  const from = context.pos - at.name.length
  if (!members) return at.path.length === 0 ? localCompletionSource(context) : null
  const options: Completion[] = Object.entries(members).map(([label, e]) => ({
    label,
    type: e.type === 'namespace' ? 'namespace' : e.type,
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(e.info !== undefined ? { info: e.info } : {}),
    ...(e.apply !== undefined ? { apply: e.apply } : {}),
  }))
  if (at.path.length === 0) {
    // The script's own names after the API's.
    const local = localCompletionSource(context)
    if (local) for (const o of local.options) if (!(o.label in members)) options.push(o)
  }
  return { from, options, validFor: /^[\w$]*$/ }
}
