import type { Locator } from '@playwright/test'

/**
 * Replaces a CodeMirror editor's text as a person does: click into it, select all with the keyboard, type.
 *
 * `locator.fill()` selects the editor's DOM contents and inserts over a second round trip, so CodeMirror must read
 * that DOM selection in between. Just after focus it deliberately puts back its own cursor when the browser's
 * selection looks like a caret at the start, and an update dropping unread DOM selection changes can come in the
 * same window: under load fill's text has landed beside the old text (`{"m{}` for `{}`, clean-clone CI). Ctrl/Cmd+A
 * goes through CodeMirror's keymap, so the selection is in the editor's state before anything is typed.
 */
export async function replaceEditorText(editor: Locator, text: string): Promise<void> {
  await editor.click()
  await editor.press('ControlOrMeta+a')
  await editor.page().keyboard.insertText(text)
}
