import { join } from 'node:path'
import { app, dialog, safeStorage, type BrowserWindow } from 'electron'
import { FileSecretStore, type SecretStore } from '../engine/secrets/secret-store'

/**
 * The desktop app's secret store: values sealed with the OS keychain (Electron safeStorage: Keychain on macOS,
 * DPAPI on Windows, libsecret/kwallet on Linux), kept in a 0600 file in the app's user-data folder. Where the
 * OS offers no keychain, values fall back to the same 0600 file unsealed, as the browser host and CLI keep them.
 * Call after `app.whenReady()`.
 */
export function keychainSecretStore(): SecretStore {
  const dir = app.getPath('userData')
  if (!safeStorage.isEncryptionAvailable()) {
    console.warn('[flightdeck] OS keychain unavailable: secrets are kept in a 0600 file instead')
    return new FileSecretStore(join(dir, 'secrets.json'))
  }
  return new FileSecretStore(join(dir, 'secrets.sealed.json'), {
    encode: (value) => safeStorage.encryptString(value).toString('base64'),
    decode: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
  })
}

/** The native "open folder" dialog behind `collection.pick`. */
export async function pickFolder(win: BrowserWindow | null): Promise<string | null> {
  const options = {
    title: 'Open or create a collection folder',
    properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[],
  }
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
  return result.canceled ? null : (result.filePaths[0] ?? null)
}
