import type { RendererLocation } from './renderer-location'

/**
 * The Flightdeck window's security settings as plain data, so a unit test can pin them and the Electron e2e
 * spec can compare them with what the live window reports. Only `import type` from electron: this module
 * must load under vitest without the Electron binary.
 */

/** Mirrors the subset of Electron's `WebPreferences` we set; kept structural so no runtime import is needed. */
export interface SecureWebPreferences {
  preload: string
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
}

export function secureWebPreferences(preloadPath: string): SecureWebPreferences {
  return {
    preload: preloadPath,
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
  }
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

export function windowOptions(preloadPath: string): WindowOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Flightdeck',
    // Shown on 'ready-to-show' so the user never sees an unpainted window.
    show: false,
    backgroundColor: '#1e1f22',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath),
  }
}

/**
 * The renderer's Content-Security-Policy. The built renderer needs nothing beyond its own files: scripts and
 * styles from 'self', no network at all (everything goes through IPC). Vite's dev server needs an inline
 * React-refresh preamble and its HMR WebSocket, so dev relaxes exactly those two, for that origin only.
 */
export function rendererCsp(location: RendererLocation): string {
  const devOrigin = location.kind === 'dev' ? location.origin : null
  const wsDevOrigin = devOrigin ? devOrigin.replace(/^http/, 'ws') : null
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', devOrigin ? `'self' 'unsafe-inline' ${devOrigin}` : "'self'"],
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
