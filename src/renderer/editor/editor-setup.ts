import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { javascript } from '@codemirror/lang-javascript'
import { json } from '@codemirror/lang-json'
import { xml } from '@codemirror/lang-xml'
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from '@codemirror/language'
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search'
import type { Extension } from '@codemirror/state'
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view'
import { classHighlighter, tagHighlighter, tags } from '@lezer/highlight'
import { scriptCompletionSource } from '../scripts/script-completion'
import { variableCompletionSource, variableSupport } from './variable-extensions'

/**
 * What every code editor in the app has: line numbers, folding, bracket matching, search (Ctrl/Cmd+F), undo,
 * `{{variable}}` highlight, completion and hover. Colours are CSS classes (`tok-*` from lezer's class
 * highlighter, `cm-var-*`) styled in editor.css from the app's CSS variables, so light and dark follow the
 * app's theme with no second CodeMirror theme.
 */

export type EditorLanguage = 'json' | 'xml' | 'text' | 'javascript'

export function languageExtension(lang: EditorLanguage): Extension {
  if (lang === 'javascript') return javascript()
  return lang === 'json' ? json() : lang === 'xml' ? xml() : []
}

/** The language a text body is coloured as, from its content type. */
export function languageForContentType(contentType: string): EditorLanguage {
  const ct = contentType.toLowerCase()
  if (/[/+]xml\b/.test(ct) || ct.includes('xml')) return 'xml'
  if (/[/+]json\b/.test(ct)) return 'json'
  return 'text'
}

/*
 * Ctrl/Cmd+Enter sends the request from anywhere in the window (use-global-shortcuts.ts): the editor must not
 * take it for "insert blank line".
 */
const editingKeys = defaultKeymap.filter((b) => b.key !== 'Mod-Enter')

/** Markup names the class highlighter leaves out (it has no class for XML tags and attributes). */
const markupClasses = tagHighlighter([
  { tag: tags.tagName, class: 'tok-tagName' },
  { tag: tags.attributeName, class: 'tok-attributeName' },
  { tag: tags.attributeValue, class: 'tok-attributeValue' },
  { tag: tags.angleBracket, class: 'tok-punctuation' },
])

/** The app's colours for CodeMirror (editors with their own setup, as gRPC's message editor, use it too). */
export const baseTheme = EditorView.theme({
  '&': {
    height: '100%',
    fontSize: '12px',
    backgroundColor: 'var(--bg-input)',
    color: 'var(--fg)',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '17px', overflow: 'auto' },
  '.cm-content': { caretColor: 'var(--fg)', padding: '4px 0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--fg)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground': {
    backgroundColor: 'var(--bg-selected-strong)',
  },
  '.cm-gutters': {
    backgroundColor: 'var(--bg-panel)',
    color: 'var(--fg-faint)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--bg-hover) 60%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--bg-hover)', color: 'var(--fg-muted)' },
  '&.cm-focused .cm-matchingBracket': {
    backgroundColor: 'color-mix(in srgb, var(--accent) 25%, transparent)',
    outline: '1px solid color-mix(in srgb, var(--accent) 60%, transparent)',
  },
  '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: 'var(--danger-bg)', color: 'var(--danger)' },
  '.cm-selectionMatch': { backgroundColor: 'color-mix(in srgb, var(--accent) 15%, transparent)' },
  '.cm-foldPlaceholder': {
    backgroundColor: 'var(--bg-hover)',
    border: '1px solid var(--border)',
    color: 'var(--fg-muted)',
  },
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
  '.cm-panels': { backgroundColor: 'var(--bg-panel)', color: 'var(--fg)' },
  '.cm-panels-bottom': { borderTop: '1px solid var(--border)' },
  '.cm-textfield': {
    backgroundColor: 'var(--bg-input)',
    color: 'var(--fg)',
    border: '1px solid var(--border-strong)',
  },
  '.cm-button': { backgroundImage: 'none', backgroundColor: 'var(--bg-raised)', color: 'var(--fg)' },
  '.cm-searchMatch': { backgroundColor: 'color-mix(in srgb, var(--warn) 30%, transparent)' },
  '.cm-searchMatch-selected': { backgroundColor: 'color-mix(in srgb, var(--accent) 35%, transparent)' },
})

/** The editor's fixed extensions (language, scope, label and placeholder are added per editor). */
export function basicEditor(): Extension {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    foldGutter(),
    drawSelection(),
    indentOnInput(),
    indentUnit.of('  '),
    syntaxHighlighting(classHighlighter),
    syntaxHighlighting(markupClasses),
    bracketMatching(),
    closeBrackets(),
    // The script API completes only where the language is JavaScript (the Scripts tab's editors).
    autocompletion({ override: [variableCompletionSource, scriptCompletionSource], icons: false }),
    highlightActiveLine(),
    highlightSelectionMatches(),
    variableSupport({ hoverBelow: true }),
    baseTheme,
    keymap.of([
      ...closeBracketsKeymap,
      ...editingKeys,
      ...searchKeymap,
      ...historyKeymap,
      ...foldKeymap,
      ...completionKeymap,
    ]),
  ]
}
