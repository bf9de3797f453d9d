import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/contract'
import type { Result } from '../shared/result'
import type { EngineService } from '../engine/service'
import { handleIpcCommand, type SenderFacts } from './ipc-guard'
import type { RendererLocation } from './renderer-location'

export interface IpcBinding {
  /** Point the binding at a (new) window: commands are accepted from it only, events go to it only. */
  attach(win: BrowserWindow): void
  dispose(): void
}

function senderFacts(event: IpcMainInvokeEvent): SenderFacts {
  const frame = event.senderFrame
  const main = event.sender.mainFrame
  return {
    webContentsId: event.sender.id,
    frame: frame
      ? {
          url: frame.url,
          isMainFrame: frame.parent === null && frame.frameTreeNodeId === main.frameTreeNodeId,
        }
      : null,
  }
}

/** Binds the engine service to ipcMain. All policy lives in the pure guard; this file only adapts Electron. */
export function bindIpc(
  service: Pick<EngineService, 'call' | 'onEvent'>,
  renderer: RendererLocation,
): IpcBinding {
  let win: BrowserWindow | null = null

  ipcMain.handle(IPC_COMMAND_CHANNEL, (event, message: unknown): Promise<Result<unknown>> => {
    const windowId = win && !win.isDestroyed() ? win.webContents.id : null
    return handleIpcCommand(service, senderFacts(event), message, { windowWebContentsId: windowId, renderer })
  })

  const offEvents = service.onEvent((event) => {
    if (win && !win.isDestroyed() && !win.webContents.isDestroyed())
      win.webContents.send(IPC_EVENT_CHANNEL, event)
  })

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
