import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { bracketMatching, syntaxHighlighting } from '@codemirror/language'
import { Compartment, EditorState } from '@codemirror/state'
import { drawSelection, EditorView, keymap, lineNumbers, placeholder } from '@codemirror/view'
import { classHighlighter } from '@lezer/highlight'
import { graphqlLanguageSupport } from 'cm6-graphql'
import { useEffect, useRef } from 'react'
import { useControlledDoc } from '../editor/controlled-doc'
import { baseTheme } from '../editor/editor-setup'
import '../editor/editor.css'
import { schemaEditing } from './schema-editing'

interface Props {
  value: string
  onChange(text: string): void
  label: string
  /** The schema worker's key of the schema to complete and validate with (none: highlighting only). */
  schemaKey: string | null
  placeholderText: string
  /** A language for the other field: the variables are JSON, highlighted as plain text with brackets. */
  plain?: boolean
}

/**
 * A CodeMirror editor for a GraphQL document: highlighting (cm6-graphql's language), and once a schema is
 * known, completion (Ctrl+Space, or as you type) and validation against it, answered by the schema worker
 * (schema-editing.ts). Completion here takes the language's own sources, which the app's shared editor setup
 * overrides, hence an editor of its own.
 */
export function GraphqlEditor({ value, onChange, label, schemaKey, placeholderText, plain = false }: Props) {
  const host = useRef<HTMLDivElement | null>(null)
  const view = useRef<EditorView | null>(null)
  const schemaSlot = useRef(new Compartment())
  const changes = useControlledDoc(view, value, onChange)
  const initial = useRef({ value, schemaKey, label, placeholderText, plain })
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
          ...(i.plain ? [] : [graphqlLanguageSupport(), schemaSlot.current.of(schemaEditing(i.schemaKey))]),
          autocompletion({ icons: false }),
          placeholder(i.placeholderText),
          // Completion first: Enter accepts an offered completion before it inserts a line.
          keymap.of([...completionKeymap, ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap]),
          EditorView.contentAttributes.of({ 'aria-label': i.label, spellcheck: 'false' }),
          // A query pasted as one long line (as a curl command or a log has it) reads from its start: without
          // wrapping the narrow editor showed its end, scrolled sideways, and its start out of sight.
          EditorView.lineWrapping,
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
    if (v && !plain) v.dispatch({ effects: schemaSlot.current.reconfigure(schemaEditing(schemaKey)) })
  }, [schemaKey, plain])

  return (
    <div className="code-editor graphql-editor">
      <div className="code-editor-host" ref={host} />
    </div>
  )
}
