import { dialog, type BrowserWindow } from 'electron'

/** The native "save as" dialog behind `body.save` without a path; null when the person cancels. */
export async function pickSavePath(win: BrowserWindow | null, suggestedName: string): Promise<string | null> {
  const options = {
    defaultPath: suggestedName,
    properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const],
  }
  const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
  return result.canceled || !result.filePath ? null : result.filePath
}

/** The native "open file" dialog behind `draft.pickFile` (a body file); null when the person cancels. */
export async function pickFile(win: BrowserWindow | null): Promise<string | null> {
  const options = { title: 'Choose a file to send', properties: ['openFile' as const] }
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
  return result.canceled ? null : (result.filePaths[0] ?? null)
}
