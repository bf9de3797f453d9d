import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete'
import { Facet, type Extension, type Range } from '@codemirror/state'
import type { EditorView } from '@codemirror/view'
import { Decoration, hoverTooltip, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view'
import type { ScopedVariable } from '../../shared/collection'
import { scanTemplate } from '../../shared/template-scan'
import { completionSpot, hoverText, tokenAt, variableOptions, variableState } from './variable-tokens'

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
  // Escaped braces (`\{{apiKey}}`, as an edited-as-new request brings them back): text, not a variable.
  literal: Decoration.mark({ class: 'cm-var-literal' }),
}

/**
 * The tokens in view, read by the template scanner the send uses (src/shared/template-scan.ts), line by line
 * from each visible range's first line: a pair of backslashes before braces is text, an odd one escapes them.
 */
function tokenMarks(view: EditorView): DecorationSet {
  const vars = view.state.facet(scopeVariables)
  const ranges: Range<Decoration>[] = []
  for (const { from, to } of view.visibleRanges) {
    const start = view.state.doc.lineAt(from).from
    const text = view.state.doc.sliceString(start, to)
    if (!text.includes('{{')) continue
    for (const t of scanTemplate(text)) {
      if (t.kind === 'ref')
        ranges.push(marks[variableState(t.name as string, vars)].range(start + t.braces, start + t.end))
      else if (t.kind === 'literal') ranges.push(marks.literal.range(start + t.braces - 1, start + t.end))
    }
  }
  // Ranges widened to their lines' starts may overlap where a fold splits a line: sort them.
  return Decoration.set(ranges, true)
}

const highlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet
    constructor(view: EditorView) {
      this.decorations = tokenMarks(view)
    }
    update(u: ViewUpdate): void {
      // A new scope changes the state of tokens anywhere in view; an edit can change how braces pair.
      if (
        u.docChanged ||
        u.viewportChanged ||
        u.startState.facet(scopeVariables) !== u.state.facet(scopeVariables)
      )
        this.decorations = tokenMarks(u.view)
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

/** What hovering escaped braces says. */
export const LITERAL_HOVER = 'literal {{ — sent as typed, not a variable'

/**
 * The hover card over a token: above it (a one-line field's card would cover the row below), or below it in a
 * many-line editor, where above the first line lie the controls over the editor (the body kind's tabs).
 */
const hover = (above: boolean): Extension =>
  hoverTooltip(
    (view, pos) => {
      const line = view.state.doc.lineAt(pos)
      const tok = tokenAt(line.text, pos - line.from)
      if (!tok) return null
      const text = tok.literal ? LITERAL_HOVER : hoverText(tok.name, view.state.facet(scopeVariables))
      return {
        pos: line.from + tok.from,
        end: line.from + tok.to,
        above,
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

/**
 * Highlight and hover; completion is added by the editor's autocompletion config (one per editor). `hoverBelow`
 * for many-line editors: the card goes under the hovered line (CodeMirror flips it when the window has no room).
 */
export function variableSupport({ hoverBelow = false }: { hoverBelow?: boolean } = {}): Extension {
  return [highlighter, hover(!hoverBelow)]
}
