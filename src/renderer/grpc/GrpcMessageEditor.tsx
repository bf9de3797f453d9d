import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { json } from '@codemirror/lang-json'
import { bracketMatching, foldGutter, indentUnit, syntaxHighlighting } from '@codemirror/language'
import { linter, lintGutter } from '@codemirror/lint'
import { Compartment, EditorState, Prec } from '@codemirror/state'
import { drawSelection, EditorView, keymap, lineNumbers, placeholder } from '@codemirror/view'
import { classHighlighter } from '@lezer/highlight'
import { useEffect, useRef } from 'react'
import { baseTheme } from '../editor/editor-setup'
import { useAppStore } from '../store/store-context'
import { scopeVariables, variableCompletionSource, variableSupport } from '../editor/variable-extensions'
import { grpcCompletion, type MessageTypes } from './grpc-json-assist'
import { grpcDiagnostics } from './grpc-json-lint'
import { useControlledDoc } from '../editor/controlled-doc'
import '../editor/editor.css'

interface Props {
  value: string
  onChange(text: string): void
  label: string
  /** The request type and the schema's types; null until the schema is loaded and a method picked. */
  types: MessageTypes | null
  placeholderText: string
  disabled?: boolean
  /** Ctrl/Cmd+Enter in the editor (the Send box sends); absent, it is left to the window (Invoke). */
  onSubmit?: () => void
}

/**
 * A gRPC message as JSON in CodeMirror: completion of the request type's fields, enum values and booleans
 * (Ctrl+Space, or as you type) and `{{variables}}`, lint for unknown fields, wrong types and a oneof set twice
 * (grpc-json-assist.ts). The editor fills the height its container gives it, so the composer's tabs below stay
 * in view however long the message is.
 */
export function GrpcMessageEditor({
  value,
  onChange,
  label,
  types,
  placeholderText,
  disabled = false,
  onSubmit,
}: Props) {
  const host = useRef<HTMLDivElement | null>(null)
  const view = useRef<EditorView | null>(null)
  const changes = useControlledDoc(view, value, onChange)
  const onSubmitRef = useRef(onSubmit)
  const vars = useAppStore((s) => s.scopeVars)
  const parts = useRef({ assist: new Compartment(), scope: new Compartment(), editable: new Compartment() })
  const initial = useRef({
    value,
    label,
    placeholderText,
    types,
    vars,
    disabled,
    submits: onSubmit !== undefined,
  })
  useEffect(() => {
    onSubmitRef.current = onSubmit
  })

  useEffect(() => {
    const el = host.current
    if (!el) return
    const i = initial.current
    const p = parts.current
    const v = new EditorView({
      parent: el,
      state: EditorState.create({
        doc: i.value,
        extensions: [
          lineNumbers(),
          foldGutter(),
          history(),
          drawSelection(),
          bracketMatching(),
          closeBrackets(),
          indentUnit.of('  '),
          syntaxHighlighting(classHighlighter),
          json(),
          baseTheme,
          lintGutter(),
          p.assist.of(assist(i.types)),
          p.scope.of(scopeVariables.of(i.vars)),
          p.editable.of(EditorView.editable.of(!i.disabled)),
          variableSupport(),
          placeholder(i.placeholderText),
          i.submits
            ? Prec.highest(
                keymap.of([
                  {
                    key: 'Mod-Enter',
                    run: () => {
                      onSubmitRef.current?.()
                      return true
                    },
                  },
                ]),
              )
            : [],
          // Completion first: Enter accepts an offered completion before it inserts a line. Ctrl/Cmd+Enter is
          // left to the window (Invoke) unless this editor submits.
          keymap.of([
            ...completionKeymap,
            ...closeBracketsKeymap,
            ...defaultKeymap.filter((b) => b.key !== 'Mod-Enter'),
            ...historyKeymap,
          ]),
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
    view.current?.dispatch({ effects: parts.current.assist.reconfigure(assist(types)) })
  }, [types])

  useEffect(() => {
    view.current?.dispatch({ effects: parts.current.scope.reconfigure(scopeVariables.of(vars)) })
  }, [vars])

  useEffect(() => {
    view.current?.dispatch({
      effects: parts.current.editable.reconfigure(EditorView.editable.of(!disabled)),
    })
  }, [disabled])

  return (
    <div
      className={`code-editor grpc-message-editor${disabled ? ' disabled' : ''}`}
      data-request-type={types?.root ?? ''}
    >
      <div className="code-editor-host" ref={host} />
    </div>
  )
}

function assist(types: MessageTypes | null) {
  return [
    autocompletion({ override: [grpcCompletion(types), variableCompletionSource], icons: false }),
    linter((v) => grpcDiagnostics(v.state, types), { delay: 300 }),
  ]
}
