import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete'
import { Facet, type Extension } from '@codemirror/state'
import type { EditorView } from '@codemirror/view'
import {
  Decoration,
  hoverTooltip,
  MatchDecorator,
  ViewPlugin,
  type DecorationSet,
  type ViewUpdate,
} from '@codemirror/view'
import type { ScopedVariable } from '../../shared/collection'
import {
  completionSpot,
  hoverText,
  tokenAt,
  VARIABLE_TOKEN,
  variableOptions,
  variableState,
} from './variable-tokens'

/**
 * `{{variable}}` support for any CodeMirror editor: a highlight per token (its class says whether the name is
 * known in the scope), completion after `{{`, and the resolved value on hover. The scope comes in through a
 * facet, so a change of environment re-colours the tokens without re-creating the editor.
 */

/** The variables in scope (the store's `scopeVars`); the last provider wins. */
export const scopeVariables = Facet.define<readonly ScopedVariable[], readonly ScopedVariable[]>({
  combine: (values) => values[values.length - 1] ?? [],
})

const marks = {
  known: Decoration.mark({ class: 'cm-var cm-var-known' }),
  unknown: Decoration.mark({ class: 'cm-var cm-var-unknown' }),
  dynamic: Decoration.mark({ class: 'cm-var cm-var-dynamic' }),
}

const matcher = new MatchDecorator({
  regexp: new RegExp(VARIABLE_TOKEN.source, 'g'),
  // An escaped `\{{` is literal text: no mark.
  decoration: (m, view) =>
    m[1] === undefined ? null : marks[variableState(m[1], view.state.facet(scopeVariables))],
})

const highlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet
    constructor(view: EditorView) {
      this.decorations = matcher.createDeco(view)
    }
    update(u: ViewUpdate): void {
      // A new scope changes the state of tokens anywhere in view: re-match all of it (only the visible part).
      if (u.startState.facet(scopeVariables) !== u.state.facet(scopeVariables))
        this.decorations = matcher.createDeco(u.view)
      else this.decorations = matcher.updateDeco(u, this.decorations)
    }
  },
  { decorations: (p) => p.decorations },
)

/** Completion source: the scope's names (then the dynamic ones) after an unfinished `{{`. */
export function variableCompletionSource(context: CompletionContext): CompletionResult | null {
  const line = context.state.doc.lineAt(context.pos)
  const before = line.text.slice(0, context.pos - line.from)
  const after = line.text.slice(context.pos - line.from)
  const spot = completionSpot(before, after, line.from)
  if (!spot) return null
  const vars = context.state.facet(scopeVariables)
  const options: Completion[] = variableOptions(vars, spot.prefix).map((o) => ({
    label: o.name,
    detail: o.detail,
    info: o.info,
    type: 'variable',
    apply: spot.closed ? o.name : `${o.name}}}`,
  }))
  return { from: spot.from, options, validFor: /^[\w.$-]*$/ }
}

const hover = hoverTooltip(
  (view, pos) => {
    const line = view.state.doc.lineAt(pos)
    const tok = tokenAt(line.text, pos - line.from)
    if (!tok) return null
    const text = hoverText(tok.name, view.state.facet(scopeVariables))
    return {
      pos: line.from + tok.from,
      end: line.from + tok.to,
      above: true,
      create: () => {
        const dom = document.createElement('div')
        dom.className = 'cm-var-tooltip'
        dom.setAttribute('role', 'tooltip')
        dom.textContent = text
        return { dom }
      },
    }
  },
  { hoverTime: 250 },
)

/** Highlight and hover; completion is added by the editor's autocompletion config (one per editor). */
export function variableSupport(): Extension {
  return [highlighter, hover]
}
