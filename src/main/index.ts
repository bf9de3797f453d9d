import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, safeStorage, session } from 'electron'
import { createEngineService, type EngineService } from '../engine/service'
import { bindIpc, type IpcBinding } from './ipc'
import { keychainSecretStore, pickFolder } from './safe-storage'
import { pickFile, pickSavePath } from './save-dialog'
import { devRendererLocation, fileRendererLocation, type RendererLocation } from './renderer-location'
import { pageScriptSources } from '../shared/renderer-csp'
import { prepareAppSession } from './app-session'
import { APP_PARTITION } from './window-options'
import { createMainWindow } from './window'

/**
 * The Electron host: app lifecycle only. The engine does the work, src/main/ipc.ts carries commands and
 * events, src/main/window.ts owns the window and its security settings.
 */

// Paths are relative to the built file (out/main/index.js), which is what Electron runs in every mode.
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url))
const indexHtmlPath = fileURLToPath(new URL('../renderer/index.html', import.meta.url))

// electron-vite sets ELECTRON_RENDERER_URL only under `electron-vite dev`; a packaged app never has it.
const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined
const renderer: RendererLocation = devUrl ? devRendererLocation(devUrl) : fileRendererLocation(indexHtmlPath)

// Every renderer is sandboxed, including any a bug might create outside our window factory.
app.enableSandbox()

/** The built page's script-src (its CSP meta pins the bundle by hash); null if the page cannot be read. */
function readPageScripts(path: string): string[] | null {
  try {
    return pageScriptSources(readFileSync(path, 'utf8'))
  } catch (e) {
    console.error(`[flightdeck] cannot read ${path}`, e)
    return null
  }
}

let service: EngineService | null = null
let ipc: IpcBinding | null = null
let mainWindow: BrowserWindow | null = null
let disposed = false

function openWindow(): void {
  mainWindow = createMainWindow({ renderer, indexHtmlPath })
  ipc?.attach(mainWindow)
  mainWindow.on('closed', () => {
    mainWindow = null
  })
}

if (!app.requestSingleInstanceLock()) {
  // A second launch just focuses the first; two engines would fight over nothing but confuse the user.
  app.quit()
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore()
      mainWindow.focus()
    }
  })

  // Defence in depth for any webContents at all: no new windows, no <webview>.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })

  void app.whenReady().then(() => {
    prepareAppSession(session.fromPartition(APP_PARTITION), {
      preloadPath,
      renderer,
      pageScripts: renderer.kind === 'file' ? readPageScripts(indexHtmlPath) : null,
    })
    service = createEngineService({
      host: 'electron',
      configDir: app.getPath('userData'),
      secrets: keychainSecretStore(),
      pickFolder: () => pickFolder(mainWindow),
      pickSavePath: (name) => pickSavePath(mainWindow, name),
      pickFile: () => pickFile(mainWindow),
      capabilities: { keychain: safeStorage.isEncryptionAvailable() },
    })
    ipc = bindIpc(service, renderer)
    openWindow()

    app.on('activate', () => {
      // macOS: clicking the dock icon with no window open reopens one.
      if (BrowserWindow.getAllWindows().length === 0) openWindow()
    })
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  app.on('will-quit', (event) => {
    if (disposed || !service) return
    // Let in-flight requests be cancelled and temp body files removed before the process goes.
    event.preventDefault()
    disposed = true
    ipc?.dispose()
    const s = service
    service = null
    void s
      .dispose()
      .catch((e: unknown) => console.error('[flightdeck] engine dispose failed', e))
      .finally(() => app.quit())
  })
}
