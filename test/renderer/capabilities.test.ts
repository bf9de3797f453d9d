import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService, type EngineServiceOptions } from '../../src/engine/service'
import { createAppStore } from '../../src/renderer/store/app-store'
import type { AppInfo } from '../../src/shared/contract'
import { engineClient } from './engine-client'
import { fakeClient } from './fake-client'

/**
 * The renderer asks what the host can do (`app.info`'s capabilities), never which host it is: a host that
 * offers the system dialogs gets the Choose… buttons whatever its name, and a save without a path becomes a
 * download only where the host says it downloads.
 */

const services: EngineService[] = []
const dirs: string[] = []

function engine(options: Omit<EngineServiceOptions, 'configDir'>): EngineService {
  const configDir = mkdtempSync(join(tmpdir(), 'flightdeck-caps-'))
  dirs.push(configDir)
  const s = createEngineService({ configDir, watchCollections: false, persistWorkspace: false, ...options })
  services.push(s)
  return s
}

afterAll(async () => {
  await Promise.all(services.map((s) => s.dispose()))
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const dialogs = {
  pickFolder: async () => null,
  pickFile: async () => null,
  pickSavePath: async () => null,
}

describe('the renderer asks the host what it can do', () => {
  it('app.info says which dialogs, downloads and keychain the host offers', async () => {
    const plain = await engine({ host: 'web', capabilities: { downloads: true } }).invoke('app.info', {})
    expect(plain.ok && plain.value.capabilities).toEqual({
      nativeDialogs: false,
      downloads: true,
      keychain: false,
      lastSessionOffer: false,
      openExternal: false,
    })
    const desktop = await engine({ host: 'test', ...dialogs, capabilities: { keychain: true } }).invoke(
      'app.info',
      {},
    )
    expect(desktop.ok && desktop.value.capabilities).toMatchObject({ nativeDialogs: true, keychain: true })
  })

  it('a host with the system dialogs offers the folder picker, whatever host it is', async () => {
    const store = createAppStore(engineClient(engine({ host: 'web', ...dialogs })))
    await store.getState().loadCollections()
    expect(store.getState().canPickFolder).toBe(true)
  })

  it('a desktop host without the dialogs does not offer the folder picker', async () => {
    const store = createAppStore(engineClient(engine({ host: 'electron' })))
    await store.getState().loadCollections()
    expect(store.getState().canPickFolder).toBe(false)
  })

  it('a save without a path is reported as a download only where the host downloads', async () => {
    const info = (downloads: boolean): AppInfo => ({
      version: '0',
      host: 'electron',
      capabilities: {
        nativeDialogs: false,
        downloads,
        keychain: false,
        lastSessionOffer: false,
        openExternal: false,
      },
      clockOrigin: 0,
      now: 0,
    })
    for (const downloads of [true, false]) {
      const fake = fakeClient({
        'app.info': () => ({ ok: true, value: info(downloads) }),
        'body.save': () => ({ ok: true, value: { path: null, bytes: 3 } }),
      })
      const store = createAppStore(fake.client)
      store.getState().connect()
      await new Promise((r) => setTimeout(r, 0))
      await store.getState().saveBody('reply.json', 'b1')
      expect(store.getState().saveNote).toEqual(
        downloads ? { bodyId: 'b1', text: 'Downloading reply.json' } : null,
      )
    }
  })
})
