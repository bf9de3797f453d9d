import { afterAll, describe, expect, it } from 'vitest'
import { createAppStore } from '../../src/renderer/store/app-store'
import type { AppInfo } from '../../src/shared/contract'
import { fakeClient } from './fake-client'
import { startEngine, stopEngines } from './store-over-engine'

/**
 * The renderer asks what the host can do (`app.info`'s capabilities), never which host it is: a host that
 * offers the system dialogs gets the Choose… buttons whatever its name, and a save without a path becomes a
 * download only where the host says it downloads.
 */

afterAll(stopEngines)

const dialogs = {
  pickFolder: async () => null,
  pickFile: async () => null,
  pickSavePath: async () => null,
}

describe('the renderer asks the host what it can do', () => {
  it('app.info says which dialogs, downloads and keychain the host offers', async () => {
    const plain = await startEngine({ host: 'web', capabilities: { downloads: true } }).service.invoke(
      'app.info',
      {},
    )
    expect(plain.ok && plain.value.capabilities).toEqual({
      nativeDialogs: false,
      downloads: true,
      keychain: false,
      lastSessionOffer: false,
      openExternal: false,
    })
    const desktop = await startEngine({
      host: 'test',
      ...dialogs,
      capabilities: { keychain: true },
    }).service.invoke('app.info', {})
    expect(desktop.ok && desktop.value.capabilities).toMatchObject({ nativeDialogs: true, keychain: true })
  })

  it('a host with the system dialogs offers the folder picker, whatever host it is', async () => {
    const store = startEngine({ host: 'web', ...dialogs }).store({ connect: false })
    await store.getState().loadCollections()
    expect(store.getState().canPickFolder).toBe(true)
  })

  it('a desktop host without the dialogs does not offer the folder picker', async () => {
    const store = startEngine({ host: 'electron' }).store({ connect: false })
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
