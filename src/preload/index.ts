import { contextBridge, ipcRenderer } from 'electron'
// Values from constants (no schema library in the preload bundle); the contract only as types.
import { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/constants'
import type { Result } from '../shared/result'
import { buildWindowApi } from '../shared/window-api'

/**
 * The whole preload: `window.api` as every host builds it (shared/window-api.ts), over two IPC channels. Nothing
 * else is exposed (no ipcRenderer, no channel choice), so the page can only send `{ name, payload }` on the
 * command channel, which main validates anyway. Bundled to one CommonJS file, as a sandboxed preload must be.
 */
const api = buildWindowApi({
  call: (name, payload) =>
    ipcRenderer.invoke(IPC_COMMAND_CHANNEL, { name, payload }) as Promise<Result<unknown>>,
  listen: (deliver) => {
    ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, message: unknown) => deliver(message))
  },
})

contextBridge.exposeInMainWorld('api', api)
