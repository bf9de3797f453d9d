import { Compartment, EditorState } from '@codemirror/state'
import { EditorView, placeholder as placeholderText } from '@codemirror/view'
import { useEffect, useRef, type RefObject } from 'react'
import type { ScopedVariable } from '../../shared/collection'
import { usePaneSize } from '../hooks/use-pane-size'
import { basicEditor, languageExtension, type EditorLanguage } from './editor-setup'
import { ResizeBar } from './ResizeBar'
import { scopeVariables } from './variable-extensions'
import './editor.css'

/** About 12 lines of 17 px, plus the content's padding. */
export const DEFAULT_EDITOR_HEIGHT = 12 * 17 + 10
const MIN_HEIGHT = 60
const MAX_HEIGHT = 2000

interface CodeEditorProps {
  value: string
  onChange(text: string): void
  /** The accessible name of the editable area (tests and screen readers find it by this). */
  label: string
  language: EditorLanguage
  vars: readonly ScopedVariable[]
  placeholder?: string
  /** Under which key the height the person dragged to is remembered. */
  heightKey: string
  /** Filled with the live view, for actions that edit through it (Beautify keeps undo that way). */
  viewRef?: RefObject<EditorView | null>
  /** Wrap long lines (scripts: a long line stays readable in a half-width editor). */
  wrap?: boolean
  /**
   * Until the person drags its grip, shrink below the default height when the parent (a flex column) has less
   * room, down to the least height: the frame and its grip stay in sight, and the parent does not scroll past
   * an editor's empty lower part (its "more below" cue would point at nothing).
   */
  fit?: boolean
}

/** A CodeMirror 6 editor bound to a store string, with a remembered height and a visible resize bar. */
export function CodeEditor({
  value,
  onChange,
  label,
  language,
  vars,
  placeholder,
  heightKey,
  viewRef,
  wrap = false,
  fit = false,
}: CodeEditorProps) {
  const host = useRef<HTMLDivElement | null>(null)
  const view = useRef<EditorView | null>(null)
  const onChangeRef = useRef(onChange)
  const initialValue = useRef(value)
  /** The text last handed to onChange: when the store echoes it back, there is nothing to compare. */
  const emitted = useRef<string | null>(null)
  const parts = useRef({ lang: new Compartment(), scope: new Compartment(), hint: new Compartment() })
  const [height, setHeight, chosen] = usePaneSize(
    `editor.${heightKey}`,
    DEFAULT_EDITOR_HEIGHT,
    MIN_HEIGHT,
    MAX_HEIGHT,
  )
  // What a fresh editor state is built from: the latest props (an effect keeps them current).
  const latest = useRef({ language, vars, placeholder, label, wrap })
  useEffect(() => {
    latest.current = { language, vars, placeholder, label, wrap }
    onChangeRef.current = onChange
  })

  /** A whole editor state for `doc`: a new request's body starts with its own (empty) undo history. */
  const createState = useRef((doc: string): EditorState => {
    const now = latest.current
    const p = parts.current
    return EditorState.create({
      doc,
      extensions: [
        basicEditor(),
        p.lang.of(languageExtension(now.language)),
        p.scope.of(scopeVariables.of(now.vars)),
        p.hint.of(now.placeholder ? placeholderText(now.placeholder) : []),
        now.wrap ? EditorView.lineWrapping : [],
        EditorView.contentAttributes.of({ 'aria-label': now.label, spellcheck: 'false' }),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged) return
          const text = u.state.doc.toString()
          emitted.current = text
          onChangeRef.current(text)
        }),
      ],
    })
  })

  useEffect(() => {
    const el = host.current
    if (!el) return
    const v = new EditorView({ parent: el, state: createState.current(initialValue.current) })
    view.current = v
    if (viewRef) viewRef.current = v
    return () => {
      v.destroy()
      view.current = null
      if (viewRef) viewRef.current = null
    }
  }, [viewRef])

  useEffect(() => {
    const v = view.current
    if (!v || emitted.current === value || v.state.doc.toString() === value) return
    // Another request loaded (or a kind switched): not an edit, so undo must not reach the previous text.
    emitted.current = value
    v.setState(createState.current(value))
  }, [value])

  useEffect(() => {
    view.current?.dispatch({ effects: parts.current.scope.reconfigure(scopeVariables.of(vars)) })
  }, [vars])

  useEffect(() => {
    view.current?.dispatch({ effects: parts.current.lang.reconfigure(languageExtension(language)) })
  }, [language])

  return (
    // Fitted while the height is the default; a height the person dragged to is kept, the parent scrolling to it.
    <div className={fit && !chosen ? 'code-editor fit' : 'code-editor'}>
      <div className="code-editor-host" ref={host} style={{ height, minHeight: MIN_HEIGHT }} />
      <ResizeBar
        label={`Resize ${label}`}
        size={height}
        shown={() => host.current?.getBoundingClientRect().height ?? height}
        min={MIN_HEIGHT}
        max={MAX_HEIGHT}
        onResize={setHeight}
      />
    </div>
  )
}
