import type { RendererLocation } from './renderer-location'

/**
 * The window's own persistent session. The bridge (src/preload) is registered on this session, not in the
 * window's options (src/main/app-session.ts), so only a page in this session — our one window — ever gets it.
 */
export const APP_PARTITION = 'persist:flightdeck'

/**
 * The Flightdeck window's security settings as plain data, so a unit test can pin them and the Electron e2e
 * spec can compare them with what the live window reports. Only `import type` from electron: this module
 * must load under vitest without the Electron binary.
 */

/** Mirrors the subset of Electron's `WebPreferences` we set; kept structural so no runtime import is needed. */
export interface SecureWebPreferences {
  partition: typeof APP_PARTITION
  contextIsolation: true
  sandbox: true
  nodeIntegration: false
  nodeIntegrationInWorker: false
  nodeIntegrationInSubFrames: false
  webSecurity: true
  allowRunningInsecureContent: false
  experimentalFeatures: false
  webviewTag: false
  navigateOnDragDrop: false
  safeDialogs: true
  spellcheck: false
  disableBlinkFeatures: string
}

export interface WindowOptions {
  width: number
  height: number
  minWidth: number
  minHeight: number
  title: string
  show: boolean
  backgroundColor: string
  autoHideMenuBar: boolean
  webPreferences: SecureWebPreferences
}

/**
 * The one place a window is constructed. It takes the BrowserWindow class as an argument so that the literal
 * below is both what Electron gets and what the unit test (and Electronegativity, which reads this source)
 * sees; window.ts passes Electron's class, tests pass a recorder.
 */
export function constructSecureWindow<T>(BrowserWindow: new (options: WindowOptions) => T): T {
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

/** The options the factory passes, as plain data (what the tests and the Electron e2e spec compare). */
export function windowOptions(): WindowOptions {
  const seen: WindowOptions[] = []
  constructSecureWindow(
    class {
      constructor(options: WindowOptions) {
        seen.push(options)
      }
    },
  )
  const options = seen[0]
  if (!options) throw new Error('window factory constructed nothing')
  return options
}

export function secureWebPreferences(): SecureWebPreferences {
  return windowOptions().webPreferences
}

/**
 * The renderer's Content-Security-Policy header. Scripts: exactly the ones the built page's own CSP meta pins by
 * hash (`pageScripts`, read from index.html; none at all when it could not be read); styles from 'self'; no
 * network at all (everything goes through IPC). Vite's dev server needs an inline React-refresh preamble and its
 * HMR WebSocket, so dev relaxes exactly those two, for that origin only.
 */
export function rendererCsp(
  location: RendererLocation,
  pageScripts: readonly string[] | null = null,
): string {
  const devOrigin = location.kind === 'dev' ? location.origin : null
  const wsDevOrigin = devOrigin ? devOrigin.replace(/^http/, 'ws') : null
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', devOrigin ? `'self' 'unsafe-inline' ${devOrigin}` : (pageScripts ?? ["'none'"]).join(' ')],
    ['style-src', devOrigin ? `'self' 'unsafe-inline' ${devOrigin}` : "'self' 'unsafe-inline'"],
    ['img-src', "'self' data: blob:"],
    ['font-src', "'self' data:"],
    ['connect-src', devOrigin && wsDevOrigin ? `'self' ${devOrigin} ${wsDevOrigin}` : "'none'"],
    ['worker-src', "'self' blob:"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-src', "'none'"],
    ['frame-ancestors', "'none'"],
  ]
  return directives.map(([k, v]) => `${k} ${v}`).join('; ')
}
