import type { BrowserWindowConstructorOptions } from 'electron'

/** The window's own session: the bridge is registered on it (app-session.ts), so only our window gets it. */
export const APP_PARTITION = 'persist:flightdeck'

/**
 * The one place a window is constructed, and its security settings. It takes the BrowserWindow class as an
 * argument so that the literal below is both what Electron gets and what the unit tests (and Electronegativity,
 * which reads this source) see: window.ts passes Electron's class, tests pass a recorder. Only `import type`
 * from electron, so this module loads under vitest without the Electron binary.
 */
export function constructSecureWindow<T>(
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => T,
): T {
  return new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Flightdeck',
    // Shown on 'ready-to-show' so the user never sees an unpainted window.
    show: false,
    backgroundColor: '#1e1f22',
    autoHideMenuBar: true,
    webPreferences: {
      // The session that carries the bridge as its preload, the CSP header and the permission refusals.
      partition: APP_PARTITION,
      // The renderer sees only what the preload exposes through contextBridge, in its own JS world.
      contextIsolation: true,
      // The renderer process runs in Chromium's OS sandbox; the preload gets only the renderer-safe electron API.
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      // Dropping a file on the window would otherwise navigate to it.
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // A middle click on a link must not open anything.
      disableBlinkFeatures: 'Auxclick',
    },
  })
}
