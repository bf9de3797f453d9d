import { BrowserWindow, shell, type Session } from 'electron'
import { isRendererUrl, type RendererLocation } from './renderer-location'
import { rendererCsp, windowOptions } from './window-options'

export interface WindowConfig {
  preloadPath: string
  renderer: RendererLocation
  /** Absolute path of out/renderer/index.html; used when `renderer.kind === 'file'`. */
  indexHtmlPath: string
}

/**
 * Session-wide hardening, applied once before any window exists: every response for our documents gets the
 * CSP header (file:// and the dev server alike), and every permission request or check is denied — an HTTP
 * explorer needs no camera, notifications or geolocation, and a compromised page must not be able to ask.
 */
export function hardenSession(session: Session, renderer: RendererLocation): void {
  const csp = rendererCsp(renderer)
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) }
    // Replace whatever the dev server sent, whatever its casing, so exactly one policy applies.
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === 'content-security-policy') delete headers[key]
    }
    headers['Content-Security-Policy'] = [csp]
    headers['X-Content-Type-Options'] = ['nosniff']
    callback({ responseHeaders: headers })
  })
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
}

/** The one window factory. Navigation away from the renderer and new windows are refused outright. */
export function createMainWindow(config: WindowConfig): BrowserWindow {
  const win = new BrowserWindow(windowOptions(config.preloadPath))
  const wc = win.webContents

  wc.setWindowOpenHandler((details) => {
    // Links to the web (docs, a response's URL) open in the user's browser, never inside the app.
    openExternally(details.url)
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

  if (config.renderer.kind === 'dev') {
    void win.loadURL(config.renderer.url)
  } else {
    void win.loadFile(config.indexHtmlPath)
  }
  return win
}

function openExternally(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return
  }
  // Only web links: file:, javascript: or custom schemes could launch local programs.
  if (parsed.protocol === 'https:' || parsed.protocol === 'http:') void shell.openExternal(parsed.href)
}
