import { join } from 'node:path'
import { FileSecretStore, type SecretStore } from './secret-store'

/**
 * The desktop app's secret store, without Electron: what safeStorage offers (seal and unseal a string with
 * the OS keychain) is passed in, so this logic runs under plain Node in tests and src/main only binds it to
 * Electron's API.
 */
export interface Sealer {
  isEncryptionAvailable(): boolean
  encryptString(plain: string): Buffer
  decryptString(sealed: Buffer): string
}

/**
 * Values sealed with the keychain, kept in a 0600 file in the app's user-data folder. Where the OS offers no
 * keychain, values fall back to a 0600 file unsealed, as the browser host and CLI keep them — and we say so.
 */
export function sealedSecretStore(
  userDataDir: string,
  sealer: Sealer,
  warn: (line: string) => void = (line) => console.warn(line),
): SecretStore {
  if (!sealer.isEncryptionAvailable()) {
    warn('[flightdeck] OS keychain unavailable: secrets are kept in a 0600 file instead')
    return new FileSecretStore(join(userDataDir, 'secrets.json'))
  }
  return new FileSecretStore(join(userDataDir, 'secrets.sealed.json'), {
    encode: (value) => sealer.encryptString(value).toString('base64'),
    decode: (stored) => sealer.decryptString(Buffer.from(stored, 'base64')),
  })
}
