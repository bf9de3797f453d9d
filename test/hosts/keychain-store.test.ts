import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { chosenPath } from '../../src/engine/hosts/dialog-answer'
import { sealedSecretStore, type Sealer } from '../../src/engine/secrets/sealed-secret-store'
import { makeService } from '../engine/helpers'

/**
 * The desktop app's secrets and folder picker, minus Electron (whose binary cannot run here): the sealer is a
 * real AES-256-GCM cipher with a key only this process knows, standing in for the OS keychain.
 */
function aesSealer(key = randomBytes(32)): Sealer {
  return {
    isEncryptionAvailable: () => true,
    encryptString(plain) {
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), body])
    },
    decryptString(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
      d.setAuthTag(sealed.subarray(12, 28))
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8')
    },
  }
}

describe('desktop secret store (keychain-sealed)', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-keychain-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps values sealed at rest in a 0600 file and reads them back in a new session', async () => {
    const key = randomBytes(32)
    const store = sealedSecretStore(dir, aesSealer(key))
    await store.set('coll|env:prod|token', 'plain-secret-value-123')
    const file = join(dir, 'secrets.sealed.json')
    expect(readFileSync(file, 'utf8')).not.toContain('plain-secret-value-123')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    // A new app session with the same keychain reads it.
    expect(await sealedSecretStore(dir, aesSealer(key)).get('coll|env:prod|token')).toBe(
      'plain-secret-value-123',
    )
    // Another keychain (another user or machine) cannot.
    await expect(sealedSecretStore(dir, aesSealer()).get('coll|env:prod|token')).rejects.toThrow()
  })

  it('falls back to the plain 0600 file, and says so, when the OS has no keychain', async () => {
    const warnings: string[] = []
    const store = sealedSecretStore(dir, { ...aesSealer(), isEncryptionAvailable: () => false }, (l) =>
      warnings.push(l),
    )
    await store.set('k', 'v-1')
    expect(warnings.join('\n')).toContain('keychain unavailable')
    expect(readdirSync(dir)).toEqual(['secrets.json'])
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600)
  })

  it('a service built with the sealed store sends the secret but the collection folder never holds it', async () => {
    const collection = mkdtempSync(join(tmpdir(), 'fd-keychain-coll-'))
    const service = makeService({
      configDir: dir,
      secrets: sealedSecretStore(dir, aesSealer()),
      watchCollections: false,
    })
    try {
      await service.invoke('collection.open', { dir: collection, create: true, name: 'Sealed' })
      await service.invoke('environment.save', {
        dir: collection,
        id: 'prod',
        name: 'Prod',
        variables: [{ name: 'token', value: 'sealed-token-xyz', secret: true }],
      })
      const listed = await service.invoke('variables.list', {
        context: { dir: collection, path: 'r.yaml', env: 'prod' },
      })
      expect(listed.ok && listed.value.variables.find((v) => v.name === 'token')?.secret).toBe(true)
      expect(readFileSync(join(collection, 'environments', 'prod.yaml'), 'utf8')).not.toContain(
        'sealed-token-xyz',
      )
      expect(readFileSync(join(dir, 'secrets.sealed.json'), 'utf8')).not.toContain('sealed-token-xyz')
    } finally {
      await service.dispose()
      rmSync(collection, { recursive: true, force: true })
    }
  })
})

describe('desktop folder picker', () => {
  it('answers the chosen folder, or null when cancelled', () => {
    expect(chosenPath({ canceled: false, filePaths: ['/home/me/api'] })).toBe('/home/me/api')
    expect(chosenPath({ canceled: true, filePaths: ['/home/me/api'] })).toBeNull()
    expect(chosenPath({ canceled: false, filePaths: [] })).toBeNull()
  })

  it('collection.pick hands the picked folder to the app, and says so when the host has no picker', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'fd-pick-'))
    const withPicker = makeService({
      configDir,
      pickFolder: async () => '/home/me/api',
      watchCollections: false,
    })
    const without = makeService({ configDir, watchCollections: false })
    try {
      const picked = await withPicker.invoke('collection.pick', {})
      expect(picked.ok && picked.value.dir).toBe('/home/me/api')
      const none = await without.invoke('collection.pick', {})
      expect(none.ok).toBe(false)
      if (!none.ok) expect(none.error.message).toContain('type the folder path')
    } finally {
      await withPicker.dispose()
      await without.dispose()
      rmSync(configDir, { recursive: true, force: true })
    }
  })
})
