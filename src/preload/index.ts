import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
// Values from constants (no schema library in the preload bundle); only types from the contract.
import { EVENT_NAMES, IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/constants'
import type {
  CommandName,
  CommandRequest,
  CommandResponse,
  EventName,
  FlightdeckApi,
} from '../shared/contract'
import type { Result } from '../shared/result'

/**
 * The whole preload: `window.api` as the contract defines it, over two IPC channels. Nothing else is exposed
 * (no ipcRenderer, no channel choice), so the page can only send `{ name, payload }` on the command channel,
 * which main validates anyway. Bundled to one CommonJS file, as a sandboxed preload must be.
 */

function isKnownEvent(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as string[]).includes(name)
}

const api: FlightdeckApi = {
  invoke<K extends CommandName>(name: K, payload: CommandRequest<K>): Promise<Result<CommandResponse<K>>> {
    const reply = ipcRenderer.invoke(IPC_COMMAND_CHANNEL, { name, payload }) as Promise<
      Result<CommandResponse<K>>
    >
    // Only an Electron-level failure rejects (main never throws); keep errors as data for the UI.
    return reply.catch((e: unknown): Result<CommandResponse<K>> => ({
      ok: false,
      error: { code: 'internal', message: 'IPC failed', detail: e instanceof Error ? e.message : String(e) },
    }))
  },
  on(name, listener) {
    if (!isKnownEvent(name)) throw new Error(`Unknown event: ${String(name)}`)
    const handler = (_event: IpcRendererEvent, message: unknown): void => {
      if (typeof message !== 'object' || message === null) return
      const m = message as { name?: unknown; payload?: unknown }
      if (m.name === name) (listener as (payload: unknown) => void)(m.payload)
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler)
    }
  },
}

contextBridge.exposeInMainWorld('api', api)
