import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, safeStorage, session } from 'electron'
import { createEngineService, type EngineService } from '../engine/service'
import { readPageScripts } from '../engine/hosts/page-csp'
import {
  devRendererLocation,
  fileRendererLocation,
  type RendererLocation,
} from '../engine/hosts/renderer-location'
import { prepareAppSession } from './app-session'
import { keychainSecretStore, openInSystemBrowser, pickFile, pickFolder, pickSavePath } from './dialogs'
import { bindIpc, type IpcBinding } from './ipc'
import { createMainWindow } from './window'
import { APP_PARTITION } from './window-options'

/* The Electron host: app lifecycle only. The engine does the work, ipc.ts carries commands and events, window.ts
 * and app-session.ts own the window and its security, dialogs.ts the keychain and the system dialogs. */

// Paths are relative to the built file (out/main/index.js), which is what Electron runs in every mode.
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url))
const indexHtmlPath = fileURLToPath(new URL('../renderer/index.html', import.meta.url))

// electron-vite sets ELECTRON_RENDERER_URL only under `electron-vite dev`; a packaged app never has it.
const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined
const renderer: RendererLocation = devUrl ? devRendererLocation(devUrl) : fileRendererLocation(indexHtmlPath)

// Every renderer is sandboxed, including any a bug might create outside our window factory.
app.enableSandbox()

let service: EngineService | null = null
let ipc: IpcBinding | null = null
let mainWindow: BrowserWindow | null = null
let disposed = false

function openWindow(): void {
  mainWindow = createMainWindow({ renderer, indexHtmlPath })
  ipc?.attach(mainWindow)
  mainWindow.on('closed', () => (mainWindow = null))
}

if (!app.requestSingleInstanceLock()) {
  // A second launch just focuses the first; two engines would fight over nothing but confuse the user.
  app.quit()
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore()
    mainWindow?.focus()
  })

  // Defence in depth for any webContents at all: no new windows, no <webview>.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })

  void app.whenReady().then(() => {
    const pageScripts = renderer.kind === 'file' ? readPageScripts(indexHtmlPath) : null
    prepareAppSession(session.fromPartition(APP_PARTITION), { preloadPath, renderer, pageScripts })
    service = createEngineService({
      host: 'electron',
      configDir: app.getPath('userData'),
      secrets: keychainSecretStore(),
      pickFolder: () => pickFolder(mainWindow),
      pickSavePath: (name) => pickSavePath(mainWindow, name),
      pickFile: () => pickFile(mainWindow),
      openExternal: openInSystemBrowser,
      capabilities: { keychain: safeStorage.isEncryptionAvailable() },
    })
    ipc = bindIpc(service, renderer)
    openWindow()
    // macOS: clicking the dock icon with no window open reopens one.
    app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && openWindow())
  })

  app.on('window-all-closed', () => process.platform !== 'darwin' && app.quit())

  app.on('will-quit', (event) => {
    if (disposed || !service) return
    // Let in-flight requests be cancelled and temp body files removed before the process goes.
    event.preventDefault()
    disposed = true
    ipc?.dispose()
    void service
      .dispose()
      .catch((e: unknown) => console.error('[flightdeck] engine dispose failed', e))
      .finally(() => app.quit())
  })
}
