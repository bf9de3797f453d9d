import { app, dialog, safeStorage, shell, type BrowserWindow, type OpenDialogOptions } from 'electron'
import { chosenPath } from '../engine/hosts/dialog-answer'
import { sealedSecretStore } from '../engine/secrets/sealed-secret-store'
import type { SecretStore } from '../engine/secrets/secret-store'
import { externalUrlProblem } from '../shared/trace-context'

/* The Electron bindings for the keychain and the system dialogs; their logic is in the engine and tested there.
 * safeStorage uses Keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux. Call after whenReady(). */
export function keychainSecretStore(): SecretStore {
  return sealedSecretStore(app.getPath('userData'), safeStorage)
}

function open(win: BrowserWindow | null, options: OpenDialogOptions) {
  return win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options)
}

/** `collection.pick`: open or create a collection folder. */
export async function pickFolder(win: BrowserWindow | null): Promise<string | null> {
  const title = 'Open or create a collection folder'
  return chosenPath(await open(win, { title, properties: ['openDirectory', 'createDirectory'] }))
}

/** `draft.pickFile`: a body file. */
export async function pickFile(win: BrowserWindow | null): Promise<string | null> {
  return chosenPath(await open(win, { title: 'Choose a file to send', properties: ['openFile'] }))
}

/** `body.save` without a path: where to write the body; null when the person cancels. */
export async function pickSavePath(win: BrowserWindow | null, suggestedName: string): Promise<string | null> {
  const properties = ['createDirectory', 'showOverwriteConfirmation'] as const
  const options = { defaultPath: suggestedName, properties: [...properties] }
  const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
  return result.canceled || !result.filePath ? null : result.filePath
}

/** `app.openExternal`: the engine checked the link; checked again here, so nothing can open another scheme. */
export async function openInSystemBrowser(url: string): Promise<void> {
  if (externalUrlProblem(url) !== null) throw new Error(`Not opened: ${externalUrlProblem(url)}`)
  await shell.openExternal(new URL(url).href)
}
