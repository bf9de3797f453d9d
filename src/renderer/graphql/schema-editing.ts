import type { CompletionContext, CompletionResult } from '@codemirror/autocomplete'
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint'
import type { EditorState, Extension } from '@codemirror/state'
import { graphqlLanguage } from 'cm6-graphql'
import { schemaClient } from './schema-client'

/**
 * Completion and validation of a GraphQL document against a schema held by the schema worker: the editor sends
 * the document's text and the cursor, the worker answers with completions or marks (graphql-language-service,
 * the library cm6-graphql calls on the page's thread). The page does no more per keystroke than post the text.
 * An answer for a document that changed meanwhile is dropped by CodeMirror itself.
 */

/** Characters after which completion opens by itself (as cm6-graphql's); Ctrl+Space opens it anywhere. */
const AUTOCOMPLETE_CHARS = /^[a-zA-Z0-9_@(]$/

/** A document not yet written is no error: nothing is marked until something is typed. */
function quietWhenBlank(diagnostics: readonly Diagnostic[], state: EditorState): Diagnostic[] {
  return /\S/.test(state.doc.toString()) ? [...diagnostics] : []
}

function completionSource(key: string) {
  return async (ctx: CompletionContext): Promise<CompletionResult | null> => {
    const word = ctx.matchBefore(/\w*/)
    if (!word) return null
    const last = word.text.slice(-1)
    if (!ctx.explicit && !AUTOCOMPLETE_CHARS.test(last)) return null
    let items
    try {
      items = await schemaClient().call('complete', { key, text: ctx.state.doc.toString(), offset: ctx.pos })
    } catch {
      // A schema dropped meanwhile (refreshed, or the worker restarted): no completion, the status says why.
      return null
    }
    if (ctx.aborted || items.length === 0) return null
    return {
      from: word.from,
      options: items.map((item) => ({
        label: item.label,
        detail: item.detail,
        ...(item.documentation ? { info: item.documentation } : {}),
      })),
    }
  }
}

/** The editor's completion and lint for the schema the worker holds under `key` (none without a schema). */
export function schemaEditing(key: string | null): Extension {
  if (key === null) return []
  return [
    graphqlLanguage.data.of({ autocomplete: completionSource(key) }),
    linter(
      async (view) => {
        try {
          const marks = await schemaClient().call('diagnose', { key, text: view.state.doc.toString() })
          return marks.map((m) => ({ from: m.from, to: m.to, severity: m.severity, message: m.message }))
        } catch {
          return []
        }
      },
      { markerFilter: quietWhenBlank },
    ),
    lintGutter({ markerFilter: quietWhenBlank }),
  ]
}
