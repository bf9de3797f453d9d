import { hasScript, type ScriptsDraft } from './script-draft'

/**
 * The composer's height its Scripts tab wants, so a request's scripts open whole instead of at the composer's
 * floor (three lines each). Measured in Chromium on scripts.css: the request line and the tabs (75 px) and, side by
 * side, one heading, the grips, the sandbox note and the panel's padding (68 px) around the editors; stacked, a
 * second heading, grip and the gap between them (108 px in the panel). An editor shows n lines whole in
 * 17 n + 25 px (CodeMirror's padding and a line's room to type on), never less than its least (61 px).
 */
const HEADS = 75
const AROUND_SIDE_BY_SIDE = 68
const AROUND_STACKED = 108
const LINE = 17
const EDITOR_PADDING = 25
const EDITOR_LEAST = 61
/**
 * The panel's padding and the sandbox note's line's share of the width the editors stand side by side from (the
 * `.scripts-panel` container query in scripts.css: wider than 900 px of panel).
 */
const SIDE_BY_SIDE_FROM = 900 + 20 + 1

function editorHeight(text: string): number {
  if (!hasScript(text)) return EDITOR_LEAST
  const lines = text.replace(/\n+$/, '').split('\n').length
  return Math.max(EDITOR_LEAST, LINE * lines + EDITOR_PADDING)
}

/**
 * The height that shows every line of the request's scripts, or null when it has none (the floor is enough):
 * the longer of the two side by side, both stacked in a panel narrower than SIDE_BY_SIDE_FROM. `mainWidth` is
 * the width beside the collections (the composer's). The caller keeps it within the window's room.
 */
export function scriptsComposerHeight(scripts: ScriptsDraft, mainWidth: number): number | null {
  if (!hasScript(scripts.preRequest) && !hasScript(scripts.test)) return null
  const pre = editorHeight(scripts.preRequest)
  const post = editorHeight(scripts.test)
  return mainWidth > SIDE_BY_SIDE_FROM
    ? HEADS + AROUND_SIDE_BY_SIDE + Math.max(pre, post)
    : HEADS + AROUND_STACKED + pre + post
}
