import type { Session } from 'electron'
import { rendererCsp } from '../engine/hosts/page-csp'
import type { RendererLocation } from '../engine/hosts/renderer-location'

/**
 * The window's session, prepared once before the window exists (only `import type` from electron, so
 * test/hosts/app-session.test.ts drives it with a recording session). The bridge (`window.api`) is registered on
 * this session, so it runs in our one window only; every response for our documents gets the CSP header and
 * `nosniff`; every permission request or check is denied (a compromised page must not be able to ask).
 */

export const BRIDGE_PRELOAD_ID = 'flightdeck-bridge'

type PermissionHandlers = `set${'PermissionRequest' | 'PermissionCheck' | 'DevicePermission'}Handler`
export type AppSession = Pick<
  Session,
  'registerPreloadScript' | 'getPreloadScripts' | 'webRequest' | PermissionHandlers
>

export interface AppSessionConfig {
  /** Absolute path of the bundled preload (out/preload/index.cjs); Electron requires an absolute path. */
  preloadPath: string
  renderer: RendererLocation
  /** script-src of the built page's CSP meta (null when it could not be read: then no script may run). */
  pageScripts: readonly string[] | null
}

const CSP_HEADER = 'Content-Security-Policy'

export function prepareAppSession(session: AppSession, config: AppSessionConfig): void {
  if (!session.getPreloadScripts().some((p) => p.id === BRIDGE_PRELOAD_ID))
    session.registerPreloadScript({ type: 'frame', id: BRIDGE_PRELOAD_ID, filePath: config.preloadPath })
  const csp = rendererCsp(config.renderer, config.pageScripts)
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) }
    // Replace whatever the dev server sent, whatever its casing, so exactly one header policy applies.
    for (const key of Object.keys(headers))
      if (key.toLowerCase() === CSP_HEADER.toLowerCase()) delete headers[key]
    headers[CSP_HEADER] = [csp]
    headers['X-Content-Type-Options'] = ['nosniff']
    callback({ responseHeaders: headers })
  })
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
}
