import { app, dialog, safeStorage, type BrowserWindow } from 'electron'
import type { SecretStore } from '../engine/secrets/secret-store'
import { chosenFolder, sealedSecretStore } from './keychain-store'

/**
 * The Electron bindings for secrets and folders, kept to a few lines: the logic is in keychain-store.ts and is
 * tested there. safeStorage uses Keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux.
 * Call after `app.whenReady()`.
 */
export function keychainSecretStore(): SecretStore {
  return sealedSecretStore(app.getPath('userData'), safeStorage)
}

/** The native "open folder" dialog behind `collection.pick`. */
export async function pickFolder(win: BrowserWindow | null): Promise<string | null> {
  const options = {
    title: 'Open or create a collection folder',
    properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[],
  }
  return chosenFolder(win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options))
}
