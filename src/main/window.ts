import { BrowserWindow } from 'electron'
import { isRendererUrl, type RendererLocation } from '../engine/hosts/renderer-location'
import { constructSecureWindow } from './window-options'

export interface WindowConfig {
  renderer: RendererLocation
  /** Absolute path of out/renderer/index.html; used when `renderer.kind === 'file'`. */
  indexHtmlPath: string
}

/** The one window factory. Navigation away from the renderer and new windows are refused outright. */
export function createMainWindow(config: WindowConfig): BrowserWindow {
  const win = constructSecureWindow(BrowserWindow)
  const wc = win.webContents

  // No new windows, and nothing handed to the OS to open: a response could otherwise launch programs.
  wc.setWindowOpenHandler((details) => {
    console.warn(`[flightdeck] blocked a new window for ${details.url.slice(0, 200)}`)
    return { action: 'deny' }
  })
  // One listener covers the main frame and sub-frames (will-navigate sees only the main frame). The main
  // frame may move only within our renderer (e.g. a hash route); sub-frames are not part of the UI at all.
  wc.on('will-frame-navigate', (details) => {
    if (details.isMainFrame && isRendererUrl(details.url, config.renderer)) return
    details.preventDefault()
    console.warn(`[flightdeck] blocked navigation to ${details.url.slice(0, 200)}`)
  })
  wc.on('will-redirect', (details) => {
    if (!isRendererUrl(details.url, config.renderer)) details.preventDefault()
  })
  wc.on('will-attach-webview', (event) => event.preventDefault())

  win.once('ready-to-show', () => win.show())

  void (config.renderer.kind === 'dev'
    ? win.loadURL(config.renderer.url)
    : win.loadFile(config.indexHtmlPath))
  return win
}
