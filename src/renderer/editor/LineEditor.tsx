import { autocompletion, completionKeymap } from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state'
import { EditorView, keymap, placeholder as placeholderText } from '@codemirror/view'
import { useEffect, useRef } from 'react'
import type { ScopedVariable } from '../../shared/collection'
import { scopeVariables, variableCompletionSource, variableSupport } from './variable-extensions'
import './editor.css'

/**
 * A one-line CodeMirror field for an expression or a value (the Tests tab's paths and values): `{{variable}}`
 * highlight, completion and hover as in the body editor, and the keys of an ordinary text field: Enter never
 * inserts a line (it accepts a completion when one is open), Tab moves to the next field, Ctrl/Cmd+Enter
 * still sends. Pasted line breaks become spaces, so the value stays one line.
 */

interface LineEditorProps {
  value: string
  onChange(text: string): void
  label: string
  vars: readonly ScopedVariable[]
  placeholder?: string
  /** The field's problem: red frame, `aria-invalid`, the message as its tooltip. */
  error?: string | undefined
  className?: string
}

/** Joins any line break a paste or a drop brought in. */
const oneLine = EditorState.transactionFilter.of((tr) =>
  tr.newDoc.lines > 1
    ? [
        tr,
        {
          changes: { from: 0, to: tr.newDoc.length, insert: tr.newDoc.sliceString(0, undefined, ' ') },
          sequential: true,
        },
      ]
    : tr,
)

/** Editing keys without the ones that make lines or would take Ctrl/Cmd+Enter from the window's Send. */
const lineKeys = defaultKeymap.filter(
  (b) => b.key !== 'Enter' && b.key !== 'Mod-Enter' && b.key !== 'Shift-Enter' && b.key !== 'Mod-Shift-Enter',
)

const lineTheme = EditorView.theme({
  '&': { fontSize: '12px', backgroundColor: 'transparent', color: 'var(--fg)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '22px', overflow: 'hidden' },
  '.cm-content': { caretColor: 'var(--fg)', padding: '0' },
  '.cm-line': { padding: '0 6px' },
  '.cm-cursor': { borderLeftColor: 'var(--fg)' },
  '.cm-placeholder': { color: 'var(--fg-faint)' },
  '.cm-tooltip': {
    backgroundColor: 'var(--bg-raised)',
    color: 'var(--fg)',
    border: '1px solid var(--border-strong)',
    borderRadius: '5px',
  },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': {
    backgroundColor: 'var(--bg-selected-strong)',
    color: 'var(--fg)',
  },
})

function fieldAttributes(label: string, error: string | undefined): Extension {
  return EditorView.contentAttributes.of({
    'aria-label': label,
    'aria-multiline': 'false',
    spellcheck: 'false',
    ...(error ? { 'aria-invalid': 'true', title: error } : {}),
  })
}

export function LineEditor({ value, onChange, label, vars, placeholder, error, className }: LineEditorProps) {
  const host = useRef<HTMLDivElement | null>(null)
  const view = useRef<EditorView | null>(null)
  const onChangeRef = useRef(onChange)
  const initial = useRef({ value, label, vars, placeholder, error })
  const parts = useRef({ scope: new Compartment(), attrs: new Compartment(), hint: new Compartment() })
  /** Set while the store's value is written in: that is not the person's edit, so it is not echoed back. */
  const external = useRef(false)
  useEffect(() => {
    onChangeRef.current = onChange
  })

  useEffect(() => {
    const el = host.current
    if (!el) return
    const now = initial.current
    const p = parts.current
    const v = new EditorView({
      parent: el,
      state: EditorState.create({
        doc: now.value.replace(/\r?\n/g, ' '),
        extensions: [
          oneLine,
          history(),
          // No grace period for Enter after the list changes: here Enter has nothing else to mean.
          autocompletion({ override: [variableCompletionSource], icons: false, interactionDelay: 0 }),
          variableSupport(),
          p.scope.of(scopeVariables.of(now.vars)),
          p.attrs.of(fieldAttributes(now.label, now.error)),
          p.hint.of(now.placeholder ? placeholderText(now.placeholder) : []),
          lineTheme,
          // An open completion takes Enter first; otherwise Enter does nothing (a field has one line).
          Prec.high(keymap.of(completionKeymap)),
          keymap.of([{ key: 'Enter', run: () => true }, ...historyKeymap, ...lineKeys]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !external.current) onChangeRef.current(u.state.doc.toString())
          }),
        ],
      }),
    })
    view.current = v
    return () => {
      v.destroy()
      view.current = null
    }
  }, [])

  useEffect(() => {
    const v = view.current
    if (!v || v.state.doc.toString() === value) return
    // The store changed it (another request opened, a kind switched): replace the text, not as an edit.
    external.current = true
    try {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value.replace(/\r?\n/g, ' ') } })
    } finally {
      external.current = false
    }
  }, [value])

  useEffect(() => {
    view.current?.dispatch({ effects: parts.current.scope.reconfigure(scopeVariables.of(vars)) })
  }, [vars])

  useEffect(() => {
    view.current?.dispatch({ effects: parts.current.attrs.reconfigure(fieldAttributes(label, error)) })
  }, [label, error])

  useEffect(() => {
    view.current?.dispatch({
      effects: parts.current.hint.reconfigure(placeholder ? placeholderText(placeholder) : []),
    })
  }, [placeholder])

  return (
    <div
      ref={host}
      className={`code-editor line-editor${className ? ` ${className}` : ''}${error ? ' invalid' : ''}`}
    />
  )
}
