import { readFileSync } from 'node:fs'
import { pageScriptSources } from '../../shared/renderer-csp'
import type { RendererLocation } from './renderer-location'

/** Where a page's scripts, styles and connections may come from; nothing else is allowed anywhere. */
export interface PageSources {
  script: string
  style: string
  connect: string
}

/**
 * The renderer page's Content-Security-Policy header, for both hosts: the desktop window's (app-session.ts,
 * through `rendererCsp`) and the browser host's (src/web/server.ts) differ only in these three sources.
 */
export function pageCsp(sources: PageSources): string {
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', sources.script],
    // React sets style attributes through the CSSOM, which CSP does not govern; 'unsafe-inline' is for <style>.
    ['style-src', sources.style],
    ['img-src', "'self' data: blob:"],
    ['font-src', "'self' data:"],
    ['connect-src', sources.connect],
    ['worker-src', "'self' blob:"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-src', "'none'"],
    ['frame-ancestors', "'none'"],
  ]
  return directives.map(([k, v]) => `${k} ${v}`).join('; ')
}

/** The built page's script-src (its CSP meta pins the bundle by hash); null when the page cannot be read. */
export function readPageScripts(indexHtmlPath: string): string[] | null {
  try {
    return pageScriptSources(readFileSync(indexHtmlPath, 'utf8'))
  } catch (e) {
    console.error(`[flightdeck] cannot read ${indexHtmlPath}`, e)
    return null
  }
}

/**
 * The desktop renderer's Content-Security-Policy header. Scripts: exactly the ones the built page's own CSP meta
 * pins by hash (`pageScripts`; none at all when it could not be read); styles from 'self'; no network at all
 * (everything goes through IPC). Vite's dev server needs an inline React-refresh preamble and its HMR WebSocket,
 * so dev relaxes exactly those two, for that origin only.
 */
export function rendererCsp(
  location: RendererLocation,
  pageScripts: readonly string[] | null = null,
): string {
  const devOrigin = location.kind === 'dev' ? location.origin : null
  const wsDevOrigin = devOrigin ? devOrigin.replace(/^http/, 'ws') : null
  return pageCsp({
    script: devOrigin ? `'self' 'unsafe-inline' ${devOrigin}` : (pageScripts ?? ["'none'"]).join(' '),
    style: devOrigin ? `'self' 'unsafe-inline' ${devOrigin}` : "'self' 'unsafe-inline'",
    connect: devOrigin && wsDevOrigin ? `'self' ${devOrigin} ${wsDevOrigin}` : "'none'",
  })
}
