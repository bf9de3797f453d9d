import type { Extension } from '@codemirror/state'
import { EditorView } from '@codemirror/view'
import { useEffect, useState, type RefObject } from 'react'

/** The latest `onChange` and the text last handed to it, shared by the view's listener and the sync below. */
class DocBinding {
  emitted: string | null = null
  constructor(public onChange: (text: string) => void) {}
  readonly listener: Extension = EditorView.updateListener.of((u) => {
    if (!u.docChanged) return
    const text = u.state.doc.toString()
    this.emitted = text
    this.onChange(text)
  })

  follow(onChange: (text: string) => void): void {
    this.onChange = onChange
  }

  /** Puts `value` into the view unless it is the text the view handed out last (or already holds). */
  sync(v: EditorView | null, value: string): void {
    if (!v || this.emitted === value || v.state.doc.toString() === value) return
    this.emitted = value
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } })
  }
}

/**
 * A CodeMirror view bound to a store string: the returned extension (put it in the view's extensions) hands
 * each edit to the latest `onChange`; when `value` changes from outside (another tab, a file loaded), the
 * document is replaced as one change. The text last handed out is remembered, so the store echoing it back
 * costs no comparison.
 */
export function useControlledDoc(
  view: RefObject<EditorView | null>,
  value: string,
  onChange: (text: string) => void,
): Extension {
  const [binding] = useState(() => new DocBinding(onChange))
  useEffect(() => {
    binding.follow(onChange)
  })
  useEffect(() => {
    binding.sync(view.current, value)
  }, [binding, view, value])
  return binding.listener
}
