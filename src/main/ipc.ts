import { ipcMain, type BrowserWindow } from 'electron'
import { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/contract'
import type { Result } from '../shared/result'
import type { EngineService } from '../engine/service'
import { handleIpcCommand, senderFacts } from '../engine/hosts/ipc-guard'
import type { RendererLocation } from '../engine/hosts/renderer-location'

export interface IpcBinding {
  /** Point the binding at a (new) window: commands are accepted from it only, events go to it only. */
  attach(win: BrowserWindow): void
  dispose(): void
}

/** Binds the engine service to ipcMain. All policy lives in the pure guard; this file only adapts Electron. */
export function bindIpc(
  service: Pick<EngineService, 'call' | 'onEvent'>,
  renderer: RendererLocation,
): IpcBinding {
  let win: BrowserWindow | null = null
  const live = (): BrowserWindow | null =>
    win && !win.isDestroyed() && !win.webContents.isDestroyed() ? win : null

  ipcMain.handle(IPC_COMMAND_CHANNEL, (event, message: unknown): Promise<Result<unknown>> => {
    const policy = { windowWebContentsId: live()?.webContents.id ?? null, renderer }
    return handleIpcCommand(service, senderFacts(event), message, policy)
  })
  // The engine's one event path, to our window only.
  const offEvents = service.onEvent((event) => live()?.webContents.send(IPC_EVENT_CHANNEL, event))

  return {
    attach(next) {
      win = next
    },
    dispose() {
      offEvents()
      ipcMain.removeHandler(IPC_COMMAND_CHANNEL)
      win = null
    },
  }
}
