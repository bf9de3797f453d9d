import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { bracketMatching, syntaxHighlighting } from '@codemirror/language'
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint'
import { EditorState } from '@codemirror/state'
import { drawSelection, EditorView, keymap, lineNumbers, placeholder } from '@codemirror/view'
import { classHighlighter } from '@lezer/highlight'
import { graphql, updateSchema } from 'cm6-graphql'
import type { GraphQLSchema } from 'graphql'
import { useEffect, useRef } from 'react'
import { useControlledDoc } from '../editor/controlled-doc'
import { baseTheme } from '../editor/editor-setup'
import '../editor/editor.css'

interface Props {
  value: string
  onChange(text: string): void
  label: string
  schema: GraphQLSchema | null
  placeholderText: string
  /** A language for the other field: the variables are JSON, highlighted as plain text with brackets. */
  plain?: boolean
}

/**
 * A CodeMirror editor for a GraphQL document: highlighting, and once a schema is known, completion (Ctrl+Space,
 * or as you type) and validation against it (cm6-graphql). Completion here takes the language's own sources,
 * which the app's shared editor setup overrides, hence an editor of its own.
 */
/** A document not yet written is no error: nothing is marked until something is typed. */
function quietWhenBlank(diagnostics: readonly Diagnostic[], state: EditorState): Diagnostic[] {
  return /\S/.test(state.doc.toString()) ? [...diagnostics] : []
}

export function GraphqlEditor({ value, onChange, label, schema, placeholderText, plain = false }: Props) {
  const host = useRef<HTMLDivElement | null>(null)
  const view = useRef<EditorView | null>(null)
  const changes = useControlledDoc(view, value, onChange)
  const initial = useRef({ value, schema, label, placeholderText, plain })
  useEffect(() => {
    const el = host.current
    if (!el) return
    const i = initial.current
    const v = new EditorView({
      parent: el,
      state: EditorState.create({
        doc: i.value,
        extensions: [
          // The app's colours (CodeMirror's own gutter is a light grey box in the dark theme).
          baseTheme,
          lineNumbers(),
          history(),
          drawSelection(),
          bracketMatching(),
          closeBrackets(),
          syntaxHighlighting(classHighlighter),
          ...(i.plain
            ? []
            : [
                graphql(i.schema ?? undefined),
                linter(null, { markerFilter: quietWhenBlank }),
                lintGutter({ markerFilter: quietWhenBlank }),
              ]),
          autocompletion({ icons: false }),
          placeholder(i.placeholderText),
          // Completion first: Enter accepts an offered completion before it inserts a line.
          keymap.of([...completionKeymap, ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap]),
          EditorView.contentAttributes.of({ 'aria-label': i.label, spellcheck: 'false' }),
          changes,
        ],
      }),
    })
    view.current = v
    return () => {
      v.destroy()
      view.current = null
    }
  }, [changes])

  useEffect(() => {
    const v = view.current
    if (v && !plain) updateSchema(v, schema ?? undefined)
  }, [schema, plain])

  return (
    <div className="code-editor graphql-editor">
      <div className="code-editor-host" ref={host} />
    </div>
  )
}
